"""Bootstrap and run hookyard with nothing but Python 3.11+.

    python3 tasks.py run    install everything, start hookyard on examples/hookyard.yaml
    python3 tasks.py test   install everything, run the whole test suite
    python3 tasks.py install-plugin PATH
                            install a plugin package of your own (editable) into .venv,
                            and again after every sync, which would remove it otherwise
    python3 tasks.py install-plugin --remove PATH
                            stop installing it (the next sync removes it)

uv is installed into ``.bootstrap/`` from the package registry with pip, then ``uv sync``
builds ``.venv`` with the versions pyproject.toml pins (``constraint-dependencies``), using
this same Python interpreter (uv never downloads one).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".bootstrap"
#: The plugin folders ``install-plugin`` was given, one per line (not committed).
DEV_PLUGINS = ROOT / ".dev-plugins"
UV_VERSION = "0.13.9"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env["UV_PROJECT_ENVIRONMENT"] = str(ROOT / ".venv")
    if Path("/etc/ssl/certs/ca-certificates.crt").exists():
        env.setdefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
    return env


def _uv() -> Path:
    uv = _bin(BOOTSTRAP, "uv")
    if not uv.exists():
        print(f"tasks: installing uv {UV_VERSION} into {BOOTSTRAP.name}/", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BOOTSTRAP)], check=True)
        pip = [str(_bin(BOOTSTRAP, "python")), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, f"uv=={UV_VERSION}"], check=True)
    return uv


def _sync(*extra: str) -> None:
    cmd = [str(_uv()), "sync", "--python", sys.executable, *extra]
    subprocess.run(cmd, check=True, cwd=ROOT, env=_env())
    for folder in _dev_plugins():
        _install_editable(folder)


def _dev_plugins() -> list[Path]:
    if not DEV_PLUGINS.exists():
        return []
    return [Path(line) for line in DEV_PLUGINS.read_text().splitlines() if line.strip()]


def _install_editable(folder: Path) -> bool:
    """Install ``folder`` into .venv (editable); say in one line why not if it fails."""
    if not (folder / "pyproject.toml").exists():
        print(f"tasks: {folder} has no pyproject.toml; skipped (install-plugin --remove it)")
        return False
    python = _bin(ROOT / ".venv", "python")
    cmd = [str(_uv()), "pip", "install", "-q", "--python", str(python), "-e", str(folder)]
    if subprocess.run(cmd, cwd=ROOT, env=_env()).returncode != 0:
        print(f"tasks: installing {folder} failed (uv said why above); skipped")
        return False
    return True


def install_plugin(args: list[str]) -> int:
    remove = args[:1] == ["--remove"]
    paths = args[1:] if remove else args
    if len(paths) != 1:
        print("usage: python3 tasks.py install-plugin [--remove] PATH")
        return 2
    folder = Path(paths[0]).resolve()
    listed = _dev_plugins()
    if remove:
        DEV_PLUGINS.write_text("".join(f"{p}\n" for p in listed if p != folder))
        print(f"tasks: {folder.name} is no longer installed by tasks.py; the next sync removes it")
        return 0
    if not (folder / "pyproject.toml").exists():
        print(f"tasks: {folder} is not a Python package (no pyproject.toml)")
        return 2
    _sync()
    if folder not in listed:
        if not _install_editable(folder):
            return 1
        with DEV_PLUGINS.open("a") as written:
            written.write(f"{folder}\n")
    print(f"tasks: {folder.name} installed; every later tasks.py run keeps it")
    return 0


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _ensure_postgres() -> None:
    """Start the machine's PostgreSQL cluster when it is installed but not running."""
    if os.environ.get("HOOKYARD_TEST_POSTGRES_URL") or _postgres_reachable():
        return
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") and clusters.is_dir():
        for version in sorted(p.name for p in clusters.iterdir()):
            print(f"tasks: starting PostgreSQL {version}", flush=True)
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                check=False,
            )
        for _ in range(30):
            if _postgres_reachable():
                return
            time.sleep(1)
    print("tasks: PostgreSQL is not reachable at 127.0.0.1:5432; the store tests will fail")


def _call(cmd: list[str], **kwargs: Any) -> int:
    """Run ``cmd`` and return its exit code; Ctrl-C is left to the child to handle.

    The terminal sends Ctrl-C to both processes; the child (hookyard, pytest) stops
    gracefully, and this process just waits for it instead of killing it.
    """
    child = subprocess.Popen(cmd, **kwargs)
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        return child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)


def run(args: list[str]) -> int:
    _sync("--no-dev", "--inexact")  # keeps dev tools a test run installed
    config = ["--config", str(ROOT / "examples" / "hookyard.yaml")]
    hookyard = _bin(ROOT / ".venv", "hookyard")
    return _call([str(hookyard), "serve", *config, *args], cwd=ROOT / "examples")


def test(args: list[str]) -> int:
    _sync()
    _ensure_postgres()
    env = _env()
    env.setdefault("HOOKYARD_TEST_POSTGRES_URL", POSTGRES_URL)
    python = _bin(ROOT / ".venv", "python")
    return _call([str(python), "-m", "pytest", *args], cwd=ROOT, env=env)


def main() -> int:
    commands = {"run": run, "test": test, "install-plugin": install_plugin}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
