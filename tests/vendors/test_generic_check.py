"""``hookyard check`` names every mistake in a ``generic`` source at its place in the YAML:
signature options, secrets, and each key of the mapping."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

from click.testing import CliRunner, Result
from generic_support import INSTALLED_PLUGINS

from hookyard.cli import main

DOC = Path(__file__).parents[2] / "docs" / "vendors" / "generic.md"


def _check_generic(tmp_path: Path, text: str, variables: dict[str, str] | None = None) -> Result:
    """``hookyard check`` on ``text``, with the built-in plugins only; never a traceback."""
    path = tmp_path / "hookyard.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    env["HOOKYARD_DISABLE_PLUGINS"] = ",".join(INSTALLED_PLUGINS)
    env.update(variables or {})
    result = CliRunner().invoke(main, ["check", "--config", str(path)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def _generic_problems(tmp_path: Path, text: str) -> list[str]:
    result = _check_generic(tmp_path, text)
    assert (result.exit_code, result.stdout) == (2, "")
    _header, *found = result.stderr.splitlines()
    return [line.removeprefix("  ") for line in found]


def test_a_complete_mapped_source_passes(tmp_path: Path) -> None:
    result = _check_generic(
        tmp_path,
        r"""
        sources:
          acme-chat:
            vendor: generic
            secret: acme-signing-secret
            previous_secrets: [the-old-one]
            signature:
              header: X-Acme-Signature
              algorithm: sha512
              encoding: base64
              prefix: "sha512="
            mapping:
              type: {path: event_name, values: {conversation.created: chat.started, "*": unknown}}
              id: delivery_id
              occurred_at: created_at
              chat.id: conversation.id
              chat.tags: conversation.labels
              customer.email: conversation.contact.email
              message.author_role: {path: sender, values: {visitor: customer}}
              data: {plan: account.plan, first: items.0.sku, dotted: meta.a\.b}
          peer:
            {vendor: generic, secret: "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==", tolerance: 1m}
        """,
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert "OK (2 sources" in result.stdout


def test_every_mistake_in_a_mapping_is_named_at_its_key(tmp_path: Path) -> None:
    found = _generic_problems(
        tmp_path,
        r"""
        sources:
          acme-chat:
            vendor: generic
            auth: none
            mapping:
              type: {path: event_name, values: {conversation.created: chat.strated, x: made.up}}
              chat.idd: conversation.id
              customer: {email: contact.email}
              message.text: {path: "a..b", vaules: {}}
              message.author_role: {path: sender, values: {visitor: client}}
              occurred_at: {path: created_at, values: {}}
              agent.id: [assignee, id]
              data: {plan: account.plan, bad: 'a\b'}
        """,
    )
    assert found == [
        'sources.acme-chat.mapping.type.values (line 7): "chat.strated" is not a normalized '
        "event type (did you mean chat.started?)",
        'sources.acme-chat.mapping.type.values (line 7): "made.up" is not a normalized event '
        "type (docs/events.md lists them)",
        "sources.acme-chat.mapping.chat.idd (line 8): 'chat.idd' is not an event field a "
        "mapping fills; did you mean chat.id? (fields: agent.company, agent.email, agent.id, "
        "agent.name, agent.phone, chat.department, chat.id, chat.rating.comment, "
        "chat.rating.value, chat.status, chat.tags, chat.thread_id, customer.company, "
        "customer.email, customer.id, customer.name, customer.phone, data, id, "
        "message.author_id, message.author_role, message.created_at, message.id, "
        "message.text, occurred_at, type, vendor_type)",
        "sources.acme-chat.mapping.customer (line 9): write one key per field, e.g. "
        "`customer.email: PATH`, not a nested mapping",
        "sources.acme-chat.mapping.message.text.vaules (line 10): unknown key; did you mean "
        "'values'? (allowed: path, values)",
        "sources.acme-chat.mapping.message.text.path (line 10): 'a..b' has an empty key (two "
        "dots in a row, or a dot at an end); write \\. for a dot inside a key",
        'sources.acme-chat.mapping.message.author_role.values (line 11): "client" is not an '
        "author role (agent, bot, customer, system)",
        "sources.acme-chat.mapping.occurred_at (line 12): expected a JSON path (value maps are "
        "for text fields)",
        "sources.acme-chat.mapping.agent.id (line 13): expected a JSON path such as "
        "conversation.id, got an array",
        "sources.acme-chat.mapping.data.bad (line 14): 'a\\\\b': a backslash escapes a dot or "
        "a backslash (\\. or \\\\), not 'b'",
    ]


def test_a_mapping_needs_a_type_and_must_be_a_mapping(tmp_path: Path) -> None:
    found = _generic_problems(
        tmp_path,
        """
        sources:
          typeless: {vendor: generic, auth: none, mapping: {id: delivery_id}}
          listed: {vendor: generic, auth: none, mapping: [type, id]}
        """,
    )
    assert found == [
        "sources.typeless.mapping (line 3): no type: say where a delivery names its event "
        "(type: PATH, or type: {path: PATH, values: {...}})",
        "sources.listed.mapping (line 4): expected a mapping of event fields to JSON paths, "
        "got an array",
    ]


def test_every_wrong_signature_option_is_named(tmp_path: Path) -> None:
    found = _generic_problems(
        tmp_path,
        """
        sources:
          a:
            vendor: generic
            secret: s3cret
            signature: {header: "X Acme", algorithm: md5, encoding: b64, prefx: "v1="}
          b:
            vendor: generic
            secret: s3cret
            signature: {algorithm: sha256}
        """,
    )
    assert found == [
        "sources.a.signature.header (line 6): not an HTTP header name: 'X Acme'",
        "sources.a.signature.algorithm (line 6): must be one of sha1, sha256, sha512, got 'md5'",
        "sources.a.signature.encoding (line 6): must be one of hex, base64, got 'b64'",
        "sources.a.signature.prefx (line 6): unknown key; did you mean 'prefix'? (allowed: "
        "algorithm, encoding, header, prefix)",
        "sources.b.signature.header (line 10): required field missing",
    ]


def test_secrets_that_cannot_sign_are_named(tmp_path: Path) -> None:
    found = _generic_problems(
        tmp_path,
        """
        sources:
          empty-hmac: {vendor: generic, secret: "", signature: {header: X-Sig}}
          short: {vendor: generic, secret: whsec_c2hvcnQ=}
          old-short:
            vendor: generic
            secret: whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==
            previous_secrets: [whsec_c2hvcnQ=]
          no-secret: {vendor: generic, auth: none, signature: {header: X-Sig}}
          orphans: {vendor: generic, auth: none, previous_secrets: [abc]}
          hmac-tolerance:
            {vendor: generic, secret: s3cret, signature: {header: X-Sig}, tolerance: 5m}
        """,
    )
    assert found == [
        "sources.empty-hmac.secret (line 3): an HMAC secret must not be empty",
        "sources.short.secret (line 4): a whsec_ secret must hold a key of at least 24 bytes, "
        "this one holds 5",
        "sources.old-short.previous_secrets (line 8): secret 1 of 1: a whsec_ secret must "
        "hold a key of at least 24 bytes, this one holds 5",
        "sources.no-secret.signature (line 9): signature needs secret, the key the platform "
        "signs with",
        "sources.orphans.previous_secrets (line 10): previous_secrets need secret, the key the "
        "platform signs with",
        "sources.hmac-tolerance.tolerance (line 12): tolerance is for Standard Webhooks "
        "timestamps; an HMAC signature has none: remove tolerance",
    ]


def test_a_mapped_source_still_needs_a_secret_or_auth_none(tmp_path: Path) -> None:
    [found] = _generic_problems(
        tmp_path,
        """
        sources:
          acme-chat:
            vendor: generic
            mapping: {type: event_name}
        """,
    )
    assert found.startswith("sources.acme-chat (line 3): no authentication configured: set ")
    assert "secret" in found and "`auth: none`" in found


def test_an_unset_secret_is_named_once(tmp_path: Path) -> None:
    """What follows from the empty value (no key to sign with) is not listed beside it."""
    found = _generic_problems(
        tmp_path,
        """
        sources:
          acme-chat:
            vendor: generic
            secret: ${HOOKYARD_TEST_UNSET_ACME_SECRET}
            previous_secrets: [old-secret]
            signature: {header: X-Acme-Signature}
            mapping: {type: event_name}
        """,
    )
    assert found == [
        "sources.acme-chat.secret (line 5): environment variable "
        "HOOKYARD_TEST_UNSET_ACME_SECRET is not set"
    ]


def test_the_examples_in_the_generic_vendors_page_pass(tmp_path: Path) -> None:
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)
    assert len(blocks) == 3
    for block in blocks:
        secret = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ=="  # a Standard Webhooks or HMAC key
        variables = {name: secret for name in re.findall(r"\$\{(\w+)\}", block)}
        result = _check_generic(tmp_path, block, variables)
        assert (result.exit_code, result.stderr) == (0, ""), block


def test_an_hmac_secret_is_not_judged_as_standard_webhooks_when_the_signature_is_wrong(
    tmp_path: Path,
) -> None:
    found = _generic_problems(
        tmp_path,
        """
        sources:
          shop:
            vendor: generic
            secret: "abcde"
            signature: {header: X-Shop-Signature, algorithm: md5}
        """,
    )
    assert found == [
        "sources.shop.signature.algorithm (line 6): must be one of sha1, sha256, sha512, got 'md5'"
    ]
