"""The benchmark's baseline: a Litestar app that reads a POST body and answers 200.

Same route shape and the same answer size as hookyard's ``POST /hooks/{source}``, and served
by ``uvicorn.run`` with the settings ``hookyard serve`` uses (one worker, no access log, the
given log level), so the only difference between the two targets is the app.

Run: ``python bench/bare_app.py --port PORT [--log-level warning]`` (run.py does this).
"""

from __future__ import annotations

import argparse

import uvicorn
from litestar import Litestar, Request, post
from litestar.response import Response

ANSWER = b'{"stored": 1, "duplicates": 0}'


@post("/hooks/{source:str}")
async def receive(source: str, request: Request[object, object, object]) -> Response[bytes]:
    await request.body()
    return Response(ANSWER, status_code=200, media_type="application/json")


app = Litestar(route_handlers=[receive], openapi_config=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
