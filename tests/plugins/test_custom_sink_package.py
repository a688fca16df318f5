"""examples/custom-sink, installed like a third party's plugin, is found and delivered to.

How the package is installed (offline, in a few seconds):

- a fresh virtual environment is made in ``tmp_path`` with uv (``.bootstrap/bin/uv``, which
  ``python3 tasks.py`` installs, or ``uv`` on PATH, or ``$HOOKYARD_UV``);
- hookyard, hookyard-livechat and their dependencies are *not* installed again: one ``.pth``
  file makes the test environment's site-packages visible to it, after its own;
- the example is copied to ``tmp_path`` and installed for real, built by its own build
  backend (hatchling, from uv's cache, as ``uv sync`` left it) with
  ``uv pip install --offline --no-deps``.

So the sink can only come from the installed distribution ``hookyard-example-sink``: the
environment running the tests does not have it (checked below).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
import pytest

from hookyard_livechat import LiveChatConfig, simulate
from serve_process import free_port, wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "custom-sink"
DISTRIBUTION = "hookyard-example-sink"
CLI = ["-c", "from hookyard.cli import main; main()"]


def find_uv() -> str:
    candidates = [os.environ.get("HOOKYARD_UV"), ROOT / ".bootstrap" / "bin" / "uv"]
    candidates.append(shutil.which("uv"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail("no uv: run `python3 tasks.py test`, which installs it, or set HOOKYARD_UV")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKYARD_", "VIRTUAL_ENV"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def run(*command: str | Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], env=clean_env(), capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a fresh environment with examples/custom-sink installed."""
    installed = [d for d in importlib.metadata.distributions() if d.name == DISTRIBUTION]
    assert not installed, (
        f"uninstall {DISTRIBUTION} from the test environment: this test installs it"
    )
    root = tmp_path_factory.mktemp("custom-sink")
    uv = find_uv()
    run(uv, "venv", "--quiet", root / "venv", "--python", sys.executable)
    python = root / "venv" / "bin" / "python"
    own = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    ours = sysconfig.get_paths()["purelib"]
    bridge = Path(own.strip()) / "_hookyard_workspace.pth"
    bridge.write_text(f"import site; site.addsitedir({ours!r})\n")
    source = root / "source"  # a fresh path: uv's cache never serves a stale build
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    run(uv, "pip", "install", "--offline", "--no-deps", "--quiet", "--python", python, source)
    return python


def test_hookyard_plugins_lists_the_installed_sink(python: Path) -> None:
    listed = {info["name"]: info for info in json.loads(run(python, *CLI, "plugins", "--json"))}
    assert listed["example_sink"] == {
        "name": "example_sink",
        "distribution": DISTRIBUTION,
        "version": "0.1.0",
        "hooks": ["hookyard_register_sinks"],
        "vendors": [],
        "sinks": ["memo"],
    }
    assert listed["livechat"]["distribution"] == "hookyard-livechat"


CONFIG = """\
database: sqlite:///hookyard.db
sources:
  chats: {{vendor: livechat, secret: example-secret}}
sinks:
  memo: {{plugin: memo, path: "{memo}", prefix: "[chats] "}}
routes:
  - match: {{type: chat.started}}
    to: memo
    with: {{text: "new {{{{ event.type }}}} from {{{{ event.vendor }}}}"}}
workers: {{poll_interval: 0.1s, shutdown_grace: 1s}}
"""


def test_a_livechat_event_is_routed_to_the_custom_sink(python: Path, tmp_path: Path) -> None:
    memo = tmp_path / "notes" / "memo.txt"  # the config says notes/memo.txt: its folder's
    config = tmp_path / "hookyard.yaml"
    config.write_text(CONFIG.format(memo="notes/memo.txt"))
    elsewhere = tmp_path / "elsewhere"  # serve runs in another folder
    elsewhere.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    command = [python, *CLI, "serve", "--config", config, "--port", str(port)]
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [*command, "--log-level", "warning"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=clean_env(),
            cwd=elsewhere,
        )
    try:
        wait_until(lambda: _ready(serve, url, log), 60, "hookyard serve to be ready")
        sample = simulate(LiveChatConfig(secret="example-secret"), "incoming_chat")
        sent = httpx.post(f"{url}/hooks/chats", content=sample.body, headers=dict(sample.headers))
        assert sent.status_code == 200, sent.text
        wait_until(memo.exists, 20, f"{memo} to be written")
        wait_until(lambda: memo.read_text().endswith("\n"), 5, "a whole line")
        assert memo.read_text() == "[chats] new chat.started from livechat\n"
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait(timeout=5)


def _ready(serve: subprocess.Popen[bytes], url: str, log: Path) -> bool:
    if serve.poll() is not None:
        raise AssertionError(f"hookyard serve exited:\n{log.read_text(errors='replace')}")
    try:
        return httpx.get(f"{url}/ready", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
