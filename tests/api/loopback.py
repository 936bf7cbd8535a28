"""A real HTTP receiver on 127.0.0.1 for webhook tests: verifies signatures, can fail N times."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kundenversteher.api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]
    signature_valid: bool


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0
    requests: list[Received] = field(default_factory=list)
    url: str = ""


@contextmanager
def webhook_receiver(*, fail_first: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(fail_first=fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            valid = verify_signature(
                secret=receiver.secret,
                timestamp=self.headers.get(TIMESTAMP_HEADER, ""),
                body=body,
                signature=self.headers.get(SIGNATURE_HEADER, ""),
            )
            receiver.requests.append(Received(body, dict(self.headers.items()), valid))
            failing = len(receiver.requests) <= receiver.fail_first
            status = 500 if failing else (204 if valid else 401)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/kv"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
