"""The teams sink keeps hookyard's sink contract: the Workflows URL's signature never
reaches a reason, a response or the log; attempts end within the timeout; aclose releases
its connections."""

from __future__ import annotations

from hookyard import Seconds
from hookyard.testing import assert_sink_contract, delivery_request
from hookyard_teams import TeamsConfig, TeamsPost, TeamsSink

SIG = "Sig-contract-8Kd2Lq0x"


async def test_the_sink_keeps_hookyards_sink_contract() -> None:
    def opened(url: str) -> TeamsSink:
        webhook = f"{url}/workflows/f1/triggers/manual/paths/invoke?api-version=1&sig={SIG}"
        return TeamsSink(TeamsConfig(webhook_url=webhook, timeout=Seconds(0.5)))

    post = delivery_request("post", TeamsPost(text="hi"))
    await assert_sink_contract(opened, post, secrets=[SIG], timeout=0.5)
