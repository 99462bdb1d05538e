"""The main window: menus, toolbar, status bar and file handling around the editor."""

from __future__ import annotations

import dataclasses
import os
import random
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..engine.request import ContinuationRequest
from .auto_suggest import AutoSuggest
from .continuation import IDLE, PENDING, STREAMING, ContinuationController
from .document_guard import DocumentSafety
from .document_io import DocumentError, TextFormat, read_document, write_text_file_atomic
from .editor import Editor
from .find_bar import FindBar
from .message_banner import MessageBanner
from .settings import LINE_SPACINGS, AppSettings, GenerationSettings
from .settings_dialog import SettingsDialog
from .style_picker import StyleControls, style_of, styled_loader
from .text_stats import count_in_slices, count_words_and_chars
from .worker import ModelInfo, RunSummary, WorkerHost, engine_loader

APP_NAME = "aigc-desktop"
TEXT_FILTER = QT_TRANSLATE_NOOP("MainWindow", "Text and Markdown (*.txt *.md *.markdown *.text);;All files (*)")


class MainWindow(DocumentSafety, QMainWindow):
    shown = Signal()  # first time the window is on screen (start-up timing, tests)
    _counted = Signal(int, int)  # words, characters, from the background count

    def __init__(self, settings: AppSettings | None = None, overrides: dict | None = None,
                 loader=engine_loader, parent=None, recovery=None) -> None:
        """recovery: a RecoveryStore (default: the user's data folder, or $AIGC_DESKTOP_DATA_DIR)."""
        super().__init__(parent)
        self.settings = settings or AppSettings()
        self._overrides = dict(overrides or {})  # command-line values: this run only
        self.path: str | None = None
        self.model_info: ModelInfo | None = None
        self._loading_source: str | None = None
        self._closing = False
        self._shown_once = False
        self._chinese_hint_for: str | None = None
        self._counting = None  # the background word count's thread, for long documents
        self._count_again = False

        self.editor = Editor(self)
        font = QFont(self.editor.font())
        if self.settings.font_family():
            font.setFamily(self.settings.font_family())
        font.setPointSize(self.settings.font_point_size())
        self.editor.setFont(font)
        self.editor.set_line_spacing(self.settings.line_spacing())
        self.banner = MessageBanner(self)
        self.find_bar = FindBar(self.editor, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)

        self.host = WorkerHost(styled_loader(loader, lambda: self.style_controls.current), self)
        self.controller = ContinuationController(self.editor, self.host, self._make_request, self)
        self.auto_suggest = AutoSuggest(self.editor, self.controller, self.generation_settings, self)
        self._create_actions()
        self._create_menus_and_toolbar()
        self._create_status_bar()
        self._init_document_safety(recovery)  # encodings, disk changes, crash recovery

        worker = self.host.worker
        worker.loading.connect(self._on_model_loading)
        worker.loaded.connect(self._on_model_loaded)
        worker.load_failed.connect(self._on_model_failed)
        worker.notice.connect(self.show_notice)
        self.controller.state_changed.connect(self._on_state_changed)
        self.controller.run_finished.connect(self._on_run_finished)
        self.controller.error.connect(self.show_error)
        self.controller.candidates_changed.connect(self._on_candidates_changed)
        self.editor.alternatives_requested.connect(self.show_token_alternatives)
        self.editor.text_accepted.connect(self._record_ai_text)
        self._counted.connect(self._on_counted)
        self.editor.modification_changed.connect(self._update_title)
        self.editor.history_changed.connect(self._update_edit_actions)
        self.editor.user_text_changed.connect(self._count_timer_start)
        self.editor.copyAvailable.connect(self._update_edit_actions)

        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(960, 680)
        self._on_state_changed(IDLE)
        self._on_candidates_changed(0, 0)
        self._refresh_presets()
        for theme, action in self.theme_actions.items():
            action.setChecked(theme == self.settings.theme())
        for spacing, action in self.line_spacing_actions.items():
            action.setChecked(spacing == self.editor.line_spacing())
        self._update_title()
        self._update_edit_actions()
        self._update_counts()

    # ----- construction ----------------------------------------------------
    def _action(self, text, slot, shortcut=None, tip=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        mnemonic = text.find("(&")
        if mnemonic >= 0:  # a translation's "新建(&N)": toolbar buttons and tooltips show just "新建"
            plain = (text[:mnemonic] + text[mnemonic + 4:]).split("\t")[0].replace("…", "").strip()
            action.setIconText(plain)
            action.setToolTip(plain)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.new_action = self._action(self.tr("&New"), self.new_document, K.New)
        self.open_action = self._action(self.tr("&Open…"), self.open_dialog, K.Open)
        self.save_action = self._action(self.tr("&Save"), self.save, K.Save)
        self.save_as_action = self._action(self.tr("Save &As…"), self.save_as, K.SaveAs)
        self.quit_action = self._action(self.tr("&Quit"), self.close, K.Quit)
        self.undo_action = self._action(self.tr("&Undo"), self.editor.undo, K.Undo)
        self.redo_action = self._action(self.tr("&Redo"), self.editor.redo, K.Redo)
        self.cut_action = self._action(self.tr("Cu&t"), self.editor.cut, K.Cut)
        self.copy_action = self._action(self.tr("&Copy"), self.editor.copy, K.Copy)
        self.paste_action = self._action(self.tr("&Paste"), self.editor.paste, K.Paste)
        self.select_all_action = self._action(self.tr("Select &All"), self.editor.selectAll, K.SelectAll)
        self.find_action = self._action(self.tr("&Find…"), self.find_bar.show_and_focus, K.Find)
        self.find_next_action = self._action(self.tr("Find &Next"), self.find_bar.find_next, K.FindNext)
        self.find_previous_action = self._action(self.tr("Find Pre&vious"), self.find_bar.find_previous, K.FindPrevious)
        self.zoom_in_action = self._action(self.tr("Zoom &In"), lambda: self.zoom(+1), [K.ZoomIn, "Ctrl+="])
        self.zoom_out_action = self._action(self.tr("Zoom &Out"), lambda: self.zoom(-1), K.ZoomOut)
        self.zoom_reset_action = self._action(self.tr("&Reset Zoom"), lambda: self.zoom(0), "Ctrl+0")
        self.continue_action = self._action(
            self.tr("&Continue"), self.continue_text, ["Ctrl+Return", "Ctrl+Enter"],
            self.tr("Continue the selected text, or the text before the cursor (Ctrl+Enter)"))
        self.stop_action = self._action(self.tr("&Stop"), self.controller.stop, None,
                                        self.tr("Stop generating (Esc stops and rejects)"))
        # Tab / Enter / Esc are handled by the editor only while a suggestion is pending,
        # so they are shown in the menu but not bound as window shortcuts.
        self.accept_action = self._action(self.tr("&Accept") + "\tTab", self.controller.accept, None,
                                          self.tr("Keep the suggestion (Tab or Enter)"))
        self.reject_action = self._action(self.tr("&Reject") + "\tEsc", self.controller.reject, None,
                                          self.tr("Remove the suggestion (Esc)"))
        self.regenerate_action = self._action(self.tr("Re&generate"), self.controller.regenerate, "Ctrl+R",
                                              self.tr("Reject the suggestion and write another (Ctrl+R)"))
        self.next_candidate_action = self._action(self.tr("&Next Candidate"), lambda: self.controller.cycle(1),
                                                  "Alt+]", self.tr("Show the next candidate (Alt+])"))
        self.previous_candidate_action = self._action(self.tr("&Previous Candidate"),
                                                      lambda: self.controller.cycle(-1), "Alt+[",
                                                      self.tr("Show the previous candidate (Alt+[)"))
        self.probability_view_action = self._action(
            self.tr("Show &Probabilities"), self._toggle_probability_view, "Ctrl+Shift+P",
            self.tr("Colour generated text by how likely the model found it; hover for alternatives"))
        self.probability_view_action.setCheckable(True)
        self.provenance_view_action = self._action(
            self.tr("Show &AI-Written Text"), self._toggle_provenance_view, "Ctrl+Shift+I",
            self.tr("Highlight the text the model wrote"))
        self.provenance_view_action.setCheckable(True)
        self.export_action = self._action(self.tr("&Export with AI Label…"), self.export_with_label, None,
                                          self.tr("Write a copy that says which text is AI-generated"))
        self.all_candidates_action = self._action(self.tr("All C&andidates…"), self.show_candidates_popup,
                                                  "Ctrl+Alt+Space", self.tr("See every candidate side by side"))
        self.save_preset_action = self._action(self.tr("&Save Current Settings as Preset…"), self.save_preset)
        self.rename_preset_action = self._action(self.tr("&Rename Preset…"), self.rename_preset)
        self.delete_preset_action = self._action(self.tr("&Delete Preset"), self.delete_preset)
        self.settings_action = self._action(self.tr("&Settings…"), self.open_settings, K.Preferences)
        self.models_action = self._action(self.tr("&Models…"), self.open_model_manager, None,
                                          self.tr("Choose, download or add a model"))
        self.about_action = self._action(self.tr("&About aigc-desktop"), self.show_about)
        self.shortcuts_action = self._action(self.tr("&Keyboard Shortcuts"), self.show_shortcuts)
        self.font_action = self._action(self.tr("&Font…"), self.choose_font)
        self.full_screen_action = self._action(self.tr("&Distraction-Free Mode"), self.toggle_full_screen,
                                               K.FullScreen, self.tr("Only your text, full screen (F11 or Esc to leave)"))
        self.full_screen_action.setCheckable(True)
        self.theme_actions = {}
        for name, label in (("system", self.tr("Follow the System")), ("light", self.tr("Light")),
                            ("dark", self.tr("Dark"))):
            action = self._action(label, lambda _=False, n=name: self.set_theme(n))
            action.setCheckable(True)
            self.theme_actions[name] = action
        self.line_spacing_actions = {}
        spacing_group = QActionGroup(self)  # exclusive: one spacing at a time
        for spacing in LINE_SPACINGS:
            label = f"{spacing:.2f}" if round(spacing, 1) != spacing else f"{spacing:.1f}"  # 1.0 1.15 1.5 2.0
            action = self._action(label, lambda _=False, s=spacing: self.set_line_spacing(s))
            action.setCheckable(True)
            spacing_group.addAction(action)
            self.line_spacing_actions[spacing] = action
        self.accept_action.setIconText(self.tr("Accept"))
        self.reject_action.setIconText(self.tr("Reject"))

    def _create_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addActions([self.save_action, self.save_as_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.cut_action, self.copy_action, self.paste_action, self.select_all_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.find_action, self.find_next_action, self.find_previous_action])
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions([self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action])
        view_menu.addSeparator()
        view_menu.addActions([self.probability_view_action, self.provenance_view_action])
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu(self.tr("&Theme"))
        theme_menu.addActions(list(self.theme_actions.values()))
        spacing_menu = view_menu.addMenu(self.tr("&Line Spacing"))
        spacing_menu.addActions(list(self.line_spacing_actions.values()))
        view_menu.addActions([self.font_action, self.full_screen_action])
        generate_menu = bar.addMenu(self.tr("&Generate"))
        generate_menu.addActions([self.continue_action, self.stop_action, self.accept_action,
                                  self.reject_action, self.regenerate_action])
        generate_menu.addSeparator()
        generate_menu.addActions([self.next_candidate_action, self.previous_candidate_action,
                                  self.all_candidates_action])
        generate_menu.addSeparator()
        presets_menu = generate_menu.addMenu(self.tr("&Presets"))
        presets_menu.addActions([self.save_preset_action, self.rename_preset_action, self.delete_preset_action])
        generate_menu.addActions([self.models_action, self.settings_action])
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([self.shortcuts_action, self.about_action])

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.new_action, self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.continue_action, self.stop_action, self.accept_action,
                            self.reject_action, self.regenerate_action])
        self.preset_combo = QComboBox(self)
        self.preset_combo.setToolTip(self.tr("Sampling preset"))
        self.preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset_combo.activated.connect(self._on_preset_chosen)
        toolbar.insertWidget(self.stop_action, self.preset_combo)
        self.toolbar = toolbar
        self._stop_toolbar_action = self.stop_action
        self.style_controls = StyleControls(self, generate_menu, toolbar, self.stop_action)
        self.style_controls.changed.connect(lambda _name: self.start_model())

    def _create_status_bar(self) -> None:
        status = self.statusBar()
        self.model_label = QLabel(self.tr("No model"))
        self.state_label = QLabel()
        self.speed_label = QLabel()
        self.context_label = QLabel()
        self.count_label = QLabel()
        self.candidate_label = QLabel()
        self.privacy_label = QLabel()
        self.privacy_label.setStyleSheet("color: #b35c00; font-weight: bold;")
        self.privacy_label.setToolTip(self.tr("Your text goes to this inference server when you continue"))
        self.privacy_label.hide()
        self.ai_share_label = QLabel()
        self.probability_legend = QLabel(self._legend_html())
        self.probability_legend.setToolTip(self.tr("How likely the model found each piece of text"))
        self.probability_legend.hide()
        self.load_progress = QProgressBar()
        self.load_progress.setRange(0, 0)  # busy: loading has no measurable steps
        self.load_progress.setMaximumWidth(120)
        self.load_progress.hide()
        status.addPermanentWidget(self.probability_legend)
        for widget in (self.load_progress, self.privacy_label, self.ai_share_label, self.candidate_label, self.model_label, self.state_label, self.speed_label,
                       self.context_label, self.count_label):
            status.addPermanentWidget(widget)
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(250)  # counting a long document on every keystroke would lag
        self._count_timer.timeout.connect(self._update_counts)

    # ----- model -----------------------------------------------------------
    def generation_settings(self) -> GenerationSettings:
        settings = self.settings.generation()
        valid = {f.name for f in dataclasses.fields(GenerationSettings)}
        return dataclasses.replace(settings, **{k: v for k, v in self._overrides.items() if k in valid and v is not None})

    def model_source(self, g: GenerationSettings | None = None) -> str:
        """What the worker loads: a local model, or an inference server when Settings say so."""
        from .worker import server_source

        g = g or self.generation_settings()
        if g.use_server and g.server_url:
            return server_source(g.server_url, g.server_model, g.server_timeout)
        return g.model

    def start_model(self) -> None:
        g = self.generation_settings()
        self.load_model(self.model_source(g), g.device)

    def load_model(self, source: str, device: str, allow_download: bool = False) -> None:
        """Load in the worker; the hub is contacted only when the user asked for a download."""
        self._loading_source = source
        self.host.load(source, device, allow_download, self.generation_settings().fast_cpu)

    def _on_model_loading(self, source: str) -> None:
        self.load_progress.show()
        self.state_label.setText(self.tr("Loading model…"))
        self.statusBar().showMessage(self.tr("Loading %s…") % source)

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.model_info = info
        self.controller.model_ready = True
        self.load_progress.hide()
        self.model_label.setText(f"{info.name} · {info.device}")
        remote = info.source.startswith(("http://", "https://"))
        # Privacy: say plainly when text leaves this machine, and where it goes.
        self.privacy_label.setText(self.tr("⇄ text is sent to %s") % info.device.replace("server ", "")
                                   if remote else "")
        self.privacy_label.setVisible(remote)
        # Never cut short by a crowded status bar: the other labels give way first.
        self.privacy_label.setMinimumWidth(self.privacy_label.sizeHint().width() if remote else 0)
        self.model_label.setToolTip(self.tr("Context window: %d tokens") % info.window)
        self.statusBar().showMessage(self.tr("Model ready (%.1f s)") % info.load_seconds, 5000)
        if self.banner.isVisible() and getattr(self, "_banner_is_model_error", False):
            self.banner.dismiss()
        if info.notice:
            self.show_notice(info.notice)
        self._on_state_changed(self.controller.state)

    def continue_text(self) -> None:
        """Continue (Ctrl+Enter), first suggesting the Chinese model for Chinese text on an English one."""
        self._suggest_chinese_model()
        self.controller.continue_text()

    def _suggest_chinese_model(self) -> None:
        from ..engine.catalog import CHINESE_MODEL
        from ..engine.detokenizer import cjk_share

        info = self.model_info
        if info is None or info.writes_chinese or self._chinese_hint_for == info.source:
            return
        cursor = self.editor.textCursor()
        end = cursor.selectionEnd()
        start = cursor.selectionStart() if cursor.hasSelection() else max(0, end - 2000)
        if cjk_share(self.editor.text_between(start, end)) <= 0.5:
            return
        self._chinese_hint_for = info.source  # once per model: a hint, never a nag
        self.show_notice(
            self.tr("This text is mostly Chinese, but %s writes English. "
                    "A Chinese GPT-2 continues Chinese text far better.") % info.name,
            actions=((self.tr("Use Chinese GPT-2"), lambda: self.use_catalog_model(CHINESE_MODEL)),))

    def use_catalog_model(self, repo_id: str) -> None:
        """Switch to a catalog model: at once if downloaded, else through the model manager."""
        from ..engine.catalog import is_downloaded

        self.banner.dismiss()
        if is_downloaded(repo_id):
            self._set_model(repo_id, self.generation_settings().device)
            return
        from .model_manager import ModelManagerDialog

        dialog = ModelManagerDialog(repo_id, self)
        dialog.model_chosen.connect(lambda source: self._set_model(source, self.generation_settings().device))
        dialog.start_download(repo_id)
        dialog.exec()

    def _on_model_failed(self, source: str, message: str, needs_download: bool) -> None:
        self.load_progress.hide()
        if self.model_info is None:
            self.model_label.setText(self.tr("No model"))
        self._on_state_changed(self.controller.state)
        self.state_label.setText(self.tr("Model error") if self.model_info is None else self.state_label.text())
        actions = [(self.tr("Models…"), self.open_model_manager),
                   (self.tr("Choose model folder…"), self.choose_model_folder),
                   (self.tr("Settings…"), self.open_settings)]
        if needs_download:
            text = message + " " + self.tr(
                "You can keep writing. To continue text, download it (needs an internet connection) "
                "or choose a local model folder.")
            device = self.generation_settings().device
            actions.insert(0, (self.tr("Download"), lambda: self.load_model(source, device, allow_download=True)))
        else:
            text = message + "\n" + self.tr(
                "You can keep writing. To continue text, choose a local model folder, "
                "or connect to the internet so the model can be downloaded.")
        self.show_error(text, actions=tuple(actions))
        self._banner_is_model_error = True

    def choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"))
        if folder:
            self._set_model(folder, self.generation_settings().device)

    def _set_model(self, model: str, device: str) -> None:
        g = dataclasses.replace(self.settings.generation(), model=model, device=device, use_server=False)
        self.settings.save_generation(g)
        self._overrides.pop("model", None)
        self._overrides.pop("device", None)
        self.load_model(model, device)

    def open_model_manager(self) -> None:
        from .model_manager import ModelManagerDialog

        dialog = ModelManagerDialog(self.generation_settings().model, self)
        dialog.model_chosen.connect(lambda source: self._set_model(source, self.generation_settings().device))
        dialog.exec()

    def open_settings(self) -> None:
        detected = self.model_info.detected if self.model_info else ""
        dialog = SettingsDialog(self.generation_settings(), self, detected=detected,
                                language=self.settings.language())
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        self.settings.set_language(dialog.result_language())  # used from the next start
        new = dialog.result_settings()
        old = self.generation_settings()
        self.settings.save_generation(new)
        self._overrides.clear()
        self._refresh_presets()
        if dialog.api_key is not None and new.server_url:
            from .secrets import store_api_key

            store_api_key(new.server_url.rstrip("/"), dialog.api_key)
        if (self.model_source(new), new.device, new.fast_cpu) != (self.model_source(old), old.device, old.fast_cpu) \
                or self.model_info is None or dialog.api_key is not None:
            self.load_model(self.model_source(new), new.device, allow_download=True)  # the user chose it just now

    def _make_request(self, context: str, regenerations: int) -> ContinuationRequest:
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
            seed=seed if seed is not None else random.getrandbits(63),
            stop_at={"tokens": "length"}.get(g.length_mode, g.length_mode),
            stop_sequences=g.stop_strings,
            alternatives=g.alternatives,
            probabilities=self.probability_view_action.isChecked(),  # a server is asked only when shown
        )

    # ----- generation state --------------------------------------------------
    def _on_state_changed(self, state: str) -> None:
        streaming, pending = state == STREAMING, state == PENDING
        ready = self.model_info is not None
        self.stop_action.setEnabled(streaming)
        self.stop_action.setVisible(streaming)
        self.accept_action.setEnabled(streaming or pending)
        self.reject_action.setEnabled(streaming or pending)
        self.regenerate_action.setEnabled(ready and (streaming or pending))
        self.continue_action.setEnabled(ready or self._loading_source is None)
        if self._loading_source is not None and not ready and self.load_progress.isVisible():
            return
        label = {STREAMING: self.tr("Generating…"), PENDING: self.tr("Tab ✓ · Esc ✗")}.get(
            state, self.tr("Ready") if ready else self.tr("No model"))
        self.state_label.setText(label)

    # ----- presets -------------------------------------------------------------
    def presets(self) -> list:
        from .presets import BUILT_IN

        return [*BUILT_IN, *self.settings.user_presets()]

    def active_preset(self):
        g = self.generation_settings()
        return next((p for p in self.presets() if p.matches(g)), None)

    def _refresh_presets(self) -> None:
        """The combo lists every preset; the one matching the current settings is shown, else Custom."""
        from .presets import BUILT_IN

        self.preset_combo.clear()
        for preset in self.presets():
            label = self.tr(preset.name) if preset in BUILT_IN else preset.name
            self.preset_combo.addItem(label, preset.name)
        active = self.active_preset()
        if active is None:
            self.preset_combo.addItem(self.tr("Custom"), None)
            self.preset_combo.setCurrentIndex(self.preset_combo.count() - 1)
        else:
            self.preset_combo.setCurrentIndex(self.preset_combo.findData(active.name))
        user = active is not None and active not in BUILT_IN
        self.rename_preset_action.setEnabled(user)
        self.delete_preset_action.setEnabled(user)

    def _on_preset_chosen(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        preset = next((p for p in self.presets() if p.name == name), None)
        if preset is not None:
            self.settings.save_generation(preset.apply_to(self.settings.generation()))
            for field in ("temperature", "top_k", "top_p", "repetition_penalty"):
                self._overrides.pop(field, None)  # a preset picked now beats the command line
        self._refresh_presets()

    def ask_text(self, title: str, label: str, default: str = "") -> str | None:
        """A one-line question (tests replace this)."""
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(self, title, label, text=default)
        return text.strip() if ok and text.strip() else None

    def save_preset(self) -> None:
        from .presets import BUILT_IN, Preset

        name = self.ask_text(self.tr("Save Preset"), self.tr("Name of the new preset:"))
        if name is None:
            return
        if any(p.name == name for p in BUILT_IN):
            self.show_error(self.tr("“%s” is a built-in preset; choose another name.") % name)
            return
        user = [p for p in self.settings.user_presets() if p.name != name]
        user.append(Preset.from_settings(name, self.generation_settings()))
        self.settings.save_user_presets(user)
        self._refresh_presets()

    def rename_preset(self) -> None:
        active = self.active_preset()
        user = self.settings.user_presets()
        if active is None or active not in user:
            return
        name = self.ask_text(self.tr("Rename Preset"), self.tr("New name:"), active.name)
        if name is None or name == active.name:
            return
        if any(p.name == name for p in self.presets()):
            self.show_error(self.tr("A preset called “%s” already exists.") % name)
            return
        import dataclasses

        self.settings.save_user_presets([dataclasses.replace(p, name=name) if p == active else p for p in user])
        self._refresh_presets()

    def delete_preset(self) -> None:
        active = self.active_preset()
        user = self.settings.user_presets()
        if active is not None and active in user:
            self.settings.save_user_presets([p for p in user if p != active])
            self._refresh_presets()

    # ----- probability view -------------------------------------------------
    def _toggle_probability_view(self, on: bool) -> None:
        self.editor.set_probability_view(on)
        self.probability_legend.setVisible(on)

    def show_token_alternatives(self, span, global_position) -> None:
        """A click on a word of the suggestion: pick another and the model writes on from there."""
        from PySide6.QtWidgets import QMenu

        from .probability_view import visible

        menu = QMenu(self)
        for text, probability in span.info.alternatives:
            if text == span.text:
                continue
            action = menu.addAction(f"{visible(text)}  {probability:.1%}")
            action.triggered.connect(
                lambda _=False, t=text, p=probability: self.controller.rewrite_from(span.start, t, p))
        if menu.isEmpty():
            menu.addAction(self.tr("No other likely word here")).setEnabled(False)
        menu.popup(global_position)
        self.alternatives_menu = menu  # kept for tests and so it is not collected while open

    def _on_candidates_changed(self, index: int, count: int) -> None:
        several = count > 1
        for action in (self.next_candidate_action, self.previous_candidate_action, self.all_candidates_action):
            action.setEnabled(several)
        self.candidate_label.setText(self.tr("%d/%d") % (index + 1, count) if several else "")
        self.candidate_label.setToolTip(self.tr("Candidate %d of %d: Alt+] next, Alt+[ previous") % (index + 1, count)
                                        if several else "")

    def _legend_html(self) -> str:
        from html import escape

        from .probability_view import BANDS

        parts = [f"<span style='background: rgba({c.red()},{c.green()},{c.blue()},{c.alpha() / 255:.2f})'>"
                 f"&nbsp;{escape(self.tr(label))}&nbsp;</span>" for _bound, label, c in BANDS]
        return " ".join(parts)

    def show_candidates_popup(self) -> None:
        """Every candidate side by side in a small list at the suggestion; picking one shows it."""
        from PySide6.QtWidgets import QMenu

        candidates = self.controller.candidates
        if len(candidates) < 2:
            return
        menu = QMenu(self)
        for i, text in enumerate(candidates):
            line = " ".join(text.split())
            action = menu.addAction(f"{i + 1}. {line[:90]}{'…' if len(line) > 90 else ''}")
            action.setToolTip(text)
            action.triggered.connect(lambda _=False, i=i: self.controller.show_candidate(i))
        menu.setToolTipsVisible(True)
        rect = self.editor.cursorRect()
        menu.popup(self.editor.viewport().mapToGlobal(rect.bottomLeft()))
        self.candidates_menu = menu  # kept for tests and so it is not collected while open

    def _on_run_finished(self, summary: RunSummary) -> None:
        if summary.tokens_per_second:
            self.speed_label.setText(self.tr("%.1f tokens/s") % summary.tokens_per_second)
        if summary.window:
            self.context_label.setText(self.tr("context %d/%d tokens") % (summary.context_tokens, summary.window))

    def show_error(self, message: str, actions: tuple = ()) -> None:
        self._banner_is_model_error = False
        self.banner.show_message(message, "error", actions)

    def show_notice(self, message: str, actions: tuple = ()) -> None:
        self._banner_is_model_error = False
        self.banner.show_message(message, "info", actions)

    # ----- files -----------------------------------------------------------
    def new_document(self) -> None:
        if not self._maybe_save():
            return
        self.controller.reject()
        self.editor.load_text("")
        self.path = None
        self._document_replaced(None, TextFormat(), None)
        self._update_title()

    def open_dialog(self) -> None:
        if not self._maybe_save():
            return
        start = str(Path(self.path).parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open"), start, self.tr(TEXT_FILTER))
        if path:
            self.open_file(path, ask_to_save=False)

    def open_file(self, path: str, ask_to_save: bool = True) -> bool:
        if ask_to_save and not self._maybe_save():
            return False
        if not self.confirm_file_size(path):
            return False
        try:
            document = read_document(path)
        except DocumentError as exc:
            self.show_error(str(exc))
            self.settings.remove_recent_file(os.path.abspath(path))
            return False
        self.controller.reject()
        self.editor.load_text(document.text)
        self.path = os.path.abspath(path)
        self._document_replaced(self.path, document.format, document.disk)
        self._load_provenance(self.path)
        self.settings.add_recent_file(self.path)
        self._update_title()
        self.statusBar().showMessage(self.tr("Opened %s") % self.path, 3000)
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        start = self.path or str(Path.home() / "untitled.md")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save As"), start, self.tr(TEXT_FILTER))
        if not path:
            return False
        return self._write(path)

    def _write(self, path: str) -> bool:
        try:
            disk = write_text_file_atomic(path, self.editor.user_text(), self.text_format)
        except DocumentError as exc:
            self.show_error(str(exc))
            return False
        self.path = os.path.abspath(path)
        self.editor.mark_saved()
        self._document_saved(self.path, disk)
        self._save_provenance(self.path)
        self.settings.add_recent_file(self.path)
        self._update_title()
        self.statusBar().showMessage(self.tr("Saved %s") % self.path, 3000)
        return True

    # ----- AI provenance ---------------------------------------------------------
    def _record_ai_text(self, start: int, end: int) -> None:
        from datetime import datetime, timezone

        g = self.generation_settings()
        settings = {"temperature": g.temperature, "top_k": g.top_k, "top_p": g.top_p,
                    "repetition_penalty": g.repetition_penalty, "device": g.device}
        if style_of(self.host.worker.backend):
            settings["style"] = style_of(self.host.worker.backend)  # which style wrote this span
        model = self.model_info.source if self.model_info else g.model
        self.editor.provenance.add(start, end, model, settings, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self._update_ai_share()

    def _update_ai_share(self) -> None:
        total = len(self.editor.user_text())
        share = self.editor.provenance.share(total)
        self.ai_share_label.setText(self.tr("AI %d%%") % round(100 * share) if share else "")
        self.ai_share_label.setToolTip(self.tr("Share of the document written by the model"))

    def _toggle_provenance_view(self, on: bool) -> None:
        self.editor.set_provenance_view(on)

    def _save_provenance(self, path: str) -> None:
        """Spans go to <file>.aigc.json beside the document (removed when there are none)."""
        from .provenance import sidecar_path

        sidecar = sidecar_path(path)
        try:
            if self.editor.provenance.spans():
                write_text_file_atomic(sidecar, self.editor.provenance.to_json(
                    self.editor.user_text(), self.editor.to_user_position))
            elif sidecar.exists():
                sidecar.unlink()
        except (DocumentError, OSError) as exc:
            self.show_error(self.tr("The document was saved, but its AI labels could not be: %s") % exc)

    def _load_provenance(self, path: str) -> None:
        from .provenance import sidecar_path

        sidecar = sidecar_path(path)
        if sidecar.is_file():
            try:
                data = sidecar.read_text(encoding="utf-8")
            except (OSError, UnicodeError):
                data = ""
            if not self.editor.provenance.load_json(data, self.editor.user_text()):
                self.show_notice(self.tr("This file was changed outside aigc-desktop since its AI labels were "
                                         "saved, so they were dropped rather than put in the wrong place."))
        self._update_ai_share()

    def default_ai_label(self) -> str:
        from PySide6.QtCore import QLocale

        from .provenance import LABELS

        key = "zh_CN" if QLocale().name().startswith("zh") else "en"
        return self.settings.ai_label() or LABELS[key]

    def ask_export_path(self) -> str | None:
        """Where to write the labelled copy (tests replace this)."""
        start = str(Path(self.path).with_suffix(".labelled" + Path(self.path).suffix)) if self.path else ""
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export with AI Label"), start,
                                              self.tr("Markdown (*.md);;HTML (*.html);;Text (*.txt)"))
        return path or None

    def export_with_label(self) -> bool:
        """A copy with an explicit AI label on top and, for Markdown/HTML, the AI-written parts marked."""
        from .provenance import export_text

        path = self.ask_export_path()
        if not path:
            return False
        label = self.ask_text(self.tr("Export with AI Label"), self.tr("Label line:"), self.default_ai_label())
        if label is None:
            return False
        self.settings.set_ai_label(label)
        model = self.model_info.name if self.model_info else ""
        label = label.replace("{model}", f" ({model})" if model else "")
        suffix = Path(path).suffix.lower()
        kind = "markdown" if suffix in (".md", ".markdown") else "html" if suffix in (".html", ".htm") else "text"
        text = self.editor.user_text()
        content = export_text(text, self.editor.provenance.user_ranges(self.editor.to_user_position), label, kind)
        try:
            write_text_file_atomic(path, content)
        except DocumentError as exc:
            self.show_error(str(exc))
            return False
        self.statusBar().showMessage(self.tr("Exported %s") % path, 3000)
        return True

    def ask_save_changes(self) -> QMessageBox.StandardButton:
        """Save / Discard / Cancel for unsaved changes (tests replace this)."""
        name = Path(self.path).name if self.path else self.tr("Untitled")
        return QMessageBox.question(
            self, APP_NAME, self.tr("Save changes to “%s” before closing it?") % name,
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)

    def _maybe_save(self) -> bool:
        """True when it is fine to throw the current text away."""
        if not self.editor.is_modified():
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        if not recent:
            self.recent_menu.addAction(self.tr("No recent files")).setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))

    # ----- view ------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        from .appearance import apply_theme

        apply_theme(name)
        self.settings.set_theme(name)
        for theme, action in self.theme_actions.items():
            action.setChecked(theme == name)
        self.editor._highlight()  # pending-text colours come from the palette

    def set_line_spacing(self, spacing: float) -> None:
        """View → Line Spacing: only the view changes (not the text, the undo history or the modified flag)."""
        self.editor.set_line_spacing(spacing)
        self.settings.set_line_spacing(spacing)
        for value, action in self.line_spacing_actions.items():
            action.setChecked(value == spacing)

    def choose_font(self) -> None:
        from PySide6.QtWidgets import QFontDialog

        ok, font = QFontDialog.getFont(self.editor.font(), self, self.tr("Editor Font"))
        if ok:
            self.set_editor_font(font)

    def set_editor_font(self, font: QFont) -> None:
        self.editor.setFont(font)
        self.settings.set_font_family(font.family())
        self.settings.set_font_point_size(font.pointSize())

    def toggle_full_screen(self, on: bool | None = None) -> None:
        """Distraction-free: no bars, the text in a comfortable column in the middle of the screen."""
        on = not self.isFullScreen() if on is None or not isinstance(on, bool) else on
        self.full_screen_action.setChecked(on)
        for bar in (self.menuBar(), self.toolbar, self.statusBar()):
            bar.setVisible(not on)
        if on:
            self.showFullScreen()
        else:
            self.showNormal()
        self._fit_text_column()

    def _fit_text_column(self) -> None:
        width = self.editor.width()
        column = self.editor.fontMetrics().horizontalAdvance("m") * 72
        side = max(0, (width - column) // 2) if self.full_screen_action.isChecked() else 0
        self.editor.setViewportMargins(side, 0, side, 0)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.full_screen_action.isChecked():
            self._fit_text_column()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.full_screen_action.isChecked():
            self.toggle_full_screen(False)
            return
        super().keyPressEvent(event)

    def show_shortcuts(self) -> None:
        from .appearance import ShortcutsDialog

        extra = ((self.tr("Accept the suggestion"), "Tab, Enter"), (self.tr("Reject the suggestion"), "Esc"),
                 (self.tr("Accept the next word"), "Ctrl+Right"), (self.tr("Accept the next line"), "Ctrl+Shift+Right"))
        self.shortcuts_dialog = ShortcutsDialog(self.actions(), extra, self)
        self.shortcuts_dialog.show()

    def zoom(self, step: int) -> None:
        font = QFont(self.editor.font())
        size = 12 if step == 0 else max(6, min(72, font.pointSize() + step))
        font.setPointSize(size)
        self.editor.setFont(font)
        self.settings.set_font_point_size(size)

    def _update_title(self, *_args) -> None:
        name = Path(self.path).name if self.path else self.tr("Untitled")
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(self.editor.is_modified())

    def _update_edit_actions(self, *_args) -> None:
        self.undo_action.setEnabled(self.editor.can_undo())
        self.redo_action.setEnabled(self.editor.can_redo())

    def _count_timer_start(self) -> None:
        self._count_timer.start()

    # Counting a multi-megabyte document takes most of a second of pure Python: beyond this
    # size it runs in a helper thread, which gives the GUI thread the GIL every few ms.
    _COUNT_IN_BACKGROUND_FROM = 200_000  # characters

    def _update_counts(self) -> None:
        self._update_ai_share()
        text = self.editor.user_text()
        if len(text) < self._COUNT_IN_BACKGROUND_FROM:
            self._show_counts(*count_words_and_chars(text))
            return
        if self._counting is not None and self._counting.is_alive():
            self._count_again = True  # counted once more when the running count ends
            return
        import threading

        self._count_again = False
        self._counting = threading.Thread(target=self._count_in_background, args=(text,),
                                          name="word-count", daemon=True)
        self._counting.start()

    def _count_in_background(self, text: str) -> None:
        counts = count_in_slices(text)
        if self._closing:
            return  # the window went away while counting
        try:
            self._counted.emit(*counts)
        except (RuntimeError, TypeError):
            pass  # deleted between the check and the emit: nothing to show it in

    def _on_counted(self, words: int, chars: int) -> None:
        self._show_counts(words, chars)
        if self._count_again:
            self._update_counts()

    def _show_counts(self, words: int, chars: int) -> None:
        self.count_label.setText(self.tr("%d words · %d characters") % (words, chars))

    def show_about(self) -> None:
        """Help > About: the installed version and the licences of the bundled components."""
        from PySide6.QtWidgets import QDialog

        dialog = self.findChild(QDialog, "aboutDialog")
        if dialog is None:
            dialog = _about_dialog(self)
        dialog.open()  # window-modal, does not block the event loop

    # ----- window events -----------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.shown.emit()

    def close_for_shutdown(self) -> None:
        """SIGTERM or logout: no questions. Unsaved text is written to the recovery folder
        now and offered back at the next start, instead of being saved or thrown away."""
        self.autosaver.flush()
        self._keep_recovery = True
        self._closing = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and not self._maybe_save():
            event.ignore()
            return
        self._closing = True
        self._count_timer.stop()
        self.controller.reject()
        self.settings.set_window_geometry(self.saveGeometry())
        self._close_document_safety()  # saved or discarded: its recovery copy goes
        self.host.shutdown(1200)  # a model load that cannot be interrupted is left behind
        event.accept()


# ----- Help > About -------------------------------------------------------------
LICENCES_SUMMARY = (  # shown when resources/licenses/THIRD-PARTY-NOTICES.txt is not installed
    "aigc-desktop: MIT. PySide6 and Qt: LGPL-3.0. PyTorch: BSD-3-Clause. transformers, tokenizers, "
    "safetensors, huggingface_hub, accelerate: Apache-2.0. qasync: BSD-2-Clause. gguf: MIT. "
    "numpy: BSD-3-Clause."
)


def app_version() -> str:
    """The version in pyproject.toml, read from the installed metadata (the app bundle carries it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(APP_NAME)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return __version__


def resource_path(relative: str) -> Path | None:
    """A file from the repository's resources/ folder: in the app bundle, a checkout, or a pip install."""
    import sys

    roots = []
    if getattr(sys, "frozen", False):
        roots.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "resources")
    roots.append(Path(__file__).resolve().parents[2] / "resources")  # a checkout or an editable install
    roots.append(Path(sys.prefix) / "share" / APP_NAME)  # pip install: pyproject's data-files
    for root in roots:
        if (root / relative).is_file():
            return root / relative
    return None


def licences_text() -> str:
    path = resource_path("licenses/THIRD-PARTY-NOTICES.txt")
    if path is not None:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
    return LICENCES_SUMMARY


def _licences_folder_link() -> str:
    from PySide6.QtCore import QUrl

    notices = resource_path("licenses/THIRD-PARTY-NOTICES.txt")
    if notices is None:
        return ""
    url = QUrl.fromLocalFile(str(notices.parent)).toString()
    return QCoreApplication.translate(
        "MainWindow", '<p><a href="%s">Open the folder with the full licence texts</a></p>') % url


def _about_dialog(parent: QWidget):
    from PySide6.QtGui import QFontDatabase, QPixmap
    from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QPlainTextEdit

    dialog = QDialog(parent)
    dialog.setObjectName("aboutDialog")
    dialog.setWindowTitle(QCoreApplication.translate("MainWindow", "About aigc-desktop"))
    layout = QVBoxLayout(dialog)
    header = QHBoxLayout()
    icon_file = resource_path("icons/aigc-desktop-256.png")
    if icon_file is not None:
        icon = QLabel(dialog)
        icon.setPixmap(QPixmap(str(icon_file)).scaled(
            64, 64, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        header.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
    text = QLabel(QCoreApplication.translate(
        "MainWindow",
        "<b>aigc-desktop %s</b><p>A private, offline writing assistant that continues your text "
        "with a local language model.</p><p>aigc-desktop is free software under the MIT licence. "
        "It is built on PySide6 (Qt, LGPLv3), PyTorch (BSD-3-Clause), Hugging Face transformers, "
        "tokenizers, safetensors and huggingface_hub (Apache 2.0), qasync (BSD-2-Clause), "
        "gguf (MIT) and numpy (BSD-3-Clause). Licences:</p>") % app_version()
        + _licences_folder_link(), dialog)
    text.setObjectName("aboutText")
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    text.setOpenExternalLinks(True)
    header.addWidget(text, 1)
    layout.addLayout(header)
    licences = QPlainTextEdit(dialog)
    licences.setObjectName("licencesText")
    licences.setReadOnly(True)
    licences.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    licences.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    licences.setPlainText(licences_text())
    layout.addWidget(licences, 1)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    dialog.resize(760, 560)
    return dialog
