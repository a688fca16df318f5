"""The benchmark's baseline: a Litestar app that reads a POST body and answers 200.

Same route shape and the same answer size as hookyard's ``POST /hooks/{source}``, and by
default served the way ``hookyard serve`` serves hookyard (uvicorn, one worker, no access
log, the given log level, and the event loop and HTTP parser that ``hookyard serve`` passes
to ``uvicorn.Config``: :data:`DEFAULT_STACK`), so the only difference between the two targets
is the app. ``--stack`` serves it on another stack instead (bench/stacks.py compares them).

Run: ``python bench/bare_app.py --port PORT [--log-level warning] [--stack NAME]``
(run.py and stacks.py do this).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn
from litestar import Litestar, Request, post
from litestar.response import Response

ANSWER = b'{"stored": 1, "duplicates": 0}'

#: The stacks ``--stack`` offers: uvicorn's (loop, http) settings, or granian.
UVICORN_STACKS = {
    "asyncio-h11": {"loop": "asyncio", "http": "h11"},
    "uvloop-httptools": {"loop": "uvloop", "http": "httptools"},
}
STACKS = (*UVICORN_STACKS, "granian")
#: The stack ``hookyard serve`` uses (core/src/hookyard/cli/serve.py); keep the two alike.
DEFAULT_STACK = "uvloop-httptools"


@post("/hooks/{source:str}")
async def receive(source: str, request: Request[object, object, object]) -> Response[bytes]:
    await request.body()
    return Response(ANSWER, status_code=200, media_type="application/json")


app = Litestar(route_handlers=[receive], openapi_config=None)


def _granian(host: str, port: int, log_level: str) -> None:
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels
    from granian.server import Server

    Server(
        "bare_app:app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        http=HTTPModes.http1,
        websockets=False,
        loop=Loops.uvloop,
        log_level=LogLevels(log_level),
        log_access=False,
        working_dir=Path(__file__).resolve().parent,
    ).serve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="warning")
    parser.add_argument(
        "--stack", choices=STACKS, default=DEFAULT_STACK, help="default: hookyard serve's"
    )
    args = parser.parse_args()
    if args.stack == "granian":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        _granian(args.host, args.port, args.log_level)
        return
    stack = UVICORN_STACKS[args.stack]
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        loop=stack["loop"],
        http=stack["http"],
    )


if __name__ == "__main__":
    main()
