"""Model manager, device fallbacks, fast CPU mode and the Chinese-model hint, with real parts."""

from __future__ import annotations

import time

import pytest
import torch
from fake_backend import FakeBackend, fake_loader
from fake_hub import FakeHub
from PySide6.QtGui import QTextCursor

from aigc_desktop.engine import ContinuationRequest
from aigc_desktop.engine.local.catalog import CATALOG, is_downloaded
from aigc_desktop.engine.errors import GenerationError
from aigc_desktop.engine.local.generator import Generator
from aigc_desktop.engine.local.loading import load_model
from aigc_desktop.ui.settings.model_manager import ModelManagerDialog
from aigc_desktop.ui.suggestion.worker import engine_loader

GPT2 = CATALOG[0].repo_id


def make_dialog(qtbot, current=GPT2):
    dialog = ModelManagerDialog(current)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_manager_downloads_with_progress_then_uses_model(qtbot, hub_env, tiny_gpt2_dir):
    with FakeHub({GPT2: tiny_gpt2_dir}, chunk=32 * 1024, delay_per_chunk=0.005) as hub:
        hub_env(hub)
        dialog = make_dialog(qtbot)
        assert dialog.selected().repo_id == GPT2
        assert dialog.table.item(0, 4).text().startswith("Not downloaded")
        assert dialog.table.item(0, 2).text() == "550.0 MB"
        labels = []
        dialog._worker.progress.connect(lambda p: labels.append(dialog.progress_label.text()))
        dialog.download_button.click()
        assert dialog.cancel_button.isVisible()
        qtbot.waitUntil(lambda: dialog.table.item(0, 4).text().startswith("Downloaded"), timeout=20000)
    assert any(" of " in label and "/s" in label and "left" in label for label in labels)
    assert not dialog.progress.isVisible()
    chosen = []
    dialog.model_chosen.connect(chosen.append)
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()
    assert chosen == [GPT2]
    assert load_model(GPT2, "cpu", allow_download=False).window == 128


def test_manager_cancel_keeps_partial_download(qtbot, hub_env, tiny_gpt2_dir):
    with FakeHub({GPT2: tiny_gpt2_dir}, chunk=8 * 1024, delay_per_chunk=0.02) as hub:
        hub_env(hub)
        dialog = make_dialog(qtbot)
        dialog.download_button.click()
        qtbot.waitUntil(lambda: dialog.progress.value() > 0 and dialog.progress.maximum() == 1000, timeout=20000)
        started = time.monotonic()
        dialog.cancel_button.click()
        qtbot.waitUntil(lambda: "cancelled" in dialog.message.text(), timeout=5000)
        assert time.monotonic() - started < 3
    assert not is_downloaded(GPT2)
    assert dialog.download_button.isEnabled()


def test_manager_offline_says_so_within_seconds(qtbot, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    dialog = make_dialog(qtbot)
    started = time.monotonic()
    dialog.download_button.click()
    qtbot.waitUntil(lambda: "cannot be reached" in dialog.message.text(), timeout=5000)
    assert time.monotonic() - started < 5
    assert "local model folder" in dialog.message.text()


def test_manager_checks_a_picked_folder_or_gguf_file(qtbot, tmp_path, tiny_gpt2_dir):
    dialog = make_dialog(qtbot)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not dialog.use_path(str(empty))
    assert "no config.json" in dialog.message.text()
    (empty / "config.json").write_text("{}")
    (empty / "pytorch_model.bin").write_bytes(b"x")
    assert not dialog.use_path(str(empty))
    assert "safetensors" in dialog.message.text()
    fake_gguf = tmp_path / "model.gguf"
    fake_gguf.write_bytes(b"PK\x03\x04 not a gguf")
    assert not dialog.use_path(str(fake_gguf))
    assert "not a GGUF file" in dialog.message.text()
    chosen = []
    dialog.model_chosen.connect(chosen.append)
    assert dialog.use_path(str(tiny_gpt2_dir))
    assert chosen == [str(tiny_gpt2_dir)]


def _put(window, text):
    window.editor.load_text(text)
    window.editor.moveCursor(QTextCursor.MoveOperation.End)


def test_chinese_text_on_english_model_suggests_chinese_model(qtbot, make_window, tiny_gpt2_dir):
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu", max_new_tokens=5)
    assert not window.session.model_info.writes_chinese
    _put(window, "今天天气真好，我想去公园散步。")
    window.continue_text()
    assert "mostly Chinese" in window.banner.text()
    assert "Use Chinese GPT-2" in [b.text() for b in window.banner._buttons]
    qtbot.waitUntil(lambda: window.controller.state != "streaming", timeout=20000)
    assert window.session.model_info.source == str(tiny_gpt2_dir)  # never switched silently
    window.banner.dismiss()
    window.controller.reject()
    window.continue_text()
    assert not window.banner.isVisible()  # a hint once, not a nag


def test_chinese_model_gets_no_hint_and_english_text_gets_none(qtbot, make_window, tiny_chinese_dir, tiny_gpt2_dir):
    window = make_window(engine_loader, model=str(tiny_chinese_dir), device="cpu", max_new_tokens=5)
    assert window.session.model_info.writes_chinese
    _put(window, "今天天气真好，我想去公园散步。")
    window.continue_text()
    assert not window.banner.isVisible()
    english = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu", max_new_tokens=5)
    _put(english, "The weather is lovely today.")
    english.continue_text()
    assert not english.banner.isVisible()


class _GpuLikeBackend(FakeBackend):
    """Looks like a model on a GPU that runs out of memory once."""

    class _Loaded:
        class device:
            type = "cuda"

    loaded = _Loaded()

    def __init__(self):
        super().__init__(pieces=[" fine"])
        self.fell_back = False

    def stream(self, request, stop):
        if not self.fell_back:
            raise GenerationError("Out of memory while generating.", out_of_memory=True)
        return super().stream(request, stop)

    def fall_back_to_cpu(self):
        self.fell_back = True


def test_gpu_out_of_memory_falls_back_to_cpu_with_message(qtbot, make_window):
    backend = _GpuLikeBackend()
    window = make_window(fake_loader(backend))
    _put(window, "Go")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: "now runs on the CPU" in window.banner.text(), timeout=5000)
    assert backend.fell_back
    assert window.editor.user_text() == "Go"
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == "pending", timeout=5000)
    assert window.editor.toPlainText() == "Go fine"


def test_engine_reports_out_of_memory_and_falls_back(tiny_gpt2_dir, monkeypatch):
    loaded = load_model(str(tiny_gpt2_dir), "cpu")
    generator = Generator(loaded)

    def explode(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(loaded.model, "forward", explode)
    with pytest.raises(GenerationError) as caught:
        list(generator.stream(ContinuationRequest("Hello", max_new_tokens=3, temperature=0)))
    assert caught.value.out_of_memory and "Out of memory" in str(caught.value)
    monkeypatch.undo()
    generator.fall_back_to_cpu()
    assert loaded.device.type == "cpu" and next(loaded.model.parameters()).dtype == torch.float32
    run = generator.stream(ContinuationRequest("Hello", max_new_tokens=3, temperature=0))
    list(run)
    assert len(run.new_token_ids) >= 1


def test_loading_on_gpu_without_memory_runs_on_cpu_with_notice(tiny_gpt2_dir, monkeypatch):
    from aigc_desktop.engine.local import devices

    monkeypatch.setattr(devices, "resolve_device", lambda name: torch.device("cuda"))
    monkeypatch.setattr(devices, "dtype_for", lambda device: torch.float32)
    original_to = torch.nn.Module.to

    def to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if isinstance(target, torch.device) and target.type == "cuda" or target == "cuda":
            raise torch.OutOfMemoryError("CUDA out of memory")
        return original_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "to", to)
    loaded = load_model(str(tiny_gpt2_dir), "cuda")
    assert loaded.device.type == "cpu"
    assert "runs on the CPU instead" in loaded.notice


def test_fast_mode_loads_the_int8_runtime_and_streams(tiny_gpt2_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("AIGC_DESKTOP_CACHE", str(tmp_path))
    loaded = load_model(str(tiny_gpt2_dir), "cpu", int8=True)
    assert loaded.int8 and loaded.device_label == "CPU fast int8"
    assert list((tmp_path / "fast").glob("*/step.onnx"))  # built once, opened from disk next time
    run = Generator(loaded).stream(ContinuationRequest("Once upon a time", max_new_tokens=8, temperature=0))
    list(run)
    assert len(run.new_token_ids) >= 1
    again = load_model(str(tiny_gpt2_dir), "cpu", int8=True)
    rerun = Generator(again).stream(ContinuationRequest("Once upon a time", max_new_tokens=8, temperature=0))
    list(rerun)
    assert rerun.new_token_ids == run.new_token_ids


def test_the_editors_exact_mode_decodes_on_the_fp32_graph_with_generates_tokens(tiny_gpt2_dir):
    from aigc_desktop.ui.suggestion.worker import engine_loader

    backend = engine_loader(str(tiny_gpt2_dir), "cpu", False, False)
    loaded = backend.loaded
    assert loaded.fast is not None and not loaded.int8 and backend.device_label == "CPU exact fp32"
    run = backend.stream(ContinuationRequest("Once upon a time", max_new_tokens=10, temperature=0))
    list(run)
    ids = loaded.tokenizer.encode("Once upon a time")
    with torch.inference_mode():
        out = loaded.model.generate(torch.tensor([ids]), do_sample=False, max_new_tokens=10, min_new_tokens=10,
                                    attention_mask=torch.ones(1, len(ids), dtype=torch.long))
    reference = out[0, len(ids):].tolist()
    eos = [i for i, t in enumerate(reference) if t in loaded.eos_ids]
    assert run.new_token_ids == (reference[: eos[0] + 1] if eos else reference)
    plain = engine_loader(str(tiny_gpt2_dir), "cpu", False, None)  # transformers only: a caller changes weights first
    assert plain.loaded.fast is None and plain.device_label == "CPU"


def test_settings_offer_each_gpu_when_several_are_detected(qtbot, app_settings):
    import dataclasses

    from aigc_desktop.ui.settings.generation_settings import GenerationSettings
    from aigc_desktop.ui.settings.settings_dialog import SettingsDialog

    detected = "CPU (16 cores); cuda:0 NVIDIA H200 (139.1 GB free); cuda:1 NVIDIA H200 (80.0 GB free)"
    dialog = SettingsDialog(GenerationSettings(), detected=detected)
    qtbot.addWidget(dialog)
    assert "cuda:1 NVIDIA H200" in dialog.detected_label.text()
    index = dialog.device_combo.findData("cuda:1")
    assert index >= 0 and "80.0 GB free" in dialog.device_combo.itemText(index)
    dialog.device_combo.setCurrentIndex(index)
    chosen = dialog.result_settings()
    assert chosen.device == "cuda:1"
    app_settings.save_generation(dataclasses.replace(chosen, fast_mode=True))
    assert app_settings.generation().device == "cuda:1" and app_settings.generation().fast_mode
    single = SettingsDialog(GenerationSettings(), detected="CPU (2 cores)")
    qtbot.addWidget(single)
    assert single.device_combo.count() == 4
