"""The model session: which model and settings the window writes with, loading it, its failures,
the hint towards a Chinese model, and the requests and AI labels made from the settings."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timezone
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from ...engine.backend import is_server_source
from ...engine.local.catalog import CHINESE_MODEL
from ...engine.server.server_address import server_source
from ...engine.text.detokenizer import cjk_share
from ...engine.text.request import ContinuationRequest
from ..settings.first_run import model_failed_banner, show_load_progress
from ..settings.generation_settings import GenerationSettings
from ..settings.settings_dialog import SettingsDialog
from ..settings.user_settings import AppSettings
from ..style.style_picker import style_of
from ..window.editor import Editor
from ..window.message_banner import MessageBanner
from ..window.ui_guard import shows_failure
from ..window.window_status import WindowStatusBar
from .continuation import ContinuationController
from .engine_text import localize
from .worker import ModelInfo, WorkerHost


class ModelSession(QObject):
    model_state_changed = Signal()  # loaded, failed: what the generate actions offer may change
    settings_changed = Signal()  # the generation settings were replaced (the presets show the match)

    def __init__(self, window: QWidget, settings: AppSettings, overrides: dict, host: WorkerHost,
                 controller: ContinuationController, editor: Editor, banner: MessageBanner,
                 status: WindowStatusBar, probabilities_shown: Callable[[], bool]) -> None:
        """overrides: command-line values, for this run only; probabilities_shown(): whether the
        probability view is on (a server is asked for them only then)."""
        super().__init__(window)
        self._window = window
        self.settings = settings
        self.overrides = dict(overrides)
        self.host = host
        self._controller = controller
        self._editor = editor
        self._banner = banner
        self._status = status
        self._probabilities_shown = probabilities_shown
        self.model_info: ModelInfo | None = None
        self.loading_source: str | None = None
        self._chinese_hint_for: str | None = None
        worker = host.worker
        worker.loading.connect(self._on_model_loading)
        worker.loaded.connect(self._on_model_loaded)
        worker.load_failed.connect(self._on_model_failed)
        worker.load_progress.connect(self._on_load_progress)  # a method: queued onto the GUI thread

    def show_error(self, message: str, actions: tuple = ()) -> None:
        """A failure on the way to a dialog (see shows_failure)."""
        self._banner.show_error(message, actions)

    def generation_settings(self) -> GenerationSettings:
        settings = self.settings.generation()
        valid = {f.name for f in dataclasses.fields(GenerationSettings)}
        return dataclasses.replace(settings, **{k: v for k, v in self.overrides.items() if k in valid and v is not None})

    def model_source(self, g: GenerationSettings | None = None) -> str:
        """What the worker loads: a local model, or an inference server when Settings say so."""

        g = g or self.generation_settings()
        if g.use_server and g.server_url:
            return server_source(g.server_url, g.server_model, g.server_timeout)
        return g.model

    def ngram_size(self, g: GenerationSettings) -> int:
        """The no-repeat n-gram size to ask for: none from a server (no server offers it), Settings' or --model's."""
        return 0 if is_server_source(self.model_source(g)) else g.no_repeat_ngram_size

    def start_model(self) -> None:
        g = self.generation_settings()
        self.load_model(self.model_source(g), g.device)

    def load_model(self, source: str, device: str, allow_download: bool = False) -> None:
        """Load in the worker; the hub is contacted only when the user asked for a download."""
        self.loading_source = source
        self.host.load(source, device, allow_download, self.generation_settings().fast_mode)

    def _on_load_progress(self, source: str, done: int, total: int) -> None:
        show_load_progress(self._status, source, done, total)

    def _on_model_loading(self, source: str) -> None:
        self._banner.dismiss_topic("model")  # about the model before this one
        self._status.show_loading(source)

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.model_info = info
        self._controller.model_ready = True
        self._status.show_model(info)
        self._banner.dismiss_topic("model")
        if info.notice:
            self._banner.show_notice(info.notice)
        self.model_state_changed.emit()

    def _on_model_failed(self, source: str, message: str, needs_download: bool) -> None:
        self._status.show_model_failed(self.model_info is not None)
        self.model_state_changed.emit()
        if self.model_info is None:
            self._status.state_label.setText("")

        text, actions = model_failed_banner(self, source, localize(message), needs_download)
        self._banner.show_error(text, actions=actions, topic="model")

    def suggest_chinese_model(self) -> None:
        """Once per model: Chinese text before the cursor, on a model that writes English."""

        info = self.model_info
        if info is None or info.writes_chinese or self._chinese_hint_for == info.source:
            return
        cursor = self._editor.textCursor()
        end = cursor.selectionEnd()
        start = cursor.selectionStart() if cursor.hasSelection() else max(0, end - 2000)
        if cjk_share(self._editor.text_between(start, end)) <= 0.5:
            return
        self._chinese_hint_for = info.source  # once per model: a hint, never a nag
        self._banner.show_notice(
            self.tr("This text is mostly Chinese, but %s writes English. "
                    "A Chinese GPT-2 continues Chinese text far better.") % info.name,
            actions=((self.tr("Use Chinese GPT-2"), lambda: self.use_catalog_model(CHINESE_MODEL)),))

    @shows_failure
    def use_catalog_model(self, repo_id: str) -> None:
        """Switch to a catalog model: at once if downloaded, else (once the user agrees to its size)
        through the model manager."""
        from ...engine.local.catalog import is_downloaded

        if is_downloaded(repo_id):
            self._banner.dismiss()
            self._set_model(repo_id, self.generation_settings().device)
            return
        from ..settings.first_run import confirm_download

        if not confirm_download(self._window, repo_id):
            return
        self._banner.dismiss()
        from ..settings.model_manager import ModelManagerDialog

        dialog = ModelManagerDialog(self.generation_settings().model, self._window, select=repo_id)
        dialog.model_chosen.connect(lambda source: self._set_model(source, self.generation_settings().device))
        dialog.start_download(repo_id)
        dialog.exec()

    @shows_failure
    def choose_gguf_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self._window, self.tr("Choose a GGUF model file"), "",
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self._set_model(path, self.generation_settings().device)

    @shows_failure
    def choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self._window, self.tr("Choose a model folder"))
        if folder:
            self._set_model(folder, self.generation_settings().device)

    def _set_model(self, model: str, device: str) -> None:
        g = dataclasses.replace(self.settings.generation(), model=model, device=device, use_server=False)
        self.settings.save_generation(g)
        self.overrides.pop("model", None)
        self.overrides.pop("device", None)
        self.load_model(model, device)

    @shows_failure
    def open_model_manager(self) -> None:
        from ..settings.model_manager import ModelManagerDialog

        dialog = ModelManagerDialog(self.generation_settings().model, self._window)
        dialog.model_chosen.connect(lambda source: self._set_model(source, self.generation_settings().device))
        dialog.exec()

    @shows_failure
    def open_settings(self) -> None:
        detected = self.model_info.detected if self.model_info else ""
        dialog = SettingsDialog(self.generation_settings(), self._window, detected=detected,
                                language=self.settings.language())
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.settings.set_language(dialog.result_language())  # used from the next start
        new = dialog.result_settings()
        old = self.generation_settings()
        self.settings.save_generation(new)
        self.overrides.clear()
        self.settings_changed.emit()
        if dialog.api_key is not None and new.server_url:
            from ..settings.secrets import store_api_key

            store_api_key(new.server_url.rstrip("/"), dialog.api_key)
        if (self.model_source(new), new.device, new.fast_mode) != (self.model_source(old), old.device, old.fast_mode) \
                or self.model_info is None or dialog.api_key is not None:
            self.load_model(self.model_source(new), new.device, allow_download=True)  # the user chose it just now

    def make_request(self, context: str, regenerations: int) -> ContinuationRequest:
        g = self.generation_settings()
        seed = g.seed
        if regenerations:
            seed = None if seed is None else seed + regenerations  # Regenerate always tries a new seed
        return ContinuationRequest(
            context=context,
            max_new_tokens=g.max_new_tokens,
            temperature=g.temperature,
            top_k=g.top_k,
            top_p=g.top_p,
            repetition_penalty=g.repetition_penalty,
            no_repeat_ngram_size=self.ngram_size(g),
            seed=seed if seed is not None else random.getrandbits(63),
            stop_at=g.length_mode,
            stop_sequences=g.stop_strings,
            alternatives=g.alternatives,
            probabilities=self._probabilities_shown(),  # a server is asked only when shown
        )

    def record_ai_text(self, start: int, end: int) -> None:
        """The label of text the model wrote: which model, which settings, when."""

        g = self.generation_settings()
        settings = {"temperature": g.temperature, "top_k": g.top_k, "top_p": g.top_p,
                    "repetition_penalty": g.repetition_penalty,
                    "no_repeat_ngram_size": self.ngram_size(g), "device": g.device}
        if style_of(self.host.worker.backend):
            settings["style"] = style_of(self.host.worker.backend)  # which style wrote this span
        model = self.model_info.source if self.model_info else g.model
        self._editor.provenance.add(start, end, model, settings,
                                    datetime.now(timezone.utc).isoformat(timespec="seconds"))
