"""`aigc-desktop continue`, run as a real subprocess: streamed text on stdout, one-line errors on stderr."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.local.generator import Generator


def run_cli(*args: str, stdin: str | None = None, cwd=None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aigc_desktop", "continue", *args],
        input=stdin if stdin is not None else "",
        capture_output=True, text=True, encoding="utf-8", timeout=120, cwd=cwd,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
    )


def engine_greedy(lm, text: str, max_new_tokens: int, no_repeat_ngram_size: int = 0) -> str:
    run = Generator(lm).stream(ContinuationRequest(text, max_new_tokens=max_new_tokens, temperature=0,
                                                   no_repeat_ngram_size=no_repeat_ngram_size))
    return "".join(event.text for event in run)


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith("aigc-desktop")
    for fragment in fragments:
        assert fragment in line, line
    return line


def test_help_exits_zero():
    result = run_cli("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: aigc-desktop continue")
    for option in ("--model", "--temperature", "--max-new-tokens", "--top-p", "--stop", "--stop-at", "TEXT"):
        assert option in result.stdout
    assert result.stderr == ""


def test_greedy_continuation_streams_the_engines_text(tiny_chinese, tiny_chinese_dir, tmp_path):
    prompt = "今天天气真好，我想去公园散步。"
    expected = engine_greedy(tiny_chinese, prompt, 20)
    assert expected  # an empty continuation would make the comparison trivial
    result = run_cli("--model", str(tiny_chinese_dir), "--device", "cpu", "--temperature", "0",
                     "--no-repeat-ngram-size", "0", "--max-new-tokens", "20", prompt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bars or library chatter
    assert result.stdout == expected + "\n"  # plain greedy: this tiny model repeats itself


def test_text_from_stdin(tiny_gpt2, tiny_gpt2_dir, tmp_path):
    text = "今天天气真好，\nOnce upon a time 🚀"
    from aigc_desktop.engine.text.options import SUGGESTED_NO_REPEAT_NGRAM as DEFAULT_NO_REPEAT_NGRAM

    expected = engine_greedy(tiny_gpt2, text, 12, DEFAULT_NO_REPEAT_NGRAM)  # the CLI's default
    result = run_cli("--model", str(tiny_gpt2_dir), "--temperature", "0", "--max-new-tokens", "12", "-",
                     stdin=text, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected + "\n"
    assert result.stdout.endswith("\n")


def test_missing_model_folder(tmp_path):
    missing = tmp_path / "no-such-model"
    result = run_cli("--model", str(missing), "Hello", cwd=tmp_path)
    assert result.returncode == 1
    assert assert_one_line_error(result) == f"aigc-desktop: error: Model folder not found: {missing}"


def test_hub_id_offline_and_not_downloaded(tmp_path):
    result = run_cli("--model", "aigc-desktop-tests/never-downloaded", "Hello", cwd=tmp_path,
                     HF_HOME=str(tmp_path / "hf-home"))
    assert result.returncode == 1
    assert_one_line_error(result, "'aigc-desktop-tests/never-downloaded' is not downloaded",
                          "cannot be reached", "--model PATH", ".gguf")


def test_too_many_new_tokens_for_the_window(tiny_gpt2_dir, tmp_path):
    result = run_cli("--model", str(tiny_gpt2_dir), "--max-new-tokens", "500", "Hello", cwd=tmp_path)
    assert result.returncode == 1
    assert_one_line_error(result, "context window (128 tokens)")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--temperature", "abc", "Hello"], ["--temperature", "'abc' is not a number"]),
        (["--temperature", "nan", "Hello"], ["--temperature", "not a finite number"]),
        (["--max-new-tokens", "0", "Hello"], ["--max-new-tokens", "'0' must be 1 or more"]),
        (["--max-new-tokens", "many", "Hello"], ["--max-new-tokens", "not a whole number"]),
        (["--top-p", "2", "Hello"], ["top-p must be greater than 0 and at most 1."]),
        (["--temperature", "11", "Hello"], ["temperature must be between 0 and 10"]),
        (["--stop", "", "Hello"], ["stop sequences must not be empty"]),
        (["--stop-at", "chapter", "Hello"], ["--stop-at", "invalid choice"]),
        ([""], ["There is no text to continue"]),
        (["   "], ["There is no text to continue"]),
        (["-"], ["There is no text to continue"]),  # stdin is empty
        ([], ["TEXT"]),  # no text at all
    ],
)
def test_bad_arguments_give_one_line(args, fragments, tmp_path):
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert_one_line_error(result, *fragments)



def test_defaults_are_the_default_preset(monkeypatch):
    """`continue` without options samples like the editor's Balanced preset, repetition control included."""
    from aigc_desktop import cli
    from aigc_desktop.ui.settings.presets import BUILT_IN, SAMPLING_FIELDS
    from aigc_desktop.ui.settings.generation_settings import GenerationSettings

    seen = []
    monkeypatch.setattr(cli, "_stream_to_stdout", lambda start, stop, errors: seen.append(start) or 0)
    requests = []
    from aigc_desktop.engine.text import request as request_module

    original = request_module.ContinuationRequest.validate
    monkeypatch.setattr(request_module.ContinuationRequest, "validate",
                        lambda self: requests.append(self) or original(self))
    assert cli.main(["continue", "--model", "whatever", "Hello"]) == 0
    balanced = next(p for p in BUILT_IN if p.name == "Balanced")
    assert balanced.matches(GenerationSettings())  # the editor's defaults are Balanced
    for field in SAMPLING_FIELDS:
        assert getattr(requests[0], field) == getattr(balanced, field), field
    assert balanced.no_repeat_ngram_size > 0 and requests[0].no_repeat_ngram_size == balanced.no_repeat_ngram_size
