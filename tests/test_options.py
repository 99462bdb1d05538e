"""Generation options as data (engine/text/options.py): the request, the CLI, the stored settings and the
Settings dialog all take each default and range from there."""

from __future__ import annotations

import dataclasses

import pytest

from aigc_desktop.cli import continue_parser
from aigc_desktop.engine.text import options
from aigc_desktop.engine.text.options import (
    ALTERNATIVES,
    DEFAULT_MODEL,
    DEVICE_CHOICES,
    LENGTH_MODES,
    MAX_NEW_TOKENS,
    NO_REPEAT_NGRAM_SIZE,
    REPETITION_PENALTY,
    SERVER_TIMEOUT,
    SUGGESTED_NO_REPEAT_NGRAM,
    TEMPERATURE,
    TOP_K,
    TOP_P,
    NumberOption,
)
from aigc_desktop.engine.text.request import ContinuationRequest
from aigc_desktop.ui.settings.generation_settings import GenerationSettings

SAMPLING = {"max_new_tokens": MAX_NEW_TOKENS, "temperature": TEMPERATURE, "top_k": TOP_K, "top_p": TOP_P,
            "repetition_penalty": REPETITION_PENALTY, "no_repeat_ngram_size": NO_REPEAT_NGRAM_SIZE}


def all_options() -> dict[str, NumberOption]:
    return {name: value for name, value in vars(options).items() if isinstance(value, NumberOption)}


def test_what_the_editor_offers_a_request_may_hold():
    for name, option in all_options().items():
        low, high = option.offered
        assert option.allows(low) and option.allows(high) and option.allows(option.default), name
        assert low <= option.default <= high, name


@pytest.mark.parametrize("field", list(SAMPLING))
def test_request_settings_and_cli_share_each_default(field):
    option = SAMPLING[field]
    assert getattr(ContinuationRequest("x"), field) == option.default
    # The editor and `continue` never repeat 4-grams; a bare request repeats what it likes.
    editor_default = SUGGESTED_NO_REPEAT_NGRAM if field == "no_repeat_ngram_size" else option.default
    assert getattr(GenerationSettings(), field) == editor_default
    cli_default = getattr(continue_parser().parse_args(["text"]), field)
    # --max-new-tokens, --temperature and --no-repeat-ngram-size are None when not given (the
    # next test: the request then gets the option's default, the suggested n-gram size locally)
    assert cli_default in (None, editor_default)


def test_the_cli_continues_with_the_option_defaults(monkeypatch):
    """`continue --server` without options asks for the options' defaults (no n-gram rule: a server
    cannot apply it)."""
    import aigc_desktop.cli as cli

    seen = {}

    def no_model(args, request):
        seen["request"] = request
        return 0

    monkeypatch.setattr(cli, "_continue_on_server", no_model)
    assert cli.run_continue(["--server", "http://127.0.0.1:9", "Hello"]) == 0
    request = seen["request"]
    assert [getattr(request, f) for f in SAMPLING] == [o.default for o in SAMPLING.values()]


@pytest.mark.parametrize("field", [*SAMPLING, "alternatives"])
def test_a_request_holds_exactly_the_options_range(field):
    option = SAMPLING.get(field, ALTERNATIVES)
    base = ContinuationRequest("x")
    if option.high is not None:
        dataclasses.replace(base, **{field: option.high}).validate()
        with pytest.raises(ValueError):
            dataclasses.replace(base, **{field: option.high + 1}).validate()
    if option.low_open:
        with pytest.raises(ValueError):
            dataclasses.replace(base, **{field: option.low}).validate()
    else:
        dataclasses.replace(base, **{field: option.low}).validate()
        with pytest.raises(ValueError):
            dataclasses.replace(base, **{field: option.low - 1}).validate()


def test_settings_store_only_what_the_editor_offers(app_settings):
    qs = app_settings._qs
    for field, option in SAMPLING.items():
        low, high = option.offered
        qs.setValue(f"generation/{field}", high)
        assert getattr(app_settings.generation(), field) == high
        qs.setValue(f"generation/{field}", high * 2 + 1)  # beyond the offer: garbage, so the default
        assert getattr(app_settings.generation(), field) == getattr(GenerationSettings(), field)
    qs.setValue("generation/server_timeout", SERVER_TIMEOUT.offered[1] + 1)
    assert app_settings.generation().server_timeout == SERVER_TIMEOUT.default


def test_one_vocabulary_for_the_length_modes(app_settings):
    assert GenerationSettings().length_mode == ContinuationRequest("x").stop_at == LENGTH_MODES[0]
    assert continue_parser().parse_args(["text"]).stop_at == LENGTH_MODES[0]
    for mode in LENGTH_MODES:
        app_settings.save_generation(dataclasses.replace(GenerationSettings(), length_mode=mode))
        assert app_settings.generation().length_mode == mode
        ContinuationRequest("x", stop_at=mode).validate()
    app_settings._qs.setValue("generation/length_mode", "tokens")  # what settings said before
    assert app_settings.generation().length_mode == "length"


def test_the_dialog_offers_the_options_ranges_and_devices(qtbot):
    from aigc_desktop.ui.settings.settings_dialog import SettingsDialog

    dialog = SettingsDialog(GenerationSettings())
    qtbot.addWidget(dialog)
    spins = {"max_new_tokens": dialog.max_new_tokens_spin, "temperature": dialog.temperature_spin,
             "top_k": dialog.top_k_spin, "top_p": dialog.top_p_spin,
             "repetition_penalty": dialog.repetition_penalty_spin, "no_repeat_ngram_size": dialog.no_repeat_ngram_spin}
    for field, spin in spins.items():
        assert (spin.minimum(), spin.maximum()) == SAMPLING[field].offered, field
    assert (dialog.alternatives_spin.minimum(), dialog.alternatives_spin.maximum()) == ALTERNATIVES.offered
    assert (dialog.server_timeout_spin.minimum(), dialog.server_timeout_spin.maximum()) == SERVER_TIMEOUT.offered
    modes = [dialog.length_combo.itemData(i) for i in range(dialog.length_combo.count())]
    assert modes == list(LENGTH_MODES)
    assert dialog.result_settings().length_mode == "length"
    devices = [dialog.device_combo.itemData(i) for i in range(dialog.device_combo.count())]
    assert devices[: len(DEVICE_CHOICES)] == list(DEVICE_CHOICES)


def test_one_default_model():
    from aigc_desktop.engine.local.loading import load_model

    assert GenerationSettings().model == DEFAULT_MODEL
    assert load_model.__defaults__[0] == DEFAULT_MODEL
