"""``hookyard links``: what each sink keeps per conversation (a Slack thread, a ticket)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hookyard._json import dumps
from hookyard.cli.common import config_option, fail, load_host, table, user_errors, with_store

if TYPE_CHECKING:
    from hookyard.store import Store
    from hookyard.store.links import ConversationLink

__all__ = ["links"]

COLUMNS = ("sink", "conversation", "updated (UTC)", "link")


@click.command()
@config_option
@click.option("--sink", help="Only this sink's links.")
@click.option("--chat", "chat_id", help="Only the conversation of this chat id (in any source).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=1),
    help="At most this many, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per link.")
@user_errors
def links(
    config_path: str, sink: str | None, chat_id: str | None, limit: int, as_json: bool
) -> None:
    """List conversation links: per sink and conversation, what the sink keeps so that the
    conversation's next events land in the same place (a Slack thread's ts, a ticket id)."""
    from hookyard.store.intake import conversation_key

    host = load_host(config_path)
    if sink is not None and sink not in host.config.sinks:
        known = ", ".join(sorted(host.config.sinks)) or "none"
        fail(f"no sink named {sink!r} in {config_path} (sinks: {known})", 1)
    conversations = None
    if chat_id is not None:
        keys = (conversation_key(source, chat_id, None) for source in host.config.sources)
        conversations = [key for key in keys if key is not None]

    async def fetch(store: Store) -> list[ConversationLink]:
        return await store.links.list(sink=sink, conversations=conversations, limit=limit)

    found = with_store(host, fetch)
    if as_json:
        for link in found:
            click.echo(dumps(host.converter.unstructure(link)))
        return
    if not found:
        click.echo("no conversation links")
        return
    rows = [COLUMNS] + [
        (
            link.sink,
            link.conversation,
            link.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
            dumps(link.link),
        )
        for link in found
    ]
    for line in table(rows):
        click.echo(line)
