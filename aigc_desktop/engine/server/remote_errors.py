"""What went wrong with an inference server, as one sentence a user can act on; and the notices of a run that worked.

`ServerErrors` knows the facts of one server (its address, timeout, whether an API key
was given) and turns an HTTP status, a transport failure or a broken stream into a
RemoteError whose str() is the sentence to show. Text the server wrote is quoted on
one line, shortened.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import socket
import ssl
import time
from http import HTTPStatus

import httpx

from ..errors import GenerationError

# Notices a run can carry (RemoteRun.notices), by kind; ui/suggestion/worker.py has the same in the editor's languages.
NOTICES = {
    "ignores-n": "The server at {server} sent {sent} of the {asked} candidates asked for: it ignores the "
                 "Candidates setting (the n field). Set Candidates to 1 for this server.",
    "lossy-logprobs": "The server at {server} loses characters that span several tokens when it sends token "
                      "probabilities, so the probability view is off for it.",
}

MESSAGE_LIMIT = 300  # characters of a server's error message quoted to the user

# Request fields by the names the editor's settings give them, for error messages.
_SETTING_NAMES = {
    "prompt": "the text to continue",
    "max_tokens": "max new tokens",
    "temperature": "temperature",
    "top_p": "top-p",
    "top_k": "top-k",
    "seed": "seed",
    "stop": "stop sequences",
    "n": "alternatives",
    "repetition_penalty": "repetition penalty",
    "repeat_penalty": "repetition penalty",
    "model": "model",
    "logprobs": "token probabilities",
    "stream_options": "usage reporting",
}

# Servers that refuse a setting without naming the field the usual way.
_PHRASES = (
    (re.compile(r"completion choice|\bbest_of\b|\bn must\b|number of (?:choices|completions|sequences)", re.I), "n"),
    (re.compile(r"\bmaximum context length\b|\bcontext length\b|too many tokens|\bprompt is too long\b", re.I),
     "max_tokens"),
)


def english_notice(kind: str, facts: dict) -> str:
    return NOTICES[kind].format(**facts)


class RemoteError(GenerationError):
    """A server run that failed; str() is the sentence to show.

    status: the HTTP status, if the server answered; retry_after: seconds to wait (429);
    param: the request field the server refused (400/422); models: what the server offers (404).
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 param: str | None = None, models: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.param = param
        self.models = models


class RemoteStreamCut(RemoteError):
    """The stream ended part-way (connection lost, or no end marker). run.text keeps what came."""

    def __init__(self, message: str, partial_text: str) -> None:
        super().__init__(message)
        self.partial_text = partial_text


class ServerErrors:
    """The sentences for one server's failures."""

    def __init__(self, where: str, host: str, port: int, timeout: float, api_key: str | None) -> None:
        self.where = where  # the display URL: never a user:password part
        self.host = host
        self.port = port
        self.timeout = timeout
        self.has_api_key = api_key is not None
        self.__api_key = api_key  # only to take it out of the server's words; never shown

    def __repr__(self) -> str:
        return f"ServerErrors({self.where!r})"

    def quote(self, text: str, limit: int) -> str:
        """Server text on one line, at most limit characters, with the user's own API key taken out."""
        key = self.__api_key
        text = str(text).replace(key, "[API key]") if key else str(text)
        return redact(quote(text, limit), key)  # parts of it too, in the short text

    def transport(self, exc: BaseException) -> RemoteError:
        where, host = self.where, self.host
        chain = _chain(exc)
        text = " ".join(str(e) for e in chain)
        if isinstance(exc, httpx.ConnectTimeout):
            return RemoteError(f"Could not connect to the server at {where} within {self.timeout:g} s. "
                               "Check the address and that the server is running.")
        ssl_error = next((e for e in chain if isinstance(e, ssl.SSLError)), None)
        if ssl_error is not None or "SSL" in text or "CERTIFICATE" in text.upper():
            reason = getattr(ssl_error, "reason", None) or (str(ssl_error) if ssl_error else str(exc))
            message = f"The secure (TLS) connection to the server at {where} failed: {self.quote(reason, 120)}."
            if isinstance(ssl_error, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY" in text.upper():
                message += " This computer does not trust the server's certificate."
            elif re.search(r"WRONG_VERSION_NUMBER|record layer|packet length|http request", text, re.I):
                message += " The server seems to speak plain HTTP: try http:// instead of https://."
            return RemoteError(message)
        if any(isinstance(e, socket.gaierror) for e in chain) or re.search(
                r"Name or service not known|nodename nor servname|getaddrinfo failed|"
                r"Temporary failure in name resolution|No address associated", text):
            return RemoteError(f"Could not find the server '{host}': its name does not resolve (DNS lookup failed). "
                               "Check the address and your network connection.")
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text.lower():
            return RemoteError(f"Could not connect to the server at {where}: the connection was refused. "
                               f"Is the server running and listening on port {self.port}?")
        if isinstance(exc, httpx.TimeoutException):
            return RemoteError(f"The server at {where} did not answer within {self.timeout:g} s.")
        detail = self.quote(str(chain[-1]) or type(chain[-1]).__name__, 160)
        if isinstance(exc, httpx.ConnectError):
            return RemoteError(f"Could not connect to the server at {where}: {detail}.")
        return RemoteError(f"The connection to the server at {where} failed: {detail}.")

    def status(self, status: int, headers, raw: bytes, body: dict, model: str | None,
               models: list[str] | None = None) -> RemoteError:
        """The error for an HTTP status; raw is the error body, body the request that was refused."""
        where = self.where
        message, param = server_error(raw)
        message = self.quote(message, MESSAGE_LIMIT)
        said = f' The server said: "{message}".' if message else ""
        phrase = f"{status} {reason_phrase(status)}"
        if status == 401:
            why = ("the API key was not accepted; check it" if self.has_api_key
                   else "it needs an API key, and none was given")
            return RemoteError(f"The server at {where} refused the request ({phrase}): {why}.", status=status)
        if status == 403:
            model_phrase = f"the model '{model}'" if model else "its model"
            return RemoteError(f"The server at {where} refused access ({phrase}): the API key is wrong, missing "
                               f"or not allowed to use {model_phrase}.{said}", status=status)
        if status == 404:
            models = models or []
            model_said = bool(re.search(r"\bmodel\b", message, re.I))
            if model and (model_said or (models and model not in models)):
                return RemoteError(self.no_such_model(model, models), status=status, models=tuple(models))
            if model_said:
                offer = f" It offers: {', '.join(models[:20])}." if models else ""
                return RemoteError(f"The server at {where} could not find the model ({phrase}).{said}{offer}",
                                   status=status, models=tuple(models))
            return RemoteError(f"The server at {where} has no completions endpoint ({phrase} at /v1/completions). "
                               "Check that the address is the server's base URL and that it speaks the "
                               "OpenAI-compatible API.", status=status, models=tuple(models))
        if status == 429:
            wait = retry_after(headers.get("retry-after"))
            when = f"try again in {duration(wait)}" if wait is not None else "try again in a little while"
            return RemoteError(f"The server at {where} is busy ({phrase}): {when}.{said}",
                               status=status, retry_after=wait)
        if status in (400, 413, 422):
            param = param if param in body else param_named(message, body)
            if param is not None:
                setting = _SETTING_NAMES.get(param, param)
                value = body.get(param)
                shown = f" = {quote(json.dumps(value, ensure_ascii=False), 40)}" if param != "prompt" else ""
                return RemoteError(f"The server at {where} rejected the setting {setting} ({param}{shown}).{said}",
                                   status=status, param=param)
            return RemoteError(f"The server at {where} rejected the request ({phrase}).{said}", status=status)
        if status == 503:
            wait = retry_after(headers.get("retry-after"))
            return RemoteError(f"The server at {where} is unavailable ({phrase}); it may still be loading the "
                               f"model, try again shortly.{said}", status=status, retry_after=wait)
        if status >= 500:
            return RemoteError(f"The server at {where} failed ({phrase}).{said}", status=status)
        return RemoteError(f"The server at {where} answered {phrase}.{said}", status=status)

    def no_such_model(self, model: str | None, models: list[str]) -> str:
        offer = (f" It offers: {', '.join(models[:20])}{' …' if len(models) > 20 else ''}." if models
                 else " It did not list the models it offers.")
        return f"The server at {self.where} has no model '{model}'.{offer}"

    def malformed(self, data: str) -> RemoteError:
        return RemoteError(f'The server at {self.where} sent a malformed event: "{self.quote(data, 80)}".')

    def failed_mid_stream(self, chunk: dict) -> RemoteError:
        """vLLM and others report a failure mid-stream as an event with an "error"."""
        detail = self.quote(error_text(chunk), MESSAGE_LIMIT)
        return RemoteError(sentence(f"The server failed while generating: {detail}"))

    def no_answer(self) -> RemoteError:
        return RemoteError(f"The server at {self.where} did not answer within {self.timeout:g} s.")

    def malformed_body(self, why: str) -> RemoteError:
        return RemoteError(f"The server at {self.where} sent a malformed response: {why}.")

    def read_failure(self, exc: Exception) -> str:
        """Why a stream broke off, for `cut`."""
        if isinstance(exc, TimeoutError):  # the deadline for progress (see remote._Deadline)
            return f"no new text came for {self.timeout:g} s"
        if isinstance(exc, httpx.ReadTimeout):
            return f"nothing came for {self.timeout:g} s"
        if isinstance(exc, httpx.RemoteProtocolError):
            return "the server closed the connection"
        return f"the connection failed: {self.quote(str(exc) or type(exc).__name__, 100)}"

    @staticmethod
    def cut(why: str, text: str) -> RemoteStreamCut:
        kept = f"; the {len(text)} characters received so far were kept" if text else ""
        return RemoteStreamCut(f"The server's stream was cut off part-way ({why}){kept}.", text)


def server_error(raw: bytes) -> tuple[str, str | None]:
    """The message (one line, shortened) and the refused field from an error body in any server's shape."""
    text = raw.decode("utf-8", "replace").strip() if raw else ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if data is None:
        if text.lstrip().startswith("<"):  # an HTML error page: its words are not worth quoting
            text = re.sub(r"<[^>]+>", " ", text)
        return quote(text, MESSAGE_LIMIT), None
    param = None
    for candidate in (data, data.get("error") if isinstance(data, dict) else None):
        if isinstance(candidate, dict) and isinstance(candidate.get("param"), str):
            param = candidate["param"]
    return quote(error_text(data), MESSAGE_LIMIT), param


def error_text(data, depth: int = 0) -> str:
    """The message in an error in any server's shape: {"error": {"message": ...}}, a list of them, a string."""
    for _ in range(10_000):  # a loop, not recursion: nesting never exhausts the stack
        key = next((k for k in ("error", "message", "detail", "msg") if isinstance(data, dict)
                    and data.get(k) not in (None, "", {})), None)
        if key is None:
            break
        data = data[key]
    if isinstance(data, list) and depth < 3:
        return "; ".join(error_text(item, depth + 1) for item in data[:3])
    if isinstance(data, (dict, list)):
        try:
            return json.dumps(data, ensure_ascii=False)[:MESSAGE_LIMIT * 2]
        except (ValueError, RecursionError):
            return "…"
    return str(data)[:MESSAGE_LIMIT * 2]


def param_named(message: str, body: dict) -> str | None:
    """The request field a server's error message names, if any."""
    for name in sorted(body, key=len, reverse=True):
        if name in ("stream",):
            continue
        quoted = re.search(rf"[`'\"]{re.escape(name)}[`'\"]", message)
        if quoted or (len(name) > 4 and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", message)):
            return name
    for pattern, name in _PHRASES:
        if name in body and pattern.search(message):
            return name
    return None


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def duration(seconds: float) -> str:
    seconds = math.ceil(seconds)
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def quote(text: str, limit: int) -> str:
    """One line, at most limit characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact(text: str, secret: str | None) -> str:
    """text without the secret, nor any stretch of 8 or more of its characters (a server may echo part of it)."""
    if not secret:
        return text
    text = text.replace(secret, "[API key]")
    shortest = min(8, len(secret))
    for length in range(len(secret) - 1, shortest - 1, -1):
        for start in range(len(secret) - length + 1):
            part = secret[start:start + length]
            if part in text:
                text = text.replace(part, "[API key]")
    return text


def _chain(exc: BaseException | None) -> list[BaseException]:
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain
