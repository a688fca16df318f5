"""A source's own ``token``, ``basic_auth`` and ``allow_ips``, whatever its vendor.

Each is checked before the vendor's scheme; a refusal is 401 with nothing stored, and a
source with any of them needs no ``auth: none``.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from attrs import frozen
from standardwebhooks import Webhook

from hookyard import AuthenticationFailed, Event, VendorSpec, WebhookRequest, hookimpl
from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hookyard.testing import HostFactory, TestHost

TOKEN = "s3cr3t-t0ken-for-comm100"
EVENT = {"id": "e1", "type": "chat.started"}


def _config(**source: Any) -> dict[str, Any]:
    return {"sources": {"in": {"vendor": "generic", **source}}}


def _basic(username: str, password: str) -> dict[str, str]:
    return {
        "Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
    }


async def _stored(host: TestHost) -> int:
    return len(await host.host.store.events())


@pytest.mark.parametrize(
    ("query", "accepted"),
    [
        (f"token={TOKEN}", True),
        (f"a=1&token={TOKEN}&b=2", True),
        ("", False),
        ("token=", False),
        (f"token={TOKEN}x", False),
        (f"token={TOKEN[:-1]}", False),
        (f"token={TOKEN}&token={TOKEN}", False),
        (f"TOKEN={TOKEN}", False),
    ],
)
async def test_token_in_the_query(hookyard_host: HostFactory, query: str, accepted: bool) -> None:
    async with hookyard_host(_config(token=TOKEN)) as host:
        answered = await host.post("in", EVENT, query=query)
        assert answered.status == (200 if accepted else 401)
        assert await _stored(host) == (1 if accepted else 0)


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        (_basic("comm100", "pa:ss word"), True),
        ({"Authorization": "basic " + _basic("comm100", "pa:ss word")["Authorization"][6:]}, True),
        (_basic("comm100", "pa:ss"), False),
        (_basic("Comm100", "pa:ss word"), False),
        (_basic("comm100", ""), False),
        ({}, False),
        ({"Authorization": "Bearer pa:ss word"}, False),
        ({"Authorization": "Basic not base64!"}, False),
        ({"Authorization": "Basic " + base64.b64encode(b"comm100").decode()}, False),
        ({"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()}, False),
    ],
)
async def test_basic_auth(
    hookyard_host: HostFactory, headers: dict[str, str], accepted: bool
) -> None:
    config = _config(basic_auth={"username": "comm100", "password": "pa:ss word"})
    async with hookyard_host(config) as host:
        answered = await host.post("in", EVENT, headers)
        assert answered.status == (200 if accepted else 401)
        assert await _stored(host) == (1 if accepted else 0)


@pytest.mark.parametrize(
    ("peer", "accepted"),
    [
        ("203.0.113.9", True),
        ("203.0.114.9", False),
        ("2001:db8::17", True),
        ("2001:db9::17", False),
        ("::ffff:203.0.113.9", True),  # an IPv4 peer on a dual-stack socket
        (None, False),
        ("not an address", False),
    ],
)
async def test_allow_ips(hookyard_host: HostFactory, peer: str | None, accepted: bool) -> None:
    async with hookyard_host(_config(allow_ips=["203.0.113.0/24", "2001:db8::/32"])) as host:
        answered = await host.post("in", EVENT, peer=peer)
        assert answered.status == (200 if accepted else 401)
        assert await _stored(host) == (1 if accepted else 0)


PROXY = {"server": {"trusted_proxy": "10.0.0.5"}}


@pytest.mark.parametrize(
    ("peer", "forwarded", "accepted"),
    [
        ("10.0.0.5", "203.0.113.9", True),
        ("10.0.0.5", "198.51.100.1, 203.0.113.9", True),  # the proxy appended the last one
        ("10.0.0.5", "203.0.113.9, 198.51.100.1", False),  # a forged first entry is ignored
        ("10.0.0.5", "203.0.113.9:4711", True),
        ("10.0.0.5", "[2001:db8::1]:4711", True),
        ("10.0.0.5", "unknown", False),
        ("10.0.0.5", None, False),  # the proxy itself is not allowed
        ("198.51.100.1", "203.0.113.9", False),  # not the trusted proxy: header not believed
        ("203.0.113.9", "198.51.100.1", True),  # a direct, allowed caller keeps its address
    ],
)
async def test_x_forwarded_for_only_from_the_trusted_proxy(
    hookyard_host: HostFactory, peer: str, forwarded: str | None, accepted: bool
) -> None:
    config = {**PROXY, **_config(allow_ips=["203.0.113.0/24", "2001:db8::/32"])}
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    async with hookyard_host(config) as host:
        answered = await host.post("in", EVENT, headers, peer=peer)
        assert answered.status == (200 if accepted else 401)


async def test_every_rule_and_the_vendor_scheme_must_pass(hookyard_host: HostFactory) -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    config = _config(
        secret=secret,
        token=TOKEN,
        basic_auth={"username": "u", "password": "p"},
        allow_ips=["127.0.0.1"],
    )
    body = b'{"id": "e1", "type": "chat.started"}'
    signed = Webhook(secret).sign("msg_1", datetime.now(UTC), body.decode())
    good = {"webhook-id": "msg_1", "webhook-timestamp": str(int(datetime.now(UTC).timestamp()))}
    good |= {"webhook-signature": signed, **_basic("u", "p")}
    async with hookyard_host(config) as host:
        tried = [
            await host.post("in", body, good, query=f"token={TOKEN}"),
            await host.post("in", body, good, query=f"token={TOKEN}", peer="127.0.0.2"),
            await host.post("in", body, {**good, **_basic("u", "x")}, query=f"token={TOKEN}"),
            await host.post("in", body, good, query="token=wrong-but-long-enough"),
            await host.post(
                "in", body, {**good, "webhook-signature": "v1,AAAA"}, query=f"token={TOKEN}"
            ),
        ]
        assert [a.status for a in tried] == [200, 401, 401, 401, 401]
        assert await _stored(host) == 1


async def test_a_token_alone_is_enough_for_a_signing_vendor(hookyard_host: HostFactory) -> None:
    async with hookyard_host(_config(token=TOKEN)) as host:
        assert (await host.post("in", EVENT, query=f"token={TOKEN}")).status == 200


async def test_simulate_carries_the_sources_credentials(hookyard_host: HostFactory) -> None:
    config = _config(token=TOKEN, basic_auth={"username": "u", "password": "p"})
    async with hookyard_host(config) as host:
        assert (await host.simulate("in", "chat.started")).status == 200


async def test_refusals_are_logged_without_the_secrets(
    hookyard_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    config = _config(token=TOKEN, basic_auth={"username": "u", "password": "hunter2-password"})
    async with hookyard_host(config) as host:
        await host.post("in", EVENT, _basic("u", "hunter2-passwore"), query=f"token={TOKEN}")
        await host.post("in", EVENT, query=f"token={TOKEN[:-1]}")
    assert "wrong HTTP Basic username or password" in caplog.text
    assert "?token= is wrong" in caplog.text
    assert TOKEN not in caplog.text and TOKEN[:-1] not in caplog.text
    assert "hunter2" not in caplog.text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"token": "short"}, "sources.in.token (line 3): a token needs at least 16 characters"),
        ({"token": "a" * 16 + "&"}, "sources.in.token (line 3): a token is letters, digits"),
        ({"allow_ips": "10.0.0.1"}, "sources.in.allow_ips (line 3): expected a list such as"),
        ({"allow_ips": []}, "sources.in.allow_ips (line 3): an empty list would refuse"),
        ({"allow_ips": ["10.0.0.1/8"]}, "sources.in.allow_ips[0] (line 3): '10.0.0.1/8' has bits"),
        ({"allow_ips": ["10.0.0.300"]}, "sources.in.allow_ips[0] (line 3): expected an IP address"),
        ({"basic_auth": {"username": "a:b", "password": "p"}}, "basic_auth.username (line 3)"),
        ({"basic_auth": {"username": "a"}}, "sources.in.basic_auth.password"),
        ({"allow_ips": ["10.0.0.1"], "auth": "none"}, "`auth: none` accepts every webhook, so"),
        ({}, "set secret, or one of token, basic_auth, allow_ips, or say `auth: none`"),
    ],
)
def test_check_names_the_mistake(tmp_path: Path, source: dict[str, Any], expected: str) -> None:
    text = "sources:\n  in:\n    " + _flow({"vendor": "generic", **source}) + "\n"
    with pytest.raises(ConfigError) as raised:
        load_config(text, tmp_path)
    assert any(expected in line for line in raised.value.problems), raised.value.problems


def test_trusted_proxy_is_checked(tmp_path: Path) -> None:
    text = "server:\n  trusted_proxy: proxy.local\nsources:\n  in: {vendor: generic, auth: none}\n"
    with pytest.raises(ConfigError) as raised:
        load_config(text, tmp_path)
    assert raised.value.problems == [
        "server.trusted_proxy (line 2): expected an IP address or a CIDR block such as "
        "203.0.113.0/24, got 'proxy.local'"
    ]


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in mapping.items()) + "}"


@frozen
class KeyringConfig:
    keys: tuple[str, ...] = ()


class KeyringVendor:
    """A vendor whose credential is a list: the host must still call its verify."""

    @hookimpl
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
        register(VendorSpec("keyring", KeyringConfig, self.verify, self.parse, ("keys",)))

    def verify(self, config: KeyringConfig, request: WebhookRequest) -> None:
        if request.headers.get("x-key") not in config.keys:
            raise AuthenticationFailed("no known key")

    def parse(self, _config: KeyringConfig, request: WebhookRequest) -> list[Event]:
        now = request.received_at
        return [Event("k1", request.source, "keyring", "chat.started", "new", now, now)]


@pytest.mark.parametrize(("keys", "header", "status"), [(["k"], "k", 200), (["k"], "x", 401)])
async def test_a_credential_of_any_type_is_verified_beside_a_token(
    hookyard_host: HostFactory, keys: list[str], header: str, status: int
) -> None:
    config = {"sources": {"in": {"vendor": "keyring", "keys": keys, "token": TOKEN}}}
    async with hookyard_host(config, plugins={"keyring": KeyringVendor()}) as host:
        answered = await host.post("in", b"{}", {"x-key": header}, query=f"token={TOKEN}")
        assert answered.status == status
