"""A tiny HTTP endpoint for the README tour: prints what hookyard's http sink posts.

    python3 examples/receiver.py 9999

Answers 200 to every POST and prints the webhook-id header and the body.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        print(f"webhook-id {self.headers.get('webhook-id')}: {body.decode(errors='replace')}")
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9999
    print(f"listening on http://127.0.0.1:{port}")
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
