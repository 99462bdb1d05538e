"""The main window: a frame of actions, menus and toolbar around the editor.

It wires the editor to its collaborators and closes them down; each does its own part:
the document (document.py), the model session (model_session.py), the status bar
(window_status.py), the presets (presets_menu.py), the view options (view_options.py),
the candidates and alternatives (candidates_view.py), the labelled export (labelled_export.py)
and the crash-recovery offer (recovery_offer.py).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolButton, QVBoxLayout, QWidget

from ...resources import APP_NAME
from ..document.document import Document
from ..document.encoding_menu import EncodingMenu
from ..document.labelled_export import LabelledExport
from ..document.recovery_offer import RecoveryOffer
from ..settings.generation_settings import GenerationSettings
from ..settings.presets_menu import PresetsMenu
from ..settings.user_settings import AppSettings
from ..style.style_picker import StyleControls, styled_loader
from ..suggestion.auto_suggest import AutoSuggest
from ..suggestion.candidates_view import CandidatesView
from ..suggestion.continuation import IDLE, PENDING, STREAMING, ContinuationController
from ..suggestion.model_session import ModelSession
from ..suggestion.worker import WorkerHost, engine_loader
from .editor import Editor
from .find_bar import FindBar
from .icons import apply_action_icons
from .message_banner import MessageBanner
from .ui_guard import shows_failure
from .view_options import ViewOptions
from .window_status import WindowStatusBar
from .word_count import WordCounter
from .writing_surface import default_font, style_editor


class MainWindow(QMainWindow):
    shown = Signal()  # first time the window is on screen (start-up timing, tests)

    def __init__(self, settings: AppSettings | None = None, overrides: dict | None = None,
                 loader=engine_loader, parent=None, recovery=None) -> None:
        """overrides: command-line values, this run only; recovery: a RecoveryStore (default: the
        user's data folder, or $AIGC_DESKTOP_DATA_DIR)."""
        super().__init__(parent)
        self.settings = settings or AppSettings()
        self._closing = False
        self._shown_once = False


        self.editor = Editor(self)
        font = default_font(self.settings.font_point_size())
        if self.settings.font_family():
            font.setFamily(self.settings.font_family())
        self.editor.setFont(font)
        style_editor(self.editor)
        self.editor.set_line_spacing(self.settings.line_spacing())
        self.banner = MessageBanner(self)
        self.recovery_banner = MessageBanner(self)  # its own strip: a later model error does not hide it
        self.find_bar = FindBar(self.editor, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for widget in (self.recovery_banner, self.banner):
            layout.addWidget(widget)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)
        self.status = WindowStatusBar(self)
        self.setStatusBar(self.status)

        self.host = WorkerHost(styled_loader(loader, lambda: self.style_controls.current), self)
        self.controller = ContinuationController(
            self.editor, self.host, lambda context, regenerations: self.session.make_request(context, regenerations),
            self)
        # One rule for Esc: while generating it stops and keeps the text; when pending it rejects.
        self.editor.reject_requested.disconnect(self.controller.reject)
        self.editor.reject_requested.connect(self._on_escape)
        self.session = ModelSession(self, self.settings, overrides or {}, self.host, self.controller, self.editor,
                                    self.banner, self.status, lambda: self.probability_view_action.isChecked())
        self.document = Document(self, self.editor, self.controller, self.settings, self.banner, recovery,
                                 lambda: self._closing)
        self.recovery_offer = RecoveryOffer(self.document, self.controller, self.recovery_banner, self.banner)
        self.export = LabelledExport(self, self.document, self.settings, self.banner,
                                     lambda: self.session.model_info.name if self.session.model_info else "")
        self.auto_suggest = AutoSuggest(self.editor, self.controller, self.session.generation_settings, self)
        self._create_actions()
        self._create_menus_and_toolbar()
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(250)  # counting a long document on every keystroke would lag
        self._count_timer.timeout.connect(self._update_counts)

        worker = self.host.worker
        worker.notice.connect(self.show_notice)
        self.session.model_state_changed.connect(lambda: self._on_state_changed(self.controller.state))
        self.controller.state_changed.connect(self._on_state_changed)
        worker.finished.connect(lambda _id, summary: self.status.show_run(summary))  # stopped runs too
        self.controller.error.connect(self.show_error)
        self.editor.text_accepted.connect(self.session.record_ai_text)
        self.editor.text_accepted.connect(self._update_ai_share)
        self.document.path_changed.connect(self._update_title)
        self.document.format_changed.connect(lambda: self.status.show_format(self.document.text_format))
        self.document.labels_changed.connect(self._update_ai_share)
        self.document.status_message.connect(self.status.showMessage)
        self.export.status_message.connect(self.status.showMessage)
        self.recovery_offer.restored.connect(self._update_title)
        self.word_counter = WordCounter(lambda: self._closing, self)
        self.word_counter.counted.connect(self._show_counts)
        self.word_counter.recount.connect(self._update_counts)
        self.editor.modification_changed.connect(self._update_title)
        self.editor.history_changed.connect(self._update_edit_actions)
        self.editor.user_text_changed.connect(self._count_timer.start)
        self.editor.copyAvailable.connect(self._update_edit_actions)

        geometry = self.settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(960, 680)
        self._on_state_changed(IDLE)
        self.candidates = CandidatesView(self, self.editor, self.controller, self.status, self.banner, (
            self.next_candidate_action, self.previous_candidate_action, self.all_candidates_action))
        self.presets.refresh()
        self.view.show_current()
        self._update_title()
        self._update_edit_actions()
        self._update_counts()

    # ----- what other parts of the program ask the window -------------------------------------
    @property
    def path(self) -> str | None:
        """The open document's file (None: not saved yet)."""
        return self.document.path

    def generation_settings(self) -> GenerationSettings:
        return self.session.generation_settings()

    def model_source(self, g: GenerationSettings | None = None) -> str:
        return self.session.model_source(g)

    def show_error(self, message: str, actions: tuple = ()) -> None:
        self.banner.show_error(message, actions)  # engine/document texts translated

    def show_notice(self, message: str, actions: tuple = ()) -> None:
        self.banner.show_notice(message, actions)

    # ----- construction ----------------------------------------------------
    def _action(self, text, slot, shortcut=None, tip=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            keys = [QKeySequence(s) for s in shortcuts]
            # Standard keys differ by platform and may repeat one given too: twice is "ambiguous" (dead).
            action.setShortcuts([k for i, k in enumerate(keys) if not k.isEmpty() and k not in keys[:i]])
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
        self.new_action = self._action(self.tr("&New"), self.document.new_document, K.New)
        self.open_action = self._action(self.tr("&Open…"), self.document.open_dialog, K.Open)
        self.save_action = self._action(self.tr("&Save"), self.document.save, K.Save)
        self.save_as_action = self._action(self.tr("Save &As…"), self.document.save_as, K.SaveAs)
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
        self.zoom_in_action = self._action(self.tr("Zoom &In"), lambda: self.view.zoom(+1), [K.ZoomIn, "Ctrl+="])
        self.zoom_out_action = self._action(self.tr("Zoom &Out"), lambda: self.view.zoom(-1), K.ZoomOut)
        self.zoom_reset_action = self._action(self.tr("&Reset Zoom"), lambda: self.view.zoom(0), "Ctrl+0")
        self.continue_action = self._action(
            self.tr("&Continue"), self.continue_text, ["Ctrl+Return", "Ctrl+Enter"],
            self.tr("Continue the selected text, or the text before the cursor (Ctrl+Enter)"))
        self.stop_action = self._action(self.tr("&Stop") + "\tEsc", self.controller.stop, None,
                                        self.tr("Stop generating and keep the text so far (Esc)"))
        # Tab / Enter / Esc are handled by the editor only while a suggestion is pending,
        # so they are shown in the menu but not bound as window shortcuts.
        self.accept_action = self._action(self.tr("&Accept") + "\tTab", self.controller.accept, None,
                                          self.tr("Keep the suggestion (Tab or Enter)"))
        self.reject_action = self._action(self.tr("&Reject") + "\tEsc", self.controller.reject, None,
                                          self.tr("Remove the suggestion (Esc; while generating, a second Esc)"))
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
        self.export_action = self._action(self.tr("&Export with AI Label…"), self.export.export_with_label, None,
                                          self.tr("Write a copy that says which text is AI-generated"))
        self.all_candidates_action = self._action(self.tr("All C&andidates…"), lambda: self.candidates.show_candidates_popup(),
                                                  "Ctrl+Alt+Space", self.tr("See every candidate in full and pick one"))
        self.presets = PresetsMenu(self, self.session, self.banner, self._action)
        self.settings_action = self._action(self.tr("&Settings…"), self.session.open_settings, K.Preferences)
        self.models_action = self._action(self.tr("&Models…"), self.session.open_model_manager, None,
                                          self.tr("Choose, download or add a model"))
        self.about_action = self._action(self.tr("&About aigc-desktop"), self.show_about)
        self.shortcuts_action = self._action(self.tr("&Keyboard Shortcuts"), self.show_shortcuts)
        self.font_action = self._action(self.tr("&Font…"), lambda: self.view.choose_font())
        self.full_screen_action = self._action(self.tr("&Distraction-Free Mode"), self.toggle_full_screen,
                                               ["F11", K.FullScreen],
                                               self.tr("Only your text, full screen (F11 or Esc to leave)"))
        self.full_screen_action.setCheckable(True)
        self.view = ViewOptions(self, self.editor, self.settings, self.banner, self._action,
                                lambda: self.full_screen_action.isChecked())
        self.accept_action.setIconText(self.tr("Accept"))
        self.reject_action.setIconText(self.tr("Reject"))
        self.stop_action.setIconText(self.tr("Stop"))

    def _create_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addActions([self.save_action, self.save_as_action])
        self.encoding_menu = EncodingMenu(self.document, self)
        file_menu.addMenu(self.encoding_menu)  # right after Save As
        file_menu.addAction(self.export_action)
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
        theme_menu.addActions(list(self.view.theme_actions.values()))
        spacing_menu = view_menu.addMenu(self.tr("&Line Spacing"))
        spacing_menu.addActions(list(self.view.line_spacing_actions.values()))
        width_menu = view_menu.addMenu(self.tr("Text &Width"))
        width_menu.addActions(list(self.view.text_width_actions.values()))
        view_menu.addActions([self.font_action, self.full_screen_action])
        self.generate_menu = generate_menu = bar.addMenu(self.tr("&Generate"))
        generate_menu.addActions([self.continue_action, self.stop_action, self.accept_action,
                                  self.reject_action, self.regenerate_action])
        generate_menu.addSeparator()
        generate_menu.addActions([self.next_candidate_action, self.previous_candidate_action,
                                  self.all_candidates_action])
        generate_menu.addSeparator()
        presets_menu = generate_menu.addMenu(self.tr("&Presets"))
        presets_menu.addActions(self.presets.actions())
        generate_menu.addActions([self.models_action, self.settings_action])
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([self.shortcuts_action, self.about_action])

        toolbar = self.addToolBar(self.tr("Main"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)  # no grip: a quiet frame around the text
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.new_action, self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.continue_action, self.stop_action, self.accept_action,
                            self.reject_action, self.regenerate_action])
        toolbar.insertWidget(self.stop_action, self.presets.combo)
        self.toolbar = toolbar
        self.style_controls = StyleControls(self, generate_menu, toolbar, self.stop_action)
        self.style_controls.changed.connect(lambda _name: self.session.start_model())
        for action in (self.new_action, self.open_action, self.save_action):  # well known: icon and tooltip
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

        apply_action_icons(self, self.settings.theme())

    # ----- generation ------------------------------------------------------------------------
    def continue_text(self) -> None:
        """Continue (Ctrl+Enter), first suggesting the Chinese model for Chinese text on an English one."""
        self.session.suggest_chinese_model()
        self.controller.continue_text()

    def _on_state_changed(self, state: str) -> None:
        streaming, pending = state == STREAMING, state == PENDING
        ready = self.session.model_info is not None
        self.stop_action.setEnabled(streaming)  # always in its place, so the buttons never shift
        self.accept_action.setEnabled(streaming or pending)
        self.reject_action.setEnabled(streaming or pending)
        self.regenerate_action.setEnabled(ready and (streaming or pending))
        self.continue_action.setEnabled(ready or self.session.loading_source is None)
        if self.session.loading_source is not None and not ready and self.status.load_progress.isVisible():
            return
        self.status.show_state(state, ready)

    def _on_escape(self) -> None:
        if self.controller.state == STREAMING:
            self.controller.stop()
        else:
            self.controller.reject()

    def _toggle_probability_view(self, on: bool) -> None:
        self.editor.set_probability_view(on)
        self.status.probability_legend.setVisible(on)

    def _toggle_provenance_view(self, on: bool) -> None:
        self.editor.set_provenance_view(on)

    # ----- title, counts, recent files ------------------------------------------------------
    def _update_title(self, *_args) -> None:
        name = self.document.name()
        self.setWindowTitle(f"{name}[*] — {APP_NAME}")
        self.setWindowModified(self.editor.is_modified())

    def _update_edit_actions(self, *_args) -> None:
        self.undo_action.setEnabled(self.editor.can_undo())
        self.redo_action.setEnabled(self.editor.can_redo())

    def _update_counts(self) -> None:
        self._update_ai_share()
        self.word_counter.count(self.editor.user_text())

    def _update_ai_share(self, *_args) -> None:
        self.status.show_ai_share(self.editor.provenance.share(len(self.editor.user_text())))

    def _show_counts(self, words: int, chars: int) -> None:
        self.status.count_label.setText(self.tr("%n word(s)", "", words) + " · "
                                        + self.tr("%n character(s) without spaces", "", chars))
        self.status.count_label.setToolTip(self.tr("Characters are counted without spaces and line breaks; "
                                                   "each Chinese or Japanese character counts as one word"))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        if not recent:
            self.recent_menu.addAction(self.tr("No recent files")).setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.document.open_file(p))

    # ----- view ---------------------------------------------------------------------------
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
        self.view.fit_text_column()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.view.fit_text_column)  # after the editor has its new width

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.full_screen_action.isChecked():
            self.toggle_full_screen(False)
            return
        super().keyPressEvent(event)

    @shows_failure
    def show_shortcuts(self) -> None:
        from .appearance import ShortcutsDialog

        extra = ((self.tr("Accept the suggestion"), "Tab, Enter"), (self.tr("Reject the suggestion"), "Esc"),
                 (self.tr("Accept the next word"), "Ctrl+Right"), (self.tr("Accept the next line"), "Ctrl+Shift+Right"),
                 (self.tr("Stop generating, keeping the text"), "Esc"),
                 (self.tr("Leave distraction-free mode"), "Esc, F11"))
        self.shortcuts_dialog = ShortcutsDialog(self.actions(), extra, self)
        self.shortcuts_dialog.show()

    @shows_failure
    def show_about(self) -> None:
        """Help > About: the installed version and the licences of the bundled components."""
        from .about import show_about

        show_about(self)

    # ----- window events -----------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.shown.emit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            QTimer.singleShot(0, self.document.check_file_changed)

    def close_for_shutdown(self) -> None:
        """SIGTERM or logout: no questions. Unsaved text is written to the recovery folder
        now and offered back at the next start, instead of being saved or thrown away."""
        self.document.autosaver.flush()
        self.document.keep_recovery = True
        self._closing = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing and not self.document.maybe_save():
            event.ignore()
            return
        self._closing = True
        self._count_timer.stop()
        self.controller.reject()
        self.settings.set_window_geometry(self.saveGeometry())
        self.document.close()  # saved or discarded: its recovery copy goes
        self.host.shutdown(600)  # a decode step under load, at most; a model load is left behind
        event.accept()
