"""CLI input from outside: invalid UTF-8 on stdin and temperatures so small that sampling overflows."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.text.sampling import choose_next


def run_cli(*args: str, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aigc_desktop", "continue", *args], input=stdin,
                          capture_output=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})


def continuation(lm, text, temperature, alternatives=1):
    run = Generator(lm).stream(ContinuationRequest(text, max_new_tokens=12, temperature=temperature,
                                                   alternatives=alternatives, seed=1))
    return "".join(event.text for event in run)


@pytest.mark.parametrize("temperature", [1e-40, 5e-324, 1e-5])
def test_tiny_temperature_is_greedy(tiny_gpt2, temperature, hostile_tally):
    hostile_tally["cases tried"] += 1
    assert ContinuationRequest("x", temperature=temperature).greedy
    for n in (1, 3):
        assert continuation(tiny_gpt2, "Once upon a time", temperature, n) == \
            continuation(tiny_gpt2, "Once upon a time", 0, n)


def test_overflowed_scores_take_the_most_likely_token():
    inf = float("inf")
    scores = torch.tensor([[1.0, inf, -inf], [0.0, 5.0, -1.0], [inf, -inf, -inf]])
    picks = choose_next(scores, greedy=False, rng=torch.Generator().manual_seed(0))
    assert picks.shape == (3, 1)
    assert picks[0, 0] == 1 and picks[2, 0] == 0 and picks[1, 0] in (0, 1, 2)


def test_invalid_utf8_on_stdin_is_replaced_and_said_once(tiny_gpt2_dir, hostile_tally):
    hostile_tally["cases tried"] += 1
    result = run_cli("--model", str(tiny_gpt2_dir), "--temperature", "1e-40", "--max-new-tokens", "5", "-",
                     stdin=b"Once upon \xff\xfe a time \xc3")
    if result.returncode < 0:
        hostile_tally["crashes"] += 1
    if b"Traceback" in result.stderr:
        hostile_tally["tracebacks"] += 1
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(b"\n")  # the run completed (a tiny random model may write nothing)
    assert result.stderr.count(b"\n") == 1 and b"not valid UTF-8" in result.stderr
