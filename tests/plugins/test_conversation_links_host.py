"""Conversation links through the host: what a sink's first delivery of a chat keeps
(``DeliveryResult.link``) reaches the chat's later deliveries as ``DeliveryRequest.link``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import DeliveryFailed, DeliveryResult, SinkSpec, hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import DeliveryRequest, Sink
    from hookyard.testing import HostFactory


@frozen
class ThreadsConfig:
    fail_after_create: bool = False


class ThreadsPlugin:
    """A sink that opens a thread per conversation and replies in it."""

    def __init__(self) -> None:
        self.threads: dict[str, list[str]] = {}
        self.seen: list[tuple[str | None, dict[str, Any]]] = []

    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        register(SinkSpec(name="threads", config_type=ThreadsConfig, open=self.open))

    def open(self, config: ThreadsConfig) -> Sink:
        return _Threads(self, config)


class _Threads:
    def __init__(self, plugin: ThreadsPlugin, config: ThreadsConfig) -> None:
        self.plugin = plugin
        self.config = config

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        self.plugin.seen.append((request.conversation, dict(request.link)))
        text = str(request.event["id"])
        thread = request.link.get("thread")
        if thread is None:
            thread = f"t{len(self.plugin.threads) + 1}"
            self.plugin.threads[thread] = [text]
            if self.config.fail_after_create and request.attempt == 1:
                raise DeliveryFailed("reply failed", status_code=503, link={"thread": thread})
            return DeliveryResult(response="opened", link={"thread": thread})
        self.plugin.threads[thread].append(text)
        return DeliveryResult(response="replied")

    async def aclose(self) -> None:
        pass


def config(**threads: Any) -> dict[str, Any]:
    return {
        "sources": {"upstream": {"vendor": "generic", "auth": "none"}},
        "sinks": {"chat-threads": {"plugin": "threads", **threads}},
        "routes": [{"to": "chat-threads", "retry": {"initial_delay": "20ms"}}],
    }


def webhook(event_id: str, chat: str, second: int) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "chat.message",
        "chat": {"id": chat},
        "occurred_at": f"2026-12-01T10:00:0{second}Z",
    }


async def test_each_chat_gets_one_thread_with_its_events_in_order(
    hookyard_host: HostFactory,
) -> None:
    plugin = ThreadsPlugin()
    async with hookyard_host(config(), plugins={"threads": plugin}) as host:
        for event_id, chat, second in [
            ("a1", "A", 1),
            ("b1", "B", 2),
            ("a2", "A", 3),
            ("a3", "A", 4),
        ]:
            assert (await host.post("upstream", webhook(event_id, chat, second))).status == 200
        delivered = await host.deliver()
    assert {d.status for d in delivered} == {"delivered"}
    assert sorted(plugin.threads.values()) == [["a1", "a2", "a3"], ["b1"]]
    conversations = {conversation for conversation, _ in plugin.seen}
    assert len(conversations) == 2 and None not in conversations


async def test_what_a_failed_attempt_created_is_not_created_again(
    hookyard_host: HostFactory,
) -> None:
    plugin = ThreadsPlugin()
    async with hookyard_host(config(fail_after_create=True), plugins={"threads": plugin}) as host:
        assert (await host.post("upstream", webhook("a1", "A", 1))).status == 200
        [delivery] = await host.deliver()
    assert delivery.status == "delivered"
    assert plugin.threads == {"t1": ["a1", "a1"]}  # the retry replied in the thread it made
    assert plugin.seen[1][1] == {"thread": "t1"}


class OddPlugin:
    """A sink that breaks the contract in the ways a plugin might: a link that is not a
    mapping, one the store cannot keep, a result that is not a DeliveryResult."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    @hookimpl
    def hookyard_register_sinks(self, register: Callable[[SinkSpec], None]) -> None:
        register(SinkSpec(name="odd", config_type=ThreadsConfig, open=lambda _c: self))

    async def deliver(self, request: DeliveryRequest) -> Any:
        event_id = str(request.event["id"])
        self.calls.append(event_id)
        return {
            "list-link": DeliveryResult(link=["x"]),  # type: ignore[arg-type]
            "nan-link": DeliveryResult(link={"b": float("nan")}),
            "no-result": None,
            "good": DeliveryResult(link={"thread": "t1"}),
        }[event_id]

    async def aclose(self) -> None:
        pass


async def test_a_sinks_odd_result_never_holds_up_the_others(
    hookyard_host: HostFactory, caplog: Any
) -> None:
    plugin = OddPlugin()
    config_ = {
        "sources": {"upstream": {"vendor": "generic", "auth": "none"}},
        "sinks": {"odd": {"plugin": "odd", "ordering": "none"}},
        "routes": [{"to": "odd"}],
    }
    async with hookyard_host(config_, plugins={"odd": plugin}) as host:
        for n, event_id in enumerate(["list-link", "nan-link", "no-result", "good"]):
            assert (await host.post("upstream", webhook(event_id, f"c{n}", n))).status == 200
        delivered = await host.deliver()
        links = await host.host.store.links.list()
    assert sorted(plugin.calls) == ["good", "list-link", "nan-link", "no-result"]  # once each
    assert {d.status for d in delivered} == {"delivered"}
    assert [link.link for link in links] == [{"thread": "t1"}]
    assert "gave a link the store cannot keep (it is not a mapping)" in caplog.text
    assert "gave a link the store cannot keep (the number nan)" in caplog.text
    assert "returned NoneType, not a DeliveryResult; counted as delivered" in caplog.text
