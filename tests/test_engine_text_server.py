"""A server's, a request's and a style's messages, raised for real, are shown in Chinese (and as they are in English).

The server's failures come from the local stand-ins (tests/sse_server.py, tests/hostile_server.py)
through the real RemoteBackend; request validation, the style store and the corpus reader are
called with bad values. In the zh_CN interface each message must contain Chinese and no English
sentence: what is left in Latin letters is a parameter (an address, a model id, the HTTP status
line, the server's own words in quotes).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from hostile_server import KEY as HOSTILE_KEY
from hostile_server import HostileServer
from sse_server import SSEServer
from test_engine_text import KEPT, assert_shapes_translated, message_shapes
from test_translations import CJK, untranslated, zh_CN  # noqa: F401

from aigc_desktop.engine import ContinuationRequest, StopFlag
from aigc_desktop.engine.errors import EngineError
from aigc_desktop.engine.server.remote import RemoteBackend
from aigc_desktop.engine.server.remote_errors import RemoteError
from aigc_desktop.engine.server.server_address import plain_http_warning
from aigc_desktop.engine.style.corpus import Corpus, Document, read_corpus
from aigc_desktop.engine.style.errors import StyleError
from aigc_desktop.engine.style.store import StyleStore, check_name
from aigc_desktop.engine.text.context import encode_tail
from aigc_desktop.engine.style.learning_process import lost_process_message
from aigc_desktop.ui.suggestion.engine_text import localize

# Left as they are in Chinese text: HTTP status lines, protocol and field names, the stand-ins' words.
HTTP_PHRASES = ("Unauthorized", "Forbidden", "Not Found", "Too Many Requests", "Internal Server Error",
                "Service Unavailable", "Bad Request")
SERVER_KEPT = (*KEPT, *HTTP_PHRASES, "http://", "https://", "HTTP", "TLS", "DNS", "API", "OpenAI", "KiB", "MiB",
               "/v1/completions", "LoRA", "NaN", "Llama", "SmolLM2", "int8", "fp32", "n-gram", "Top-k", "Top-p",
               "stop_at", ".txt", ".md", "UTF-8")


def remote_failure(url: str, api_key: str | None = None, model: str | None = "m", timeout: float = 5.0,
                   **fields) -> str:
    backend = RemoteBackend(url, model=model, api_key=api_key, timeout=timeout)
    with pytest.raises(RemoteError) as caught:
        for _ in backend.stream(ContinuationRequest("Once upon a time", **fields), StopFlag()):
            pass
    return str(caught.value)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_messages() -> list[str]:
    """The sentences a user meets when a server fails, from real HTTP answers and connections."""
    out = []
    with SSEServer() as server:
        out.append(remote_failure(server.url("auth")))  # 401, no key given
        out.append(remote_failure(server.url("auth"), api_key="sk-wrong"))  # 401, the key refused
        out.append(remote_failure(server.url("forbidden"), api_key="sk-test-123"))
        out.append(remote_failure(server.url("models"), model="gpt9"))  # 404: no such model, two offered
        for scenario in ("busy", "broken", "unavailable", "html-404", "cut", "malformed", "mid-error"):
            out.append(remote_failure(server.url(scenario)))
        out.append(remote_failure(server.url("hang"), timeout=0.5))
    with HostileServer() as hostile:
        for scenario in ("unknown-encoding", "broken-gzip", "endless-event"):
            out.append(remote_failure(hostile.url(scenario), api_key=HOSTILE_KEY, timeout=2.0))
    out.append(remote_failure(f"http://127.0.0.1:{unused_port()}"))  # connection refused
    for bad in (lambda: RemoteBackend("ftp://example.com"), lambda: RemoteBackend("http://localhost:99999"),
                lambda: RemoteBackend("http://localhost", api_key_env="AIGC_TEST_NO_SUCH_VARIABLE"),
                lambda: RemoteBackend("http://localhost", timeout=0)):
        with pytest.raises(EngineError) as caught:
            bad()
        out.append(str(caught.value))
    with pytest.raises(ValueError) as caught:
        RemoteBackend("http://localhost").stream(ContinuationRequest("x", no_repeat_ngram_size=3))
    out.append(str(caught.value))
    out.append(plain_http_warning("http://example.com") or "")
    out.append(RemoteBackend("http://127.0.0.1:8080").device_label)
    return out


def request_messages() -> list[str]:
    bad = [{"context": " "}, {"max_new_tokens": 0}, {"temperature": float("nan")}, {"top_k": -1}, {"top_p": 0.0},
           {"repetition_penalty": 0.0}, {"no_repeat_ngram_size": -1}, {"seed": -5}, {"stop_at": "chapter"},
           {"alternatives": 99}, {"stop_sequences": ("",)}]
    out = []
    for fields in bad:
        with pytest.raises(ValueError) as caught:
            ContinuationRequest(**{"context": "Once", **fields}).validate()
        out.append(str(caught.value))
    with pytest.raises(ValueError) as caught:
        encode_tail(None, "Once upon a time", 0)
    out.append(str(caught.value))
    return out


def style_messages(tmp_path: Path) -> list[str]:
    """The style store's, the corpus reader's and training's refusals."""
    import torch

    from aigc_desktop.engine.style.training import lora_targets

    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "latin1.txt").write_bytes("café".encode("cp1252"))
    (tmp_path / "fake.style").write_bytes(b"not a zip")
    store = StyleStore(tmp_path / "styles")
    calls = [lambda: check_name(""), lambda: check_name("x" * 500), lambda: check_name(".hidden"),
             lambda: store.get("Hemingway"), lambda: store.rename("Hemingway", "Woolf"),
             lambda: store.export("Hemingway", tmp_path / "out.style"),
             lambda: store.import_file(tmp_path / "fake.style"),
             lambda: Corpus((Document.from_text("a.txt", "Only a few words here."),)).check_enough(),
             lambda: read_corpus([tmp_path / "missing.txt"]), lambda: read_corpus([tmp_path / "empty"]),
             lambda: read_corpus([tmp_path / "notes.pdf"]), lambda: read_corpus([tmp_path / "latin1.txt"]),
             lambda: lora_targets(torch.nn.Linear(2, 2))]
    out = []
    for call in calls:
        with pytest.raises(StyleError) as caught:
            call()
        out.append(str(caught.value))
    return out


def assert_chinese(messages: list[str], kept: tuple[str, ...]) -> None:
    for message in messages:
        shown = localize(message)
        assert CJK.search(shown), message
        assert not untranslated([("message", shown)], kept), f"{message!r} is shown as {shown!r}"


@pytest.fixture(scope="module")
def real_server_messages() -> list[str]:
    return server_messages()


def test_server_failures_are_in_chinese(zh_CN, real_server_messages):  # noqa: F811
    messages = real_server_messages
    assert len(set(messages)) == len(messages) == 23, messages
    # What the stand-ins say themselves is quoted as they said it; addresses and model ids stay.
    quoted = tuple(q for m in messages for q in re.findall(r'"([^"]*)"', m))
    addresses = tuple(re.findall(r"https?://[\w.:\[\]/-]+", " ".join(messages)))
    offered = ("gpt2-medium", "gpt2", "gpt9", "example.com", "127.0.0.1:8080", "AIGC_TEST_NO_SUCH_VARIABLE",
               "localhost:99999", "ftp://example.com", "br", "'m'")
    assert_chinese(messages, (*sorted(quoted + addresses, key=len, reverse=True), *offered, *SERVER_KEPT))


def test_the_appended_sentences_are_translated_too(zh_CN, real_server_messages):  # noqa: F811
    said = next(m for m in real_server_messages if "(429" in m)
    assert ' The server said: "' in said and "Retry" not in localize(said)
    shown = localize(said)
    assert shown.startswith("服务器 ") and "请在 17 秒后重试" in shown and "服务器的说明：“" in shown, shown
    offers = next(m for m in real_server_messages if "It offers:" in m)
    assert "它提供的模型：gpt2, gpt2-medium。" in localize(offers), localize(offers)


def test_request_style_and_context_refusals_are_in_chinese(zh_CN, tmp_path):  # noqa: F811
    messages = request_messages() + style_messages(tmp_path)
    assert len(messages) == 25 and len(set(messages)) == 23, messages  # get, rename and export: no such style
    # The OS's own reason (a zip library's words) is quoted after a Chinese sentence.
    reasons = tuple(m.rsplit(": ", 1)[1].rstrip(".") for m in messages if "not an exported style:" in m)
    assert_chinese(messages, (*reasons, str(tmp_path), "Hemingway", "Woolf", "fake.style", "notes.pdf", "latin1.txt",
                              "missing.txt", "empty", "Linear", "chapter", "length, sentence, paragraph",
                              *SERVER_KEPT))


def test_the_english_interface_shows_them_unchanged(real_server_messages, tmp_path):
    for message in real_server_messages + request_messages() + style_messages(tmp_path):
        assert localize(message) == message


def test_space_joined_notices_are_translated_one_by_one(zh_CN):  # noqa: F811
    """A load's notices are joined by a space (engine/local/loading.py, ui/style/style_picker.py)."""
    joined = ("Not enough GPU memory for this model: it runs on the CPU instead. The style 'Woolf' does not fit "
              "the layers of gpt2. Fast mode could not start (no onnxruntime): the model runs in exact fp32.")
    assert localize(joined) == ("GPU 内存不足以运行此模型：已改在 CPU 上运行。风格“Woolf”与 gpt2 的层结构不匹配。"
                                "快速模式无法启动（no onnxruntime）：模型改以精确 fp32 运行。")
    assert localize("An unknown sentence. Another one.") == "An unknown sentence. Another one."


# ----- every sentence shape raised in these modules has its translation ---------------------

SHAPE_MODULES = ("engine/server/remote.py", "engine/text/request.py", "engine/text/context.py",
                 "engine/local/generator.py", "engine/style/apply.py", "engine/style/corpus.py",
                 "engine/style/learn.py", "engine/style/store.py", "engine/style/training.py",
                 "engine/server/http_body.py", "engine/server/openai_wire.py")
RAISED = {"EngineError", "GenerationError", "StyleError", "ValueError", "BodyError", "RemoteError"}


def test_every_sentence_raised_in_these_modules_is_translated(zh_CN):  # noqa: F811
    """A new English sentence here without its translation fails (remote_errors.py is covered by the real errors)."""
    shapes = message_shapes(SHAPE_MODULES, RAISED)
    assert len(shapes) > 50  # the AST walk really found them
    assert_shapes_translated(shapes, SERVER_KEPT)


def test_a_lost_learning_process_is_said_in_chinese(zh_CN):  # noqa: F811
    shown = localize(lost_process_message(-9))
    assert CJK.search(shown) and "-9" in shown
    assert not untranslated([("message", shown)], ("-9",)), shown
    assert localize("Could not start learning: No space left on device.") == "无法开始学习：设备上没有剩余空间。"
