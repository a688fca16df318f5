"""``hookyard simulate``: send a realistic, correctly signed sample to a running hookyard."""

from __future__ import annotations

import click

from hookyard.cli.common import config_option, fail, user_errors
from hookyard.host import load_setup
from hookyard.intake import credentials
from hookyard.plugins import collect_registry, get_plugin_manager

__all__ = ["simulate"]


@click.command()
@click.argument("vendor")
@click.argument("action", required=False)
@click.option("--source", help="The configured source to send to (needed with ACTION).")
@click.option(
    "--url", help="hookyard's base URL.", default="http://127.0.0.1:8000", show_default=True
)
@click.option("--count", default=1, show_default=True, help="How many samples (each distinct).")
@config_option
@user_errors
def simulate(
    vendor: str, action: str | None, source: str | None, url: str, count: int, config_path: str
) -> None:
    """Send COUNT sample VENDOR webhooks of ACTION to the running hookyard at URL.

    Without ACTION, lists the actions VENDOR can simulate (no configuration needed).
    """
    spec = collect_registry(get_plugin_manager()).vendors.get(vendor)
    if spec is None or spec.simulate is None:
        fail(f"vendor {vendor!r} is not installed or cannot simulate")
    if action is None:
        click.echo("\n".join(spec.actions))
        return
    if action not in spec.actions:
        fail(f"{vendor} cannot simulate {action!r}; it knows: {', '.join(spec.actions)}")
    if source is None:
        raise click.UsageError("say which configured source to send to with --source")
    host = load_setup(config_path)
    configured = host.config.sources.get(source)
    if configured is None or configured.vendor != vendor:
        fail(f"{config_path} has no {vendor} source named {source!r}")
    import httpx  # slow to import; only sending needs it

    target = f"{url.rstrip('/')}/hooks/{source}"
    query, access_headers = credentials(configured.access)
    with httpx.Client(timeout=15) as client:
        for _ in range(count):
            sample = spec.simulate(configured.options, action)
            headers = {**sample.headers, **access_headers}
            try:
                response = client.post(
                    target + (f"?{query}" if query else ""), content=sample.body, headers=headers
                )
            except httpx.HTTPError as exc:
                fail(f"could not reach {target}: {exc}; is `hookyard serve` running?", 1)
            click.echo(f"{action} -> {target}: HTTP {response.status_code} {response.text}")
            if response.status_code != 200:
                raise SystemExit(1)
