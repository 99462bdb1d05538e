"""ContinuationRequest.validate: every bad value is refused with a message a user can act on."""

from __future__ import annotations

import pytest

from aigc_desktop.engine import ContinuationRequest


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"context": ""}, "There is no text to continue: the context is empty."),
        ({"context": " \n\t "}, "There is no text to continue: the context is empty."),
        ({"max_new_tokens": 0}, "max new tokens must be between 1 and 4096."),
        ({"max_new_tokens": -5}, "max new tokens must be between 1 and 4096."),
        ({"max_new_tokens": 4097}, "max new tokens must be between 1 and 4096."),
        ({"temperature": -0.1}, "temperature must be between 0 and 10 (0 means greedy)."),
        ({"temperature": 10.5}, "temperature must be between 0 and 10 (0 means greedy)."),
        ({"temperature": float("nan")}, "temperature must be between 0 and 10 (0 means greedy)."),
        ({"top_k": -1}, "top-k must be 0 (off) or a positive number."),
        ({"top_p": 0}, "top-p must be greater than 0 and at most 1."),
        ({"top_p": 1.5}, "top-p must be greater than 0 and at most 1."),
        ({"top_p": float("nan")}, "top-p must be greater than 0 and at most 1."),
        ({"repetition_penalty": 0}, "repetition penalty must be greater than 0 (1 means off)."),
        ({"repetition_penalty": -1.2}, "repetition penalty must be greater than 0 (1 means off)."),
        ({"repetition_penalty": float("nan")}, "repetition penalty must be greater than 0 (1 means off)."),
        ({"no_repeat_ngram_size": -1}, "no-repeat n-gram size must be 0 (off) or positive."),
        ({"seed": -1}, "seed must be a non-negative integer."),
        ({"seed": 2**63}, "seed must be a non-negative integer."),
        ({"stop_at": "chapter"}, "stop_at must be one of length, sentence, paragraph."),
        ({"stop_sequences": ("\n", "")}, "stop sequences must not be empty strings."),
    ],
)
def test_bad_values_are_refused_with_a_precise_message(changes, message):
    request = ContinuationRequest(**{"context": "Once upon a time", **changes})
    with pytest.raises(ValueError) as info:
        request.validate()
    assert str(info.value) == message


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"temperature": 0},
        {"temperature": 10, "top_k": 0, "top_p": 1.0},
        {"max_new_tokens": 1},
        {"max_new_tokens": 4096},
        {"seed": 0},
        {"seed": 2**63 - 1},
        {"repetition_penalty": 0.5, "no_repeat_ngram_size": 3},
        {"stop_sequences": ("\n", "。"), "stop_at": "sentence"},
        {"stop_at": "paragraph"},
    ],
)
def test_good_values_pass(changes):
    ContinuationRequest(**{"context": "今天天气真好", **changes}).validate()


def test_temperature_zero_means_greedy():
    assert ContinuationRequest("x", temperature=0).greedy
    assert ContinuationRequest("x", temperature=0.0).greedy
    assert not ContinuationRequest("x", temperature=0.01).greedy
