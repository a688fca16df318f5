"""Node-RED for the benchmark: installed by npm into ``bench/.node-red/``, and its flow.

The comparison is Node-RED's own ``http in -> http request -> http response`` forwarder: the
``http in`` node takes ``POST /hooks/livechat`` (the JSON body parsed into ``msg.payload``),
the ``http request`` node POSTs it to the benchmark's sink receiver on a kept-alive
connection (``persist``) and the ``http response`` node answers the caller with the sink's
status once the sink has answered. Nothing is stored: it is not durable, hookyard is.

The package is installed once, at the exact version :data:`VERSION`, with the ordinary npm
client and its configured registry, into a folder git ignores; the test suite never does
this. ``GET /ready`` is a second, unmeasured ``http in -> http response`` pair for
:meth:`Servers.wait_http`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

#: The Node-RED release the benchmark installs (4.x runs on Node.js 18.5 or newer; 5.x
#: needs 22.9).
VERSION = "4.1.8"
FOLDER = Path(__file__).resolve().parent / ".node-red"
INSTALL_TIMEOUT = 600.0


def installed_version(folder: Path = FOLDER) -> str | None:
    package = folder / "node_modules" / "node-red" / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def install(folder: Path = FOLDER) -> Path:
    """Install node-red@VERSION into ``folder`` unless it is there; the path of ``red.js``."""
    red = folder / "node_modules" / "node-red" / "red.js"
    if installed_version(folder) == VERSION and red.exists():
        return red
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        raise RuntimeError("Node-RED needs node and npm on PATH")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(
        json.dumps({"name": "hookyard-bench-node-red", "private": True}) + "\n"
    )
    print(f"installing node-red@{VERSION} into {folder} (once) ...", flush=True)
    command = [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund"]
    command += ["--omit=dev", "--save-exact", f"node-red@{VERSION}"]
    subprocess.run(command, check=True, timeout=INSTALL_TIMEOUT, stdout=subprocess.DEVNULL)
    if installed_version(folder) != VERSION:
        raise RuntimeError(f"npm did not install node-red@{VERSION} into {folder}")
    return red


def flow(source: str, sink_url: str) -> list[dict[str, object]]:
    """The forwarder flow: http in -> http request -> http response, plus GET /ready."""
    return [
        {"id": "bench", "type": "tab", "label": "hookyard bench"},
        {
            "id": "hook",
            "type": "http in",
            "z": "bench",
            "url": f"/hooks/{source}",
            "method": "post",
            "upload": False,
            "wires": [["forward"]],
        },
        {
            "id": "forward",
            "type": "http request",
            "z": "bench",
            "method": "POST",
            "ret": "txt",
            "paytoqs": "ignore",
            "url": sink_url,
            "persist": True,
            "senderr": False,
            "wires": [["answer"]],
        },
        {"id": "answer", "type": "http response", "z": "bench", "statusCode": "", "wires": []},
        {
            "id": "ready",
            "type": "http in",
            "z": "bench",
            "url": "/ready",
            "method": "get",
            "wires": [["ready-answer"]],
        },
        {"id": "ready-answer", "type": "http response", "z": "bench", "wires": []},
    ]


def prepare(tmp: Path, port: int, source: str, sink_url: str) -> list[str]:
    """Write the user folder (settings, flow) under ``tmp``; the command that runs Node-RED."""
    red = install()
    user = tmp / "node-red-user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "flows.json").write_text(json.dumps(flow(source, sink_url), indent=1))
    settings = {
        "uiHost": "127.0.0.1",
        "uiPort": port,
        "flowFile": "flows.json",
        "httpAdminRoot": False,
        "credentialSecret": False,
        "logging": {"console": {"level": "warn", "metrics": False, "audit": False}},
        "telemetry": {"enabled": False},
        "diagnostics": {"enabled": False},
    }
    (user / "settings.js").write_text("module.exports = " + json.dumps(settings, indent=1) + ";\n")
    node = shutil.which("node") or "node"
    return [node, str(red), "--userDir", str(user), "--settings", str(user / "settings.js")]
