"""A server's HTTP body read within bounds of size and time: decompressed a piece at a time, under a deadline.

httpx would inflate each network read whole (one 64 KiB read of a gzip bomb is 64 MB).
Here the raw bytes are inflated at most PIECE bytes at a time, and the reader stops at
its limit: an error body at ERROR_BODY_LIMIT, a line of the event stream at
EVENT_LIMIT. Only gzip and deflate are asked for and understood. A `Deadline` bounds
the time: httpx's own timeout only bounds the wait for each byte, so keep-alive
comments, or a byte a second, would hold a reader forever.
"""

from __future__ import annotations

import asyncio
import codecs
import inspect
import re
import sys
import time
import zlib
from typing import AsyncIterator, Awaitable, Iterator, TypeVar

import httpx

T = TypeVar("T")

ACCEPT_ENCODING = "gzip, deflate"
PIECE = 64 * 1024  # bytes inflated at a time
ERROR_BODY_LIMIT = 64 * 1024  # bytes of an error answer read, after decompression
EVENT_LIMIT = 1024 * 1024  # characters of one event-stream line (and of one event's data)
WHOLE_LIMIT = 8 * 1024 * 1024  # bytes of an answer that is one JSON document (a model list, an unstreamed completion)

_NEWLINE = re.compile(r"\r\n|\r|\n")  # the event stream's line ends; U+2028 and friends are not


class BodyError(ValueError):
    """The body broke a bound or could not be decoded; str() says which, in a few words."""


class _Inflater:
    """Content-Encoding undone piece by piece (identity, gzip, deflate; in the order applied)."""

    def __init__(self, header: str) -> None:
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise BodyError(f"an unsupported content encoding ({unknown[0][:20]})")
        # wbits 47: a gzip or zlib header, detected; deflate is zlib-wrapped in HTTP.
        self._stages = [zlib.decompressobj(47) for _ in codings]

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield from self._through(0, data)

    def _through(self, stage: int, data: bytes) -> Iterator[bytes]:
        if stage == len(self._stages):
            if data:
                yield data
            return
        index = len(self._stages) - 1 - stage  # the last encoding applied is undone first
        try:
            while data:
                inflater = self._stages[index]
                piece = inflater.decompress(data, PIECE)
                data = inflater.unconsumed_tail
                if inflater.eof and inflater.unused_data:  # gzip members may follow one another
                    data, self._stages[index] = inflater.unused_data + data, zlib.decompressobj(47)
                yield from self._through(stage + 1, piece)
        except zlib.error:
            raise BodyError("a body that does not decompress") from None


async def pieces(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body's bytes, decompressed, at most PIECE bytes each."""
    inflater = _Inflater(response.headers.get("content-encoding", ""))
    async for raw in response.aiter_raw():
        for piece in inflater.feed(raw):
            yield piece
            await asyncio.sleep(0)  # a chance for Stop and the deadline, however much one read inflates to


async def read_at_most(response: httpx.Response, limit: int) -> bytes:
    """Up to `limit` bytes of the decompressed body; the rest is never read (the caller closes the response)."""
    out = bytearray()
    async for piece in pieces(response):
        out += piece[: limit - len(out)]
        if len(out) >= limit:
            break
    return bytes(out)


async def read_whole(response: httpx.Response, limit: int = WHOLE_LIMIT) -> bytes:
    """The decompressed body; BodyError when it is longer than `limit`."""
    body = await read_at_most(response, limit + 1)
    if len(body) > limit:
        raise BodyError(f"an answer longer than {limit // (1024 * 1024)} MiB")
    return body


async def lines(response: httpx.Response, limit: int = EVENT_LIMIT) -> AsyncIterator[str]:
    """The body's lines as the event-stream format defines them: UTF-8, ended by CR LF, LF or CR.

    BodyError for a line longer than `limit` characters.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending = ""
    first, skip_lf = True, False
    async for piece in pieces(response):
        text = decoder.decode(piece)
        if not text:
            continue
        if first:
            text, first = text.removeprefix("\ufeff"), False
        if skip_lf and text.startswith("\n"):
            text = text[1:]  # the LF of a CR LF split between two pieces
        skip_lf = text.endswith("\r")
        parts = _NEWLINE.split(pending + text)
        pending = parts.pop()
        for line in parts:
            yield line
        if len(pending) > limit:
            raise BodyError(f"an event line longer than {limit // 1024} KiB")
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


class Deadline:
    """A time limit that progress renews: `wait` raises TimeoutError once `seconds` pass without a `renew`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.renew()

    def renew(self) -> None:
        self.at = time.monotonic() + self.seconds

    async def wait(self, awaitable: Awaitable[T]) -> T:
        """The awaitable's result, cancelled and TimeoutError if the deadline passes first."""
        left = self.at - time.monotonic()
        if left <= 0:  # checked here too: data already buffered would complete without ever waiting
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise TimeoutError
        if sys.version_info >= (3, 11):  # asyncio.timeout: in this task, so a Stop's cancel is never lost
            async with asyncio.timeout(left):
                return await awaitable
        try:  # wait_for runs it in a task of its own; its result can win over a cancel (see finish_task)
            return await asyncio.wait_for(awaitable, left)
        except asyncio.TimeoutError:  # not yet the built-in TimeoutError before Python 3.11
            raise TimeoutError from None
