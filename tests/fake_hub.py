"""A local stand-in for the Hugging Face hub on 127.0.0.1, serving a folder as a model repo.

It speaks the part of the protocol huggingface_hub uses to download: the model
info API (file list with sizes) and HEAD/GET on /<repo>/resolve/<revision>/<file>
with ETag, X-Repo-Commit and Range support. `delay_per_chunk` slows the body down
so tests can watch progress and press Cancel.

It can also be made hostile, as a mirror set with HF_ENDPOINT could be:
`listed` adds names to the file list, and `tamper[name]` changes what is sent
for one file: "commit", "etag" (headers), "body" (bytes sent instead of the
file, still announced with the real size unless "size" is given) and
"redirect" (a URL the file moves to, as the hub redirects to its CDN).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, repos: dict[str, Path], chunk: int = 64 * 1024, delay_per_chunk: float = 0.0,
                 listed: tuple[str, ...] = (), tamper: dict[str, dict] | None = None) -> None:
        self.repos = repos
        self.chunk = chunk
        self.delay_per_chunk = delay_per_chunk
        self.listed = listed
        self.tamper = tamper or {}
        self.requests: list[tuple[str, str]] = []
        self.authorizations: list[tuple[str, str | None]] = []  # (path, Authorization header) of each request
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_HEAD(self):
                hub._serve(self, body=False)

            def do_GET(self):
                hub._serve(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeHub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _files(self, repo: str) -> dict[str, Path]:
        folder = self.repos[repo]
        return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}

    def _serve(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        path = unquote(urlparse(handler.path).path)
        self.requests.append((handler.command, path, handler.headers.get("Range")))
        self.authorizations.append((path, handler.headers.get("Authorization")))
        if path.startswith("/api/models/"):
            repo = next((r for r in self.repos if path[len("/api/models/"):].startswith(r)), None)
            if repo is None:
                return self._send(handler, 404, b'{"error": "Repository not found"}', body)
            siblings = [{"rfilename": name, "size": p.stat().st_size} for name, p in sorted(self._files(repo).items())]
            siblings += [{"rfilename": name, "size": 10} for name in self.listed]
            data = json.dumps({"id": repo, "modelId": repo, "sha": COMMIT, "siblings": siblings}).encode()
            return self._send(handler, 200, data, body, {"Content-Type": "application/json"})
        repo = next((r for r in self.repos if path.startswith(f"/{r}/resolve/")), None)
        if repo is None:
            return self._send(handler, 404, b"not found", body, {"X-Error-Code": "RepoNotFound"})
        name = path[len(f"/{repo}/resolve/"):].split("/", 1)[1]
        files = self._files(repo)
        tamper = self.tamper.get(name, {})
        if name not in files and not tamper:
            return self._send(handler, 404, b"not found", body,
                              {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT})
        data = files[name].read_bytes() if name in files else b"x" * 10
        headers = {"ETag": f'"{tamper.get("etag", hashlib.sha256(data).hexdigest())}"',
                   "X-Repo-Commit": tamper.get("commit", COMMIT), "Accept-Ranges": "bytes"}
        if "redirect" in tamper:  # the real hub sends the size and etag of the target with a redirect
            headers.update({"Location": tamper["redirect"], "X-Linked-Size": str(len(data)),
                            "X-Linked-Etag": headers["ETag"]})
            return self._send(handler, 302, b"", body, headers)
        if "body" in tamper:
            if not body:  # HEAD announces the declared size, GET sends the hostile body
                headers["Content-Length"] = str(tamper.get("size", len(data)))
                return self._send(handler, 200, b"", body, headers)
            data = tamper["body"]
        start = 0
        status = 200
        if body and handler.headers.get("Range", "").startswith("bytes="):
            start = int(handler.headers["Range"][6:].split("-")[0])
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        self._send(handler, status, data[start:], body, headers, slow=True)

    def _send(self, handler, status, data: bytes, body: bool, headers=None, slow=False) -> None:
        handler.send_response(status)
        headers = dict(headers or {})
        length = headers.pop("Content-Length", str(len(data)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", length)
        handler.end_headers()
        if not body:
            return
        try:
            for i in range(0, len(data), self.chunk):
                handler.wfile.write(data[i:i + self.chunk])
                if slow and self.delay_per_chunk:
                    time.sleep(self.delay_per_chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled
