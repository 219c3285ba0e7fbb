"""Small real servers for cases the emulator is not about: recording requests for the
differential tests, and raw-socket misbehaviour."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OK_BODY = {"job_id": "7c3ec20c-11de-4df9-acc0-7ef1dea25dfe", "connector_id": "55b78880-9077-4c74-ad5a-6868555f76a4"}


class Recorder:
    """Records every request; answers from a queue of (status, headers, body), else 200 OK_BODY.

    `headers` is a dict added to the defaults (Content-Type, X-Request-Id; a None value leaves
    one out), or a list of (name, value) pairs sent exactly as given, repeated names included."""

    def __init__(self):
        self.requests = []
        self.responses = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body}
                )
                status, headers, payload = recorder.responses.pop(0) if recorder.responses else (200, {}, OK_BODY)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                if isinstance(headers, dict):
                    headers = {
                        "Content-Type": "application/json",
                        "X-Request-Id": "req-%d" % len(recorder.requests),
                        **headers,
                    }.items()
                for k, v in headers:
                    if v is not None:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def reply(self, status, payload, headers=None):
        self.responses.append((status, headers or {}, payload))


class RawServer:
    """Accepts connections and hands each socket to `behave(conn)`: for resets, trickles, garbage."""

    def __init__(self, behave):
        self._behave = behave
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.endpoint = "http://127.0.0.1:%d" % self._sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        with conn:
            try:
                self._behave(conn)
            except OSError:
                pass

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._sock.close()


def read_request(conn):
    """Reads one HTTP request (headers and Content-Length body) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        rest += conn.recv(65536)
    return head + b"\r\n\r\n" + rest


def closed_port():
    """A loopback port with nothing listening."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class GatedServer(RawServer):
    """Answers each request with 200 OK_BODY once `release` is set (at once if `gated` is
    False), after `barrier` (if any) has seen that many requests waiting together. Counts the
    requests it read and sets `received` on the first."""

    def __init__(self, gated=True, barrier=None):
        super().__init__(self._answer)
        self.requests = []
        self.received = threading.Event()
        self.release = threading.Event()
        self.closed_by_client = threading.Event()
        self.barrier = barrier
        if not gated:
            self.release.set()

    def _answer(self, conn):
        while True:
            request = read_request(conn)
            if not request:
                self.closed_by_client.set()
                return
            self.requests.append(request)
            self.received.set()
            if self.barrier is not None:
                self.barrier.wait(timeout=30)
            while not self.release.wait(0.05):
                if _peer_closed(conn):
                    self.closed_by_client.set()
                    return
            data = json.dumps(OK_BODY).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data)
            )

    def __exit__(self, *exc):
        self.release.set()
        super().__exit__(*exc)


def _peer_closed(conn):
    """Whether the client has closed its end (a read would return EOF), without blocking."""
    conn.setblocking(False)
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    finally:
        conn.setblocking(True)


def credential(ak, sk, token, expires_at):
    """A credential as the metadata service, IAM and STS answer it (`expires_at` a datetime in UTC)."""
    return {
        "access": ak,
        "secret": sk,
        "securitytoken": token,
        "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


class Metadata:
    """A fake of the ECS metadata service: `PUT /meta-data/latest/api/token` issues a session
    token (`token_status` other than 200 refuses), `GET /openstack/latest/securitykey` answers
    with the agency's keys, the next of `keys` each time (the last one repeats; a number
    instead of keys is a status to fail with), or 401 with the missing-agency message when
    `keys` is empty. Session tokens are `token_format % n`. A security key request with a token other
    than the one issued gets 401. With `hold` (an Event) cleared, a security key request after
    the first `answered_before_hold` waits for it, and sets `held` when it arrives. Records
    every request as (method, path, headers)."""

    AGENCY_ERROR = '{"error": "Please configure Cloud Service Agency first"}'
    TOKEN_PATH = "/meta-data/latest/api/token"
    KEY_PATH = "/openstack/latest/securitykey"
    token_format = "session-token-%d"

    def __init__(self, keys=(), token_status=200):
        self.keys = list(keys)
        self.token_status = token_status
        self.token = None
        self.tokens_issued = 0
        self.requests = []
        self.answered = 0
        self.hold = threading.Event()
        self.hold.set()
        self.held = threading.Event()
        self.answered_before_hold = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, status, text):
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                fake.requests.append(("PUT", self.path, dict(self.headers.items())))
                if self.path != fake.TOKEN_PATH or fake.token_status != 200:
                    return self._reply(fake.token_status if self.path == fake.TOKEN_PATH else 404, "no token")
                fake.tokens_issued += 1
                fake.token = fake.token_format % fake.tokens_issued
                self._reply(200, fake.token)

            def do_GET(self):
                fake.requests.append(("GET", self.path, dict(self.headers.items())))
                if self.path != fake.KEY_PATH:
                    return self._reply(404, "not found")
                if not fake.keys:
                    return self._reply(401, fake.AGENCY_ERROR)
                if fake.token is not None and self.headers.get("X-Metadata-Token") != fake.token:
                    return self._reply(401, "invalid metadata token")
                if fake.answered >= fake.answered_before_hold and not fake.hold.is_set():
                    fake.held.set()
                    fake.hold.wait(30)
                body = fake.keys[min(fake.answered, len(fake.keys) - 1)]
                fake.answered += 1
                if isinstance(body, int):
                    return self._reply(body, '{"error": "the refresh failed"}')
                self._reply(200, json.dumps({"credential": body}))

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def key_requests(self):
        return [r for r in self.requests if r[1] == self.KEY_PATH]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.hold.set()
        self._server.shutdown()
        self._server.server_close()
