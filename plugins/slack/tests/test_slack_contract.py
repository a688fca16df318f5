"""The slack sink keeps hookyard's sink contract in both modes: its token and its webhook
URL never reach a reason, a response or the log; attempts end within the timeout; aclose
releases its connections."""

from __future__ import annotations

from hookyard import Seconds
from hookyard.testing import assert_sink_contract, delivery_request
from hookyard_slack import SlackConfig, SlackSink, TokenPost, WebhookPost

TOKEN = "xoxb-1-contract-Zq8Rt5Lm"
WEBHOOK_PATH = "/services/T0CONTRACT/B0CONTRACT/hS3cretPathValue9"


async def test_token_mode_keeps_the_sink_contract() -> None:
    def opened(url: str) -> SlackSink:
        return SlackSink(SlackConfig(token=TOKEN, api_url=f"{url}/api", timeout=Seconds(0.5)))

    post = delivery_request("post", TokenPost(channel="C0123456789", text="hi"))
    await assert_sink_contract(opened, post, secrets=[TOKEN], timeout=0.5)


async def test_webhook_mode_keeps_the_sink_contract() -> None:
    def opened(url: str) -> SlackSink:
        return SlackSink(SlackConfig(webhook_url=url + WEBHOOK_PATH, timeout=Seconds(0.5)))

    post = delivery_request("post", WebhookPost(text="hi"))
    await assert_sink_contract(opened, post, secrets=[WEBHOOK_PATH], timeout=0.5)
