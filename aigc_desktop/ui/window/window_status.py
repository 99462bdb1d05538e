"""The window's status bar: its fields (model, state, speed, context, counts, candidates, privacy,
AI share, file format) and what each says. Which fields fit is StatusBar's business (status_bar.py)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget

from ..document.document_io import TextFormat
from ..document.encoding_menu import format_text
from ..settings.first_run import converting_gguf
from ..suggestion.continuation import PENDING, STREAMING
from ..suggestion.probability_view import BANDS
from ..suggestion.worker import ModelInfo, RunSummary
from .plain_text import plain
from .status_bar import ElidedLabel, StatusBar


class WindowStatusBar(StatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_label = ElidedLabel(self.tr("No model"))
        self.state_label = QLabel()
        self.speed_label = QLabel()
        self.context_label = QLabel()
        self.count_label = QLabel()
        self.candidate_label = QLabel()
        self.privacy_label = QLabel()
        self.privacy_label.setStyleSheet("color: #b35c00; font-weight: bold;")
        self.privacy_label.setToolTip(self.tr("Your text goes to this inference server when you continue"))
        self.privacy_label.hide()
        for label in (self.model_label, self.privacy_label):  # a server's model name and host are data
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.ai_share_label = QLabel()
        self.probability_legend = QLabel(self._legend_html())  # a compact chip; the words are in its tooltip
        self.probability_legend.setToolTip(self._legend_tooltip())
        plain(self.model_label, self.state_label, self.speed_label, self.context_label, self.privacy_label)
        self.probability_legend.hide()
        self.load_progress = QProgressBar()
        self.load_progress.setRange(0, 0)  # busy: loading has no measurable steps
        self.load_progress.setMaximumWidth(120)
        self.load_progress.hide()
        # Left to right; a narrow window drops the lowest priority first (the model's name is shortened).
        for widget, priority in ((self.probability_legend, 70), (self.load_progress, 100), (self.privacy_label, 100),
                                 (self.ai_share_label, 50), (self.candidate_label, 85), (self.model_label, 80),
                                 (self.state_label, 90), (self.speed_label, 20), (self.context_label, 30),
                                 (self.count_label, 60)):
            self.add_field(widget, priority, elide=widget is self.model_label)
        self.format_label = QLabel(format_text(TextFormat()))
        self.format_label.setToolTip(self.tr("Encoding and line endings used when saving"))
        self.addPermanentWidget(self.format_label)

    def show_format(self, fmt: TextFormat) -> None:
        self.format_label.setText(format_text(fmt))

    # ----- the model -------------------------------------------------------------------
    def show_loading(self, source: str) -> None:
        self.load_progress.show()
        self.state_label.setText(self.tr("Loading model…"))
        if converting_gguf(source):
            self.showMessage(self.tr(
                "Preparing %s for its first use: this takes about a minute, once; later starts take seconds.")
                % Path(source).name)
        else:
            self.showMessage(self.tr("Loading %s…") % Path(source).name
                             if os.path.exists(source) else self.tr("Loading %s…") % source)

    def show_model(self, info: ModelInfo) -> None:
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
        self.showMessage(self.tr("Model ready (%.1f s)") % info.load_seconds, 5000)

    def show_model_failed(self, have_model: bool) -> None:
        self.load_progress.hide()
        self.clearMessage()  # "Loading …" is no longer true
        if not have_model:
            self.model_label.setText(self.tr("No model yet"))

    def show_state(self, state: str, ready: bool) -> None:
        label = {STREAMING: self.tr("Generating…"), PENDING: self.tr("Tab ✓ · Esc ✗")}.get(
            state, self.tr("Ready") if ready else self.tr("No model"))
        self.state_label.setText(label)

    # ----- runs and candidates ---------------------------------------------------------------
    def show_run(self, summary: RunSummary) -> None:
        if summary.tokens_per_second:
            self.speed_label.setText(self.tr("%.1f tokens/s") % summary.tokens_per_second)
        if summary.window:
            self.context_label.setText(self.tr("context %d/%d tokens") % (summary.context_tokens, summary.window))

    def show_candidates(self, index: int, count: int) -> None:
        several = count > 1
        self.candidate_label.setText(self.tr("%d/%d") % (index + 1, count) if several else "")
        self.candidate_label.setToolTip(self.tr("Candidate %d of %d: Alt+] next, Alt+[ previous") % (index + 1, count)
                                        if several else "")

    def show_candidates_coming(self, count: int, have_several: bool) -> None:
        """The first candidate has streamed; the others are being made while the writer reads it."""
        if count:
            self.candidate_label.setText(self.tr("making candidate 2…") if count == 1
                                         else self.tr("making candidates 2–%d…") % (count + 1))
            self.candidate_label.setToolTip(self.tr("The other candidates are made after the first has streamed, "
                                                    "so it streams at full speed; Alt+] works once they are ready."))
        elif not have_several:
            self.candidate_label.setText("")
            self.candidate_label.setToolTip("")

    def show_ai_share(self, share: float) -> None:
        self.ai_share_label.setText(self.tr("AI %d%%") % round(100 * share) if share else "")
        self.ai_share_label.setToolTip(self.tr("Share of the document written by the model"))

    # ----- the probability legend --------------------------------------------------------
    def _legend_html(self) -> str:
        parts = [f"<span style='background: rgba({c.red()},{c.green()},{c.blue()},{c.alpha() / 255:.2f})'>"
                 f"&nbsp;&nbsp;&nbsp;</span>" for _bound, _label, c in BANDS]
        return "".join(parts)

    def _legend_tooltip(self) -> str:
        return self.tr("How likely the model found each piece of text:") + "\n" + "\n".join(
            self.tr(label) for _bound, label, _c in BANDS)
