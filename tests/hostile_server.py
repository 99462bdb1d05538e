"""A hostile inference server on 127.0.0.1, for the tests: raw bytes, written to break a client.

Each scenario is a base URL of its own, ``server.url("keepalive")``. The server reads a
request, records it, and answers with whatever the scenario writes on the socket: gzip
bombs, endless lines, keep-alive comments forever, a byte at a time, JSON nested a
hundred thousand deep, its own Unicode line separators, the client's API key quoted back.
Senders that never end stop when the client hangs up (recorded in ``server.hangups``)
or the server closes.
"""

from __future__ import annotations

import gzip
import json
import socketserver
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache

KEY = "sk-hostile-0123456789abcdef"
IMG = "<img src='file:///dev/zero'>"
SEPARATORS = "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e"  # str.splitlines ends lines at each; SSE does not
BOMB_SIZE = 256 * 1024 * 1024  # bytes a bomb inflates to (its gzip is about 250 KiB)


@lru_cache(maxsize=None)
def bomb(byte: bytes) -> bytes:
    """gzip of BOMB_SIZE copies of one byte."""
    block = byte * (16 * 1024 * 1024)
    out = gzip.compress(block, compresslevel=9)
    # gzip members concatenate: the same member 16 times inflates to BOMB_SIZE.
    return out * (BOMB_SIZE // len(block))


def chunk(text: str, index: int = 0, finish: str | None = None, **extra) -> str:
    return json.dumps({"choices": [{"text": text, "index": index, "logprobs": None, "finish_reason": finish}],
                       "object": "text_completion", **extra}, ensure_ascii=False)


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


class _Hangup(Exception):
    pass


class _Handler(socketserver.BaseRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        self.request.settimeout(10)
        try:
            method, path, headers, body = self._read_request()
        except (OSError, ValueError):
            return
        scenario, _, rest = path.lstrip("/").partition("/")
        self.server.requests.append(Request(method, "/" + rest, headers, body))
        writer = getattr(self, "_" + scenario.replace("-", "_"), None)
        try:
            if rest.startswith("v1/models"):
                self._models(scenario)
            elif writer is None:
                self._json(404, {"error": f"no scenario {scenario}"})
            else:
                writer(body if isinstance(body, dict) else {})
        except (_Hangup, OSError):
            self.server.hangups.append(scenario)

    # ----- plumbing ----------------------------------------------------------------------------
    def _read_request(self):
        data = b""
        while b"\r\n\r\n" not in data:
            more = self.request.recv(65536)
            if not more:
                raise ValueError("closed")
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", 0))
        while len(body) < length:
            body += self.request.recv(65536)
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        return method, path, headers, parsed

    def _send(self, data: bytes) -> None:
        if self.server.closing.is_set():
            raise _Hangup
        self.request.sendall(data)

    def _head(self, status: int, content_type: str, **headers: str) -> None:
        lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", "Connection: close"]
        lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
        self._send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def _json(self, status: int, payload, **headers: str) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._head(status, "application/json", Content_Length=str(len(data)), **headers)
        self._send(data)

    def _events(self, events: list[str], done: bool = True, end: bytes = b"\n\n") -> None:
        self._head(200, "text/event-stream")
        for payload in events + (["[DONE]"] if done else []):
            self._send(b"data: " + payload.encode("utf-8") + end)

    def _forever(self, piece: bytes, every: float = 0.0) -> None:
        while True:
            self._send(piece)
            if every:
                time.sleep(every)

    def _models(self, scenario: str) -> None:
        if scenario == "bomb-models":
            return self._json(200, bomb(b" "), Content_Encoding="gzip")
        if scenario == "deep-models":
            return self._json(200, nested(100_000).encode())
        if scenario == "html-model":
            return self._json(200, {"data": [{"id": IMG}]})
        self._json(200, {"data": [{"id": "m"}]})

    # ----- sizes ---------------------------------------------------------------------------------
    def _bomb_error(self, body):
        self._json(500, bomb(b"A"), Content_Encoding="gzip")

    def _bomb_error_twice(self, body):  # gzip inside gzip
        self._json(500, gzip.compress(bomb(b"A")), Content_Encoding="gzip, gzip")

    def _bomb_stream(self, body):  # one endless line
        self._head(200, "text/event-stream", Content_Encoding="gzip")
        self._send(bomb(b"a"))

    def _bomb_newlines(self, body):  # endless empty lines: no event, no end
        self._head(200, "text/event-stream", Content_Encoding="gzip")
        self._send(bomb(b"\n"))

    def _bomb_whole(self, body):  # "not streaming": one JSON answer that never ends
        self._json(200, bomb(b" "), Content_Encoding="gzip")

    def _huge_error(self, body):
        self._head(503, "text/plain")
        self._forever(b"x" * 65536)

    def _endless_line(self, body):
        self._head(200, "text/event-stream")
        self._send(b"data: ")
        self._forever(b"a" * 65536)

    def _endless_event(self, body):  # data lines without the blank line that ends an event
        self._head(200, "text/event-stream")
        self._forever((b"data: " + b"x" * 1000 + b"\n") * 64)

    def _unknown_encoding(self, body):
        self._head(200, "text/event-stream", Content_Encoding="br")
        self._send(b"\x1b\x00\x00")

    def _broken_gzip(self, body):
        self._head(200, "text/event-stream", Content_Encoding="gzip")
        self._send(b"\x1f\x8b\x08\x00garbage, not deflate at all")

    # ----- time ----------------------------------------------------------------------------------
    def _keepalive(self, body):
        self._head(200, "text/event-stream")
        self._forever(b": ping\n\n", every=0.02)

    def _byte_a_second(self, body):  # a comment that never ends, one byte at a time
        self._head(200, "text/event-stream")
        self._send(b":")
        self._forever(b" ", every=0.02)

    def _trickle_head(self, body):  # the headers themselves, one byte at a time
        self._send(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        self._forever(b"a", every=0.02)

    def _empty_chunks(self, body):  # valid events that never carry a token
        self._head(200, "text/event-stream")
        self._forever(f"data: {chunk('')}\n\n".encode(), every=0.01)

    def _some_then_keepalive(self, body):
        self._events([chunk(" one"), chunk(" two")], done=False)
        self._forever(b": ping\n\n", every=0.02)

    def _ignores_max_tokens(self, body):
        self._head(200, "text/event-stream")
        self._forever(f"data: {chunk(' w')}\n\n".encode() * 16, every=0.001)

    def _ignores_max_tokens_n2(self, body):
        self._head(200, "text/event-stream")
        self._forever((f"data: {chunk(' a', 0)}\n\ndata: {chunk(' b', 1)}\n\n").encode() * 8, every=0.001)

    def _huge_tokens(self, body):  # 64 KiB of text a "token", for ever
        self._head(200, "text/event-stream")
        self._forever(f"data: {chunk('y' * 65536)}\n\n".encode(), every=0.001)

    def _many_tokens_in_a_chunk(self, body):  # llama.cpp's shape, 50 tokens in one chunk
        tokens = [{"token": f" t{i}", "logprob": -0.5, "top_logprobs": []} for i in range(50)]
        text = "".join(t["token"] for t in tokens)
        self._events([json.dumps({"choices": [{"text": text, "index": 0, "finish_reason": None,
                                               "logprobs": {"content": tokens}}]})])

    # ----- JSON ----------------------------------------------------------------------------------
    def _deep_event(self, body):
        self._events([chunk(" ok"), nested(100_000)], done=False)

    def _deep_field(self, body):  # a good chunk but for one field nested past Python's stack
        self._events([chunk(" ok"), chunk(" no")[:-1] + ', "x": ' + nested(5_000) + "}"], done=False)

    def _deep_objects(self, body):
        self._events([chunk(" ok"), nested(5_000, '{"a":', "}")[:-5_000] + "1" + "}" * 5_000], done=False)

    def _deep_error(self, body):
        self._json(500, ('{"error":' * 100_000 + '"x"' + "}" * 100_000).encode())

    def _deep_error_parsable(self, body):  # shallow enough for json, deep for a recursive reader
        self._json(500, ('{"error":' * 900 + '"the real reason"' + "}" * 900).encode())

    def _deep_error_mid_stream(self, body):
        self._events([chunk(" ok"), '{"error":' * 900 + '"gpu fell over"' + "}" * 900], done=False)

    # ----- line ends and Unicode -------------------------------------------------------------------
    def _separators(self, body):
        self._events([chunk(f" a{c}b") for c in SEPARATORS] + [chunk("", finish="length")])

    def _cr_only(self, body):
        self._events([chunk(" carriage"), chunk(" return", finish="length")], end=b"\r\r")

    def _crlf_split(self, body):
        self._head(200, "text/event-stream")
        for payload in (chunk(" split"), chunk(" ends", finish="length"), "[DONE]"):
            self._send(b"data: " + payload.encode() + b"\r")
            time.sleep(0.02)
            self._send(b"\n\r")
            time.sleep(0.02)
            self._send(b"\n")

    def _bom(self, body):
        self._head(200, "text/event-stream")
        self._send(b"\xef\xbb\xbfdata: " + chunk(" bom", finish="length").encode() + b"\n\ndata: [DONE]\n\n")

    def _invalid_utf8(self, body):
        self._head(200, "text/event-stream")
        self._send(b'data: {"choices":[{"text":" bad\xff\xfe bytes","index":0,"finish_reason":"length"}]}\n\n'
                   b"data: [DONE]\n\n")

    def _nul(self, body):
        self._events([chunk(" nul\x00here", finish="length")])

    # ----- the API key ---------------------------------------------------------------------------
    def _echo_key_error(self, body):
        key = self._key()
        self._json(400, {"error": {"message": f"bad request from key {key} (Authorization: Bearer {key})"}})

    def _echo_key_partial(self, body):
        self._json(403, {"error": {"message": f"Invalid API key {self._key()[:14]}****"}})

    def _echo_key_mid_stream(self, body):
        self._events([chunk(" ok"), json.dumps({"error": {"message": f"quota gone for {self._key()}"}})],
                     done=False)

    def _echo_key_malformed(self, body):
        self._events([chunk(" ok"), f"{self._key()} is not JSON"], done=False)

    def _echo_key_html(self, body):
        self._head(502, "text/html")
        self._send(f"<html><body><h1>Bad gateway</h1><p>{self._key()}</p></body></html>".encode())

    def _key(self) -> str:
        return self.server.requests[-1].headers.get("authorization", "").removeprefix("Bearer ")

    # ----- markup ----------------------------------------------------------------------------------
    def _html_error(self, body):
        self._json(500, {"error": {"message": f"{IMG} went wrong"}})

    def _html_model(self, body):
        self._events([chunk(" fine", finish="length")])


@dataclass
class Request:
    method: str
    path: str
    headers: dict
    body: object


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Request] = []
        self.hangups: list[str] = []
        self.closing = threading.Event()


VALUE_CASES = {  # odd values in otherwise good chunks, each must give text or one clear sentence
    "nan-prob": '{"choices":[{"text":" a","index":0,"logprobs":{"content":[{"token":" a","prob":NaN,'
                '"top_logprobs":[{"token":" a","logprob":Infinity}]}]}}]}',
    "inf-logprob": '{"choices":[{"text":" a","index":0,"logprobs":{"tokens":[" a"],"token_logprobs":[1e400],'
                   '"top_logprobs":[{" a":-1e400}]}}]}',
    "huge-int-index": '{"choices":[{"text":" a","index":' + "9" * 5000 + "}]}",
    "big-index": '{"choices":[{"text":" a","index":' + "9" * 400 + "}]}",
    "negative-index": '{"choices":[{"text":" a","index":-1}]}',
    "bool-index": '{"choices":[{"text":" a","index":true}]}',
    "float-index": '{"choices":[{"text":" a","index":0.0}]}',
    "text-number": '{"choices":[{"text":5,"index":0}]}',
    "text-object": '{"choices":[{"text":{"a":1},"index":0}]}',
    "choices-string": '{"choices":"x"}',
    "choices-numbers": '{"choices":[1,2,3]}',
    "choices-null": '{"choices":null}',
    "chunk-list": "[1,2]",
    "chunk-string": '"just a string"',
    "chunk-null": "null",
    "logprobs-garbage": '{"choices":[{"text":" a","index":0,"logprobs":{"content":[1,{"token":5}]}}]}',
    "logprobs-mismatch": '{"choices":[{"text":" a","index":0,"logprobs":{"tokens":[" a"," b"],"token_logprobs":[-1]}}]}',
    "usage-strings": '{"choices":[{"text":" a","index":0}],"usage":{"prompt_tokens":"many","completion_tokens":true}}',
    "usage-huge": '{"choices":[{"text":" a","index":0}],"usage":{"prompt_tokens":' + "9" * 300 + "}}",
    "finish-markup": '{"choices":[{"text":" a","index":0,"finish_reason":"' + IMG.replace("'", "\\u0027") + '"}]}',
    "finish-number": '{"choices":[{"text":" a","index":0,"finish_reason":7}]}',
    "truncated": '{"choices":[{"text":" a","ind',
    "trailing-garbage": '{"choices":[]} trailing',
    "lone-surrogate": '{"choices":[{"text":" \\ud800 a","index":0}]}',
    "empty-data": "",
    "error-null": '{"error":null}',
    "error-list": '{"error":[' + ",".join(['{"message":"m"}'] * 1000) + "]}",
}


def _value_writer(payload: str):
    def write(self, body):
        self._events([chunk(" before"), payload])
    return write


for _name, _payload in VALUE_CASES.items():  # /value-NAME
    setattr(_Handler, "_value_" + _name.replace("-", "_"), _value_writer(_payload))


@dataclass
class HostileServer:
    """Start with `with HostileServer() as server:`."""

    _server: _Server | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    def __enter__(self) -> "HostileServer":
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile-server", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, scenario: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{scenario}"

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    @property
    def hangups(self) -> list[str]:
        return self._server.hangups

    def completions(self) -> list[dict]:
        return [r.body for r in self.requests if r.method == "POST"]


def wait_for_hangup(server: HostileServer, scenario: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if scenario in server.hangups:
            return True
        time.sleep(0.02)
    return False

