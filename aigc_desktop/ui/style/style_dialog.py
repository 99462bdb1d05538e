"""Generate → Styles → Learn a Style…: choose the writer's text, train in the background, show what was learned.

Training loads its own copy of the model in a child process
(engine/style/learning_process.py: the window's process keeps its GIL; torch cannot
be interrupted mid-step, so Stop and Pause are checked between steps), and the
editor keeps writing with its model meanwhile. Progress comes back through
queued signals. Reading and counting the chosen text (up to 64 MiB) runs in a
helper thread too, like the status bar's word count (ui/window/word_count.py).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...engine.errors import error_line
from ...engine.style.corpus import MIN_WORDS, Corpus, Document, read_corpus
from ...engine.style.errors import StyleError
from ...engine.style.estimate import approx_parameters, estimate_seconds
from ...engine.style.learning_process import LearningJob, LearningProcess
from ...engine.style.pause_flag import PauseFlag
from ...engine.style.store import StyleStore, check_name
from ...engine.style.training_settings import TrainingSettings
from ...engine.text.stop_flag import StopFlag
from ..suggestion.engine_text import localize


def _clock(seconds: float) -> str:
    seconds = int(round(max(seconds, 0)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class _Relay(QObject):
    """Carries the learning process's news (from its relay thread) to the window's thread (queued: the receiver lives there)."""

    progress = Signal(object)  # TrainingProgress
    finished = Signal(object)  # LearnOutcome
    failed = Signal(str)


def train_in_background(job: LearningJob, stop: StopFlag, relay: _Relay,
                        pause: PauseFlag | None = None) -> LearningProcess:
    """Learn the style in a child process (its own copy of the model, its own GIL, a lower priority).

    The editor keeps writing with its model meanwhile; the child's news come back through
    the relay's queued signals, Stop and Pause go to it through the flags.
    """
    process = LearningProcess(job, stop, pause, relay.progress.emit, relay.finished.emit, relay.failed.emit)
    # Spawning pickles the text and starts a Python: a blink the window need not wait for.
    threading.Thread(target=process.start, name="style-learning-start", daemon=True).start()
    return process


class CorpusReader(QObject):
    """read(job) runs job() (reading and counting the text) in a helper thread and emits `done`.

    As with the status bar's WordCounter, a request made while a read runs is not started
    beside it: it waits, the running read's result is dropped, and only the newest is shown.
    """

    done = Signal(object, str)  # Corpus or None, error message ("" when read)
    _finished = Signal(object, str)  # from the helper thread, queued to this object's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._waiting: Callable[[], Corpus] | None = None
        self._finished.connect(self._on_finished)

    @property
    def busy(self) -> bool:
        return self._thread is not None or self._waiting is not None

    def read(self, job: Callable[[], Corpus]) -> None:
        if self._thread is not None:
            self._waiting = job  # after the running read, which is then out of date
            return
        self._thread = threading.Thread(target=self._run, args=(job,), name="style-corpus", daemon=True)
        self._thread.start()

    def _run(self, job: Callable[[], Corpus]) -> None:
        try:
            corpus, error = job(), ""
        except Exception as exc:  # a StyleError's sentence, or one line in the dialog, never a traceback
            corpus, error = None, error_line(exc)
        try:
            self._finished.emit(corpus, error)
        except (RuntimeError, TypeError):
            pass  # the dialog went away while reading: nothing to show it in

    def _on_finished(self, corpus, error: str) -> None:
        self._thread = None
        if self._waiting is not None:
            job, self._waiting = self._waiting, None
            self.read(job)
            return
        self.done.emit(corpus, error)


class LearnStyleDialog(QDialog):
    learned = Signal(str)  # the new style's name

    def __init__(self, window, store: StyleStore) -> None:
        super().__init__(window)
        self.main_window = window  # not .window, which is QWidget.window()
        self.store = store
        self.corpus: Corpus | None = None
        self.paths: list[str] = []
        self.stop: StopFlag | None = None
        self.pause = PauseFlag()
        self.learning: LearningProcess | None = None
        self.lower_priority = True  # the bench's --normal-priority turns it off, for comparison
        self.reader = CorpusReader(self)
        self.reader.done.connect(self._on_read)
        self._read_error = ""
        self._start_when_read = False
        self.relay = _Relay(self)
        self.relay.progress.connect(self._on_progress)
        self.relay.finished.connect(self._on_finished)
        self.relay.failed.connect(self._on_failed)
        self.setWindowTitle(self.tr("Learn a Style"))
        self.resize(640, 520)

        self.name_edit = QLineEdit(self.tr("My style"))
        self.document_radio = QRadioButton(self.tr("This document"))
        self.files_radio = QRadioButton(self.tr("Files or a folder of drafts (.txt, .md)"))
        self.document_radio.setChecked(True)
        self.file_list = QListWidget()
        self.file_list.setMaximumHeight(90)
        add_files = QPushButton(self.tr("Add Files…"))
        add_folder = QPushButton(self.tr("Add Folder…"))
        clear = QPushButton(self.tr("Clear"))
        add_files.clicked.connect(self._add_files)
        add_folder.clicked.connect(self._add_folder)
        clear.clicked.connect(self._clear)
        file_buttons = QHBoxLayout()
        for button in (add_files, add_folder, clear):
            file_buttons.addWidget(button)
        file_buttons.addStretch(1)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setValue(10)
        self.minutes.setSuffix(self.tr(" min"))
        # What training is learning from, and how, stays fixed while it runs.
        self._choices = (self.name_edit, self.document_radio, self.files_radio, self.file_list, add_files, add_folder,
                         clear, self.minutes)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.report = QPlainTextEdit()  # plain text: samples come from a model
        self.report.setReadOnly(True)
        self.report.hide()

        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Time limit:"), self.minutes)
        sources = QWidget()
        sources_layout = QVBoxLayout(sources)
        sources_layout.setContentsMargins(0, 0, 0, 0)
        sources_layout.addWidget(self.document_radio)
        sources_layout.addWidget(self.files_radio)
        sources_layout.addWidget(self.file_list)
        sources_layout.addLayout(file_buttons)
        form.addRow(self.tr("Learn from:"), sources)
        self.buttons = QDialogButtonBox()
        self.learn_button = self.buttons.addButton(self.tr("Learn"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.pause_button = self.buttons.addButton(self.tr("Pause"), QDialogButtonBox.ButtonRole.ActionRole)
        self.pause_button.hide()
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button = self.buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.learn_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 10)
        layout.addStretch(1)  # until the report shows, spare height goes here, not between the choices
        layout.addWidget(self.buttons)
        self.document_radio.toggled.connect(self._update_summary)
        self.minutes.valueChanged.connect(self._show_summary)
        self._update_summary()

    # ----- choosing the text ---------------------------------------------------------------
    def _add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Choose Drafts"), "",
                                                self.tr("Text (*.txt *.md *.markdown)"))
        self._add(files)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a Folder of Drafts"))
        self._add([folder] if folder else [])

    def add_paths(self, paths: list[str]) -> None:
        """Learn from these files or folders (what Add Files… and Add Folder… do after their dialogs)."""
        self._add(paths)

    def _add(self, paths: list[str]) -> None:
        for path in paths:
            if path and path not in self.paths:
                self.paths.append(path)
                self.file_list.addItem(Path(path).name or path)
        if paths:
            self.files_radio.setChecked(True)
        self._update_summary()

    def _clear(self) -> None:
        self.paths.clear()
        self.file_list.clear()
        self._update_summary()

    def _reading_job(self) -> Callable[[], Corpus]:
        """What to read, taken now (on the window's thread); the returned job reads and counts it anywhere."""
        if self.document_radio.isChecked():
            title = Path(self.main_window.path).name if getattr(self.main_window, "path", None) else self.tr("this document")
            text = self.main_window.editor.user_text()
            return lambda: Corpus((Document.from_text(title, text),))
        if not self.paths:
            message = self.tr("Add files or a folder of the writer's drafts.")

            def nothing() -> Corpus:
                raise StyleError(message)

            return nothing
        paths = list(self.paths)
        return lambda: read_corpus(paths)

    def _parameters(self) -> int:
        backend = self.main_window.host.worker.backend
        config = getattr(getattr(getattr(backend, "loaded", None), "model", None), "config", None)
        return approx_parameters(config) if config is not None else 135_000_000

    def _update_summary(self) -> None:
        """Read and count the chosen text again, in the background; the summary says so meanwhile."""
        self.corpus = None
        self.summary.setText(self.tr("Counting words…"))
        self.summary.setStyleSheet("")
        self.learn_button.setEnabled(False)
        self.reader.read(self._reading_job())

    def _on_read(self, corpus: Corpus | None, error: str) -> None:
        self.corpus, self._read_error = corpus, localize(error)  # the engine's English, translated
        self._show_summary()
        if self._start_when_read:
            self._start_when_read = False
            self._begin()

    def _show_summary(self) -> None:
        if self.reader.busy:
            return  # "Counting words…" until the count is in
        if self.corpus is None:
            self._say(self._read_error, error=True)
            return
        words = self.corpus.words
        files = len(self.corpus.documents)
        if words < MIN_WORDS:
            self._say(self.tr("%s words: learning a style needs at least %s words.")
                      % (f"{words:,}", f"{MIN_WORDS:,}"), error=True)
            return
        seconds = estimate_seconds(words, self._parameters(), minutes=self.minutes.value())
        self._say(self.tr("%d file(s), %s words: about %d minute(s) on this machine.")
                  % (files, f"{words:,}", max(1, round(seconds / 60))))

    def _say(self, text: str, error: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet("color: #b00020;" if error else "")
        self.learn_button.setEnabled(not error and self.learning is None and not self._start_when_read)

    # ----- training -----------------------------------------------------------------------------
    def start(self) -> None:
        """Check the name, read the text afresh (in the background), then train in the background."""
        source = self.main_window.model_source()
        if source.startswith(("http://", "https://")):
            self._say(self.tr("Learning a style needs a local model; this one runs on a server."), error=True)
            return
        try:
            name = check_name(self.name_edit.text())
            if self.store.exists(name):
                raise StyleError(self.tr("A style called “%s” already exists; choose another name.") % name)
        except StyleError as exc:
            self._say(localize(str(exc)), error=True)
            return
        self._start_when_read = True  # the document may have changed since it was counted
        self._update_summary()

    def _begin(self) -> None:
        """The text is read: train on it, unless it is too little or could not be read."""
        corpus = self.corpus
        if corpus is None:
            return  # _show_summary said why
        try:
            name = check_name(self.name_edit.text())
            corpus.check_enough()
        except StyleError as exc:
            self._say(localize(str(exc)), error=True)
            return
        source = self.main_window.model_source()
        self.stop = StopFlag()
        self.pause = PauseFlag()
        device = self.main_window.generation_settings().device
        job = LearningJob(source, device, corpus, name, str(self.store.root), self.training_settings(),
                          self.lower_priority)
        self.learning = train_in_background(job, self.stop, self.relay, self.pause)
        for widget in self._choices:
            widget.setEnabled(False)
        self.learn_button.setEnabled(False)
        self.pause_button.setText(self.tr("Pause"))
        self.pause_button.setEnabled(True)
        self.pause_button.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.report.hide()
        self.status.setText(self.tr("Loading the model for training…"))

    def training_settings(self) -> TrainingSettings:
        return TrainingSettings(minutes=float(self.minutes.value()))

    @property
    def training(self) -> bool:
        return self.learning is not None

    @property
    def starting(self) -> bool:
        """Learn was pressed and the text is being read: training starts once it is."""
        return self._start_when_read

    def toggle_pause(self) -> None:
        """Pause after the current step (a checkpoint is written), or go on from there."""
        if not self.training:
            return
        if self.pause.is_paused():
            self.pause.resume()
            self.pause_button.setText(self.tr("Pause"))
            self.status.setText(self.tr("Resuming…"))
        else:
            self.pause.pause()
            self.pause_button.setText(self.tr("Resume"))
            self.status.setText(self.tr("Pausing after this step…"))

    def cancel_or_close(self) -> None:
        if self.training and self.stop is not None:
            self.stop.request_stop()
            self.cancel_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self.status.setText(self.tr("Stopping after this step; a checkpoint is kept…"))
            return
        self.close()

    def closeEvent(self, event) -> None:
        self._start_when_read = False  # closed while the text was read: nothing starts after all
        if self.training and self.stop is not None:
            self.stop.request_stop()  # the checkpoint is kept; learning again resumes
        super().closeEvent(event)

    def _on_progress(self, p) -> None:
        self.progress.setRange(0, max(p.total_steps, 1))
        self.progress.setValue(p.step)
        loss = "–" if p.loss is None else f"{p.loss:.3f}"
        text = self.tr("Step %d of %d · loss %s · about %s left") % (p.step, p.total_steps, loss,
                                                                      _clock(p.seconds_left))
        if p.note == "paused":
            text = self.tr("Paused at step %d of %d (a checkpoint is kept). Resume goes on from here.") % (
                p.step, p.total_steps)
            if self.stop is None or not self.stop.is_set():
                self.status.setText(text)
            return
        if p.note.startswith("resumed"):
            text += " · " + self.tr("resumed from a checkpoint")
        elif p.note.startswith("out of memory"):
            text += " · " + self.tr("out of memory: training on fewer sequences at a time")
        evaluating = p.step == p.total_steps or p.seconds_left <= 0
        stopping = self.stop is not None and self.stop.is_set()
        self.pause_button.setEnabled(not evaluating and not stopping)  # after the last step nothing is paused
        if evaluating:
            text = self.tr("Evaluating: held-out text and three samples…")
        self.status.setText(text)

    def _finished_training(self) -> None:
        self.learning = None
        self.progress.hide()
        self.pause_button.hide()
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(self.tr("Close"))
        for widget in self._choices:
            widget.setEnabled(True)
        self._update_summary()

    def _on_failed(self, message: str) -> None:
        self._finished_training()
        self.status.setText(localize(message))
        self.status.setStyleSheet("color: #b00020;")

    def _on_finished(self, outcome) -> None:
        self._finished_training()
        self.status.setStyleSheet("")
        if outcome.style is None:
            self.status.setText(self.tr("Stopped at step %d. Learn again with the same name and text to resume.")
                                % outcome.training.steps)
            return
        ev = outcome.evaluation
        self.status.setText(self.tr("Learned “%s” in %s.") % (outcome.style.name, _clock(outcome.training.seconds)))
        lines = [self.tr("Held-out perplexity (lower is better): %.2f without the style, %.2f with it (%+.0f%%).")
                 % (ev.perplexity_before, ev.perplexity_after, 100 * ev.change)]
        for sample in ev.samples:
            lines += ["", self.tr("Prompt: %s") % sample.prompt,
                      self.tr("Without the style: %s") % sample.without_style.strip(),
                      self.tr("With the style: %s") % sample.with_style.strip()]
        self.report.setPlainText("\n".join(lines))
        self.report.show()
        self.learned.emit(outcome.style.name)
