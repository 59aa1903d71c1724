"""A local endpoint that misbehaves as an AWS endpoint does when something between is broken: it never answers
(a blackholed VPC endpoint, a proxy that swallows requests), resets every connection, answers HTTP 500 to
everything, or answers slowly (forwarding to the emulator after a delay). Point one service at it with botocore's
per-service endpoint variable (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER)."""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("hang", "reset", "500", "slow")
ENDPOINT_VARIABLES = {"lambda": "AWS_ENDPOINT_URL_LAMBDA",
                      "cognito-idp": "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
                      "apigateway": "AWS_ENDPOINT_URL_API_GATEWAY",
                      "cloudwatch": "AWS_ENDPOINT_URL_CLOUDWATCH"}


class FaultServer:
    def __init__(self, fault: str, upstream: str | None = None, delay: float = 8.0) -> None:
        assert fault in FAULTS, fault
        self.fault, self.upstream, self.delay = fault, upstream, delay
        self.requests = 0
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def _any(self) -> None:
                server.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if server.fault == "hang":
                    server._closing.wait()
                    self.close_connection = True
                elif server.fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                elif server.fault == "500":
                    payload = b'{"__type": "InternalFailure", "message": "An internal error occurred."}'
                    self.send_response(500)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                else:
                    time.sleep(server.delay)
                    self._forward(body)

            def _forward(self, body: bytes) -> None:
                target = urllib.parse.urlsplit(str(server.upstream))
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {key: value for key, value in self.headers.items() if key.lower() != "host"}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                payload = answer.read()
                self.send_response(answer.status)
                for key, value in answer.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
