"""A ``generic`` source accepts what its senders sign and refuses the rest with 401, storing
nothing: Standard Webhooks (signed by the reference library), with secret rotation on either
side, and HMAC signatures of the raw body in a chosen header."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from generic_support import (
    ACME_MAPPING,
    ACME_SIGNATURE,
    HMAC_SECRET,
    INSTALLED_PLUGINS,
    NEW_SW_SECRET,
    SOURCE,
    SW_SECRET,
    acme_delivery,
    acme_headers,
    encoded,
    generic_source,
    hmac_signature,
    standard_headers,
    stored_events,
    stored_rows,
)

if TYPE_CHECKING:
    from hookyard.testing import HostFactory

EVENT = {"id": "evt-1", "type": "chat.started", "chat": {"id": "c-1"}}
BODY = encoded(EVENT)
OTHER_SECRET = "whsec_" + "b3RoZXItc2VjcmV0LW9mLWVub3VnaC1ieXRlcw=="


async def test_a_delivery_the_reference_library_signs_is_stored(
    hookyard_host: HostFactory,
) -> None:
    async with hookyard_host(generic_source(secret=SW_SECRET), disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, BODY, standard_headers(SW_SECRET, BODY))
        [event] = await stored_events(host)
    assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})
    assert (event["id"], event["type"], event["vendor"], event["chat"]["id"]) == (
        "evt-1",
        "chat.started",
        "generic",
        "c-1",
    )


async def test_a_mapped_source_verifies_standard_webhooks_too(hookyard_host: HostFactory) -> None:
    body = encoded(acme_delivery())
    config = generic_source(secret=SW_SECRET, mapping=ACME_MAPPING)
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        refused = await host.post(SOURCE, body, standard_headers(OTHER_SECRET, body))
        answered = await host.post(SOURCE, body, standard_headers(SW_SECRET, body))
        [event] = await stored_events(host)
    assert (refused.status, answered.status, event["type"]) == (401, 200, "chat.message")


def _tampered_body(headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return BODY.replace(b"c-1", b"c-2"), headers


def _other_id(headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return BODY, {**headers, "webhook-id": "msg_2"}


def _no_signature(headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    return BODY, {k: v for k, v in headers.items() if k != "webhook-signature"}


@pytest.mark.parametrize(
    ("signed_with", "age", "change"),
    [
        (OTHER_SECRET, 0, None),
        (SW_SECRET, 330, None),  # past the 5 minutes allowed, with room for a slow run
        (SW_SECRET, -330, None),
        (SW_SECRET, 0, _tampered_body),
        (SW_SECRET, 0, _other_id),
        (SW_SECRET, 0, _no_signature),
    ],
    ids=["wrong secret", "stale", "from the future", "tampered body", "other id", "unsigned"],
)
async def test_what_the_secret_did_not_sign_is_401_and_nothing_is_stored(
    hookyard_host: HostFactory, signed_with: str, age: float, change: Any
) -> None:
    headers = standard_headers(signed_with, BODY, age=age)
    body, headers = change(headers) if change else (BODY, headers)
    async with hookyard_host(generic_source(secret=SW_SECRET), disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, body, headers)
        assert answered.status == 401
        assert await stored_rows(host) == []


async def test_the_tolerance_is_the_sources_own(hookyard_host: HostFactory) -> None:
    config = generic_source(secret=SW_SECRET, tolerance="10m")
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        older = await host.post(SOURCE, BODY, standard_headers(SW_SECRET, BODY, age=400))
        too_old = await host.post(SOURCE, BODY, standard_headers(SW_SECRET, BODY, age=700))
    assert (older.status, too_old.status) == (200, 401)


def _both_signatures(body: bytes) -> dict[str, str]:
    """What a sender rotating its secret sends: one ``v1`` signature per secret."""
    old, new = standard_headers(SW_SECRET, body), standard_headers(NEW_SW_SECRET, body)
    return {**old, "webhook-signature": f"{old['webhook-signature']} {new['webhook-signature']}"}


@pytest.mark.parametrize("receiver_secret", [SW_SECRET, NEW_SW_SECRET], ids=["old", "new"])
async def test_a_sender_rotating_its_secret_is_accepted_under_either(
    hookyard_host: HostFactory, receiver_secret: str
) -> None:
    config = generic_source(secret=receiver_secret)
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, BODY, _both_signatures(BODY))
        other = await host.post(SOURCE, BODY, standard_headers(OTHER_SECRET, BODY))
    assert (answered.status, other.status) == (200, 401)


async def test_a_receiver_rotating_accepts_its_previous_secrets(
    hookyard_host: HostFactory,
) -> None:
    config = generic_source(secret=NEW_SW_SECRET, previous_secrets=[SW_SECRET])
    bodies = [encoded({**EVENT, "id": f"evt-{n}"}) for n in range(3)]
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        new = await host.post(SOURCE, bodies[0], standard_headers(NEW_SW_SECRET, bodies[0]))
        old = await host.post(SOURCE, bodies[1], standard_headers(SW_SECRET, bodies[1]))
        other = await host.post(SOURCE, bodies[2], standard_headers(OTHER_SECRET, bodies[2]))
        ids = [event["id"] for event in await stored_events(host)]
    assert (new.status, old.status, other.status) == (200, 200, 401)
    assert ids == ["evt-0", "evt-1"]


# --- HMAC signatures ----------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize(("encoding", "prefix"), [("hex", ""), ("base64", "v1="), ("hex", "sha=")])
async def test_an_hmac_of_the_body_in_the_chosen_header_is_accepted(
    hookyard_host: HostFactory, algorithm: str, encoding: str, prefix: str
) -> None:
    signature = {"header": "X-Hub-Signature", "algorithm": algorithm, "encoding": encoding}
    config = generic_source(secret=HMAC_SECRET, signature={**signature, "prefix": prefix})
    value = hmac_signature(HMAC_SECRET, BODY, algorithm, encoding, prefix)
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, BODY, {"X-Hub-Signature": value})
        [event] = await stored_events(host)
    assert (answered.status, event["id"]) == (200, "evt-1")


async def test_hex_digests_and_prefixes_are_taken_in_any_case(hookyard_host: HostFactory) -> None:
    config = generic_source(secret=HMAC_SECRET, signature=ACME_SIGNATURE)
    value = hmac_signature(HMAC_SECRET, BODY, prefix="SHA256=").upper()
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, BODY, {"x-acme-signature": value})
    assert answered.status == 200


def _hmac_headers(secret: str = HMAC_SECRET, **options: str) -> dict[str, str]:
    return {"X-Acme-Signature": hmac_signature(secret, BODY, **options)}


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY, _hmac_headers("another-secret", prefix="sha256=")),
        (BODY, _hmac_headers(prefix="sha256=", algorithm="sha1")),
        (BODY, _hmac_headers(prefix="sha256=", encoding="base64")),
        (BODY, _hmac_headers()),
        (BODY + b" ", _hmac_headers(prefix="sha256=")),
        (BODY, {"X-Other-Signature": hmac_signature(HMAC_SECRET, BODY, prefix="sha256=")}),
        (BODY, standard_headers(SW_SECRET, BODY)),
    ],
    ids=[
        "wrong secret",
        "other algorithm",
        "other encoding",
        "no prefix",
        "tampered body",
        "other header",
        "standard webhooks",
    ],
)
async def test_what_the_hmac_does_not_prove_is_401_and_nothing_is_stored(
    hookyard_host: HostFactory, body: bytes, headers: dict[str, str]
) -> None:
    config = generic_source(secret=HMAC_SECRET, signature=ACME_SIGNATURE)
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, body, headers)
        assert answered.status == 401
        assert await stored_rows(host) == []


async def test_an_hmac_source_accepts_its_previous_secrets(hookyard_host: HostFactory) -> None:
    config = generic_source(
        secret="the-new-one", previous_secrets=[HMAC_SECRET], signature=ACME_SIGNATURE
    )
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        old = await host.post(SOURCE, BODY, acme_headers(BODY))
        new = await host.post(SOURCE, BODY, acme_headers(BODY, "the-new-one"))
        wrong = await host.post(SOURCE, BODY, acme_headers(BODY, "neither"))
    assert (old.status, new.status, wrong.status) == (200, 200, 401)
    assert new.body == {"stored": 0, "duplicates": 1}


async def test_an_hmac_secret_is_text_not_base64(hookyard_host: HostFactory) -> None:
    """A Standard Webhooks secret would be base64-decoded; an HMAC secret is used as written."""
    secret = "c2VjcmV0LWtleQ=="
    config = generic_source(secret=secret, signature=ACME_SIGNATURE)
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, BODY, acme_headers(BODY, secret))
        stored = await stored_events(host)
    assert answered.status == 200
    assert json.dumps(stored).count(secret) == 0
