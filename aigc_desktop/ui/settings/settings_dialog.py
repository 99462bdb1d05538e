"""The Generation settings dialog."""

from __future__ import annotations

import os
import re
import threading

from PySide6.QtCore import QDir, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from PySide6.QtWidgets import QDoubleSpinBox as _Spin

from ...engine.text import options
from ..window.plain_text import plain
from .generation_settings import AUTO_SUGGEST_DELAY_RANGE, AUTO_SUGGEST_TOKENS_RANGE, GenerationSettings
from .secrets import keyring_available, load_api_key


def parse_stop_strings(text: str) -> tuple[str, ...]:
    """'THE END | \\n\\n' -> ('THE END', '\\n\\n' as real line breaks)."""
    parts = (part.strip().replace("\\n", "\n") for part in text.split("|"))
    return tuple(dict.fromkeys(part for part in parts if part))


class SettingsDialog(QDialog):
    def __init__(self, settings: GenerationSettings, parent: QWidget | None = None, detected: str = "",
                 language: str = ""):
        """language: the interface language setting ("" = the system's), offered in a combo."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Generation Settings"))

        # Model: a hub id or a local folder holding a saved model.
        self.model_edit = QLineEdit(settings.model)
        self.model_edit.setPlaceholderText(GenerationSettings.model)
        self.model_edit.setToolTip(
            self.tr("A Hugging Face model id, a folder with a saved model, or a GGUF file")
        )
        self.browse_button = QPushButton(self.tr("Browse folder…"))
        self.browse_button.clicked.connect(self._browse_model_folder)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_edit, 1)
        model_row.addWidget(self.browse_button)
        self.browse_gguf_button = QPushButton(self.tr("GGUF file…"))
        self.browse_gguf_button.clicked.connect(self._browse_gguf_file)
        model_row.addWidget(self.browse_gguf_button)

        self.device_combo = QComboBox()
        device_labels = {
            "auto": self.tr("Automatic (GPU if available)"),
            "cpu": self.tr("CPU"),
            "cuda": self.tr("NVIDIA GPU (CUDA)"),
            "mps": self.tr("Apple GPU (MPS)"),
        }
        for device in options.DEVICE_CHOICES:
            self.device_combo.addItem(device_labels[device], device)
        # With several GPUs, each one can be chosen (the detection names them "cuda:N name (free)").
        gpus = re.findall(r"(cuda:\d+) ([^;]+)", detected)
        if len(gpus) > 1 or settings.device.startswith("cuda:"):
            for device, label in gpus:
                self.device_combo.addItem(f"{device} — {label.strip()}", device)
            if self.device_combo.findData(settings.device) < 0:
                self.device_combo.addItem(settings.device, settings.device)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(settings.device)))

        self.detected_label = QLabel(detected or self.tr("Detected when a model has been loaded."))
        self.detected_label.setWordWrap(True)
        self.fast_mode_check = QCheckBox(self.tr("Fast mode on the CPU (8-bit weights and activations in blocks)"))
        self.fast_mode_check.setChecked(settings.fast_mode)
        self.fast_mode_check.setToolTip(self.tr(
            "Measured with a GPT-2-sized model on a 2-core CPU: about 5 times the decoding speed of "
            "transformers and about twice that of the exact mode; 0.7 to 1.1 times llama.cpp's 8-bit mode. "
            "On SmolLM2-135M its perplexity was 0.5% above the exact weights' and its top choice agreed with "
            "theirs 98% of the time (llama.cpp's 8-bit mode: 97%). Off: the exact fp32 weights. "
            "README → Performance has the figures."))

        self.max_new_tokens_spin = QSpinBox()
        self.max_new_tokens_spin.setRange(*options.MAX_NEW_TOKENS.offered)
        self.max_new_tokens_spin.setValue(settings.max_new_tokens)

        self.temperature_spin = self._double_spin(options.TEMPERATURE.offered, settings.temperature)
        self.temperature_spin.setToolTip(self.tr("0 = always the most likely word"))

        self.top_k_spin = QSpinBox()
        self.top_k_spin.setRange(*options.TOP_K.offered)
        self.top_k_spin.setValue(settings.top_k)
        self.top_k_spin.setToolTip(self.tr("0 = no limit"))

        self.top_p_spin = self._double_spin(options.TOP_P.offered, settings.top_p)
        self.top_p_spin.setToolTip(self.tr("1 = no limit"))

        self.repetition_penalty_spin = self._double_spin(
            options.REPETITION_PENALTY.offered, settings.repetition_penalty
        )
        self.repetition_penalty_spin.setToolTip(self.tr("1 = off; higher values repeat less"))

        self.no_repeat_ngram_spin = QSpinBox()
        self.no_repeat_ngram_spin.setRange(*options.NO_REPEAT_NGRAM_SIZE.offered)
        self.no_repeat_ngram_spin.setValue(settings.no_repeat_ngram_size)
        self.no_repeat_ngram_spin.setSpecialValueText(self.tr("Off"))
        self.no_repeat_ngram_spin.setToolTip(
            self.tr("Never repeat a run of this many tokens from the text; Off allows any repeat. "
                    "Servers do not offer it: it is ignored there."))

        self.seed_edit = QLineEdit("" if settings.seed is None else str(settings.seed))
        self.seed_edit.setPlaceholderText(self.tr("Random"))
        self.seed_edit.setToolTip(self.tr("The same seed and text give the same continuation"))
        self.seed_error_label = QLabel()
        self.seed_error_label.setStyleSheet("color: #c0392b;")
        self.seed_error_label.hide()

        self.alternatives_spin = QSpinBox()
        self.alternatives_spin.setRange(*options.ALTERNATIVES.offered)
        self.alternatives_spin.setValue(settings.alternatives)
        self.alternatives_spin.setToolTip(self.tr("Written together in one run; cycle with Alt+] and Alt+["))

        self.auto_suggest_check = QCheckBox(self.tr("Suggest while I type, after a pause of"))
        self.auto_suggest_check.setChecked(settings.auto_suggest)
        self.auto_suggest_delay_spin = QSpinBox()
        self.auto_suggest_delay_spin.setRange(*AUTO_SUGGEST_DELAY_RANGE)
        self.auto_suggest_delay_spin.setSingleStep(100)
        self.auto_suggest_delay_spin.setSuffix(self.tr(" ms"))
        self.auto_suggest_delay_spin.setValue(settings.auto_suggest_delay_ms)
        self.auto_suggest_tokens_spin = QSpinBox()
        self.auto_suggest_tokens_spin.setRange(*AUTO_SUGGEST_TOKENS_RANGE)
        self.auto_suggest_tokens_spin.setSuffix(self.tr(" tokens"))
        self.auto_suggest_tokens_spin.setValue(settings.auto_suggest_tokens)
        auto_row = QHBoxLayout()
        auto_row.addWidget(self.auto_suggest_check)
        auto_row.addWidget(self.auto_suggest_delay_spin)
        auto_row.addWidget(self.auto_suggest_tokens_spin)
        auto_row.addStretch(1)

        self.length_combo = QComboBox()
        for mode, label in (("length", self.tr("Up to the maximum number of tokens")),
                            ("sentence", self.tr("To the end of the sentence")),
                            ("paragraph", self.tr("To the end of the paragraph"))):
            self.length_combo.addItem(label, mode)
        self.length_combo.setCurrentIndex(max(0, self.length_combo.findData(settings.length_mode)))
        self.stop_strings_edit = QLineEdit(" | ".join(s.replace("\n", "\\n") for s in settings.stop_strings))
        self.stop_strings_edit.setPlaceholderText(self.tr("e.g. THE END | \\n\\n"))
        self.stop_strings_edit.setToolTip(self.tr("Stop when any of these is written; separate them with |, "
                                                  "write a line break as \\n"))

        # Each language is named in itself, so it can be found whatever the current one is.
        self.language_combo = QComboBox()
        for code, label in (("", self.tr("System")), ("en", "English"), ("zh_CN", "简体中文")):
            self.language_combo.addItem(label, code)
        if self.language_combo.findData(language) < 0:
            self.language_combo.addItem(language, language)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(language)))
        self.language_note = QLabel(self.tr("Takes effect after restarting aigc-desktop."))
        language_row = QHBoxLayout()
        language_row.addWidget(self.language_combo)
        language_row.addWidget(self.language_note, 1)

        form = QFormLayout()
        form.addRow(self.tr("Model:"), model_row)
        form.addRow(self.tr("Device:"), self.device_combo)
        form.addRow(self.tr("Detected:"), self.detected_label)
        form.addRow("", self.fast_mode_check)
        form.addRow(self.tr("Max new tokens:"), self.max_new_tokens_spin)
        form.addRow(self.tr("Temperature:"), self.temperature_spin)
        form.addRow(self.tr("Top-k:"), self.top_k_spin)
        form.addRow(self.tr("Top-p:"), self.top_p_spin)
        form.addRow(self.tr("Repetition penalty:"), self.repetition_penalty_spin)
        form.addRow(self.tr("No repeated run of:"), self.no_repeat_ngram_spin)
        form.addRow(self.tr("Candidates:"), self.alternatives_spin)
        form.addRow(self.tr("Seed:"), self.seed_edit)
        form.addRow("", self.seed_error_label)
        form.addRow(self.tr("Length:"), self.length_combo)
        form.addRow(self.tr("Stop at:"), self.stop_strings_edit)
        form.addRow(self.tr("While typing:"), auto_row)
        self._add_server_rows(form, settings)
        form.addRow(self.tr("Language:"), language_row)

        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.button_box)

        self.seed_edit.textChanged.connect(self._validate_seed)
        self._validate_seed()

    @staticmethod
    def _double_spin(value_range: tuple[float, float], value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setRange(*value_range)
        spin.setSingleStep(0.05)
        spin.setValue(value)
        return spin

    def _seed_error(self) -> str:
        """An error message for the seed field, or "" when it is valid."""
        text = self.seed_edit.text().strip()
        if not text:
            return ""
        # isdigit() would accept "²" or "٣"; only plain ASCII digits are a seed.
        if not (text.isascii() and text.isdigit()):
            return self.tr("The seed must be a whole number (digits only), or blank for random.")
        if int(text) > options.SEED_RANGE[1]:
            return self.tr("The seed is too large.")
        return ""

    def _validate_seed(self) -> None:
        error = self._seed_error()
        self.seed_error_label.setText(error)
        self.seed_error_label.setVisible(bool(error))
        self.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not error)

    def accept(self) -> None:
        # OK is disabled while the seed is invalid; this also covers any other path
        # to accept(), so the caller never receives a half-valid result.
        if not self._seed_error():
            super().accept()

    def _browse_model_folder(self) -> None:
        current = self.model_edit.text().strip()
        start = current if current and os.path.isdir(current) else QDir.homePath()
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"), start)
        if folder:
            self.model_edit.setText(QDir.toNativeSeparators(folder))

    def _browse_gguf_file(self) -> None:
        current = self.model_edit.text().strip()
        start = os.path.dirname(current) if current and os.path.isfile(current) else QDir.homePath()
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a GGUF model file"), start,
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.model_edit.setText(QDir.toNativeSeparators(path))

    def result_language(self) -> str:
        """The chosen interface language: "" for the system's, else a code such as "zh_CN"."""
        return self.language_combo.currentData() or ""

    # ----- inference server ---------------------------------------------------
    def _add_server_rows(self, form: QFormLayout, settings: GenerationSettings) -> None:
        self.use_server_check = QCheckBox(self.tr("Use an inference server instead of a local model"))
        self.use_server_check.setChecked(settings.use_server)
        self.server_url_edit = QLineEdit(settings.server_url)
        self.server_url_edit.setPlaceholderText("http://127.0.0.1:8080")
        self.server_url_edit.setToolTip(self.tr("A server with the OpenAI-compatible completions API: "
                                                "vLLM, llama.cpp's server, TGI or Ollama"))
        self.server_model_combo = QComboBox()
        self.server_model_combo.setEditable(True)
        self.server_model_combo.setCurrentText(settings.server_model)
        model_edit = self.server_model_combo.lineEdit()  # there: the combo is editable
        if model_edit is not None:
            model_edit.setPlaceholderText(self.tr("The server's first model"))
        self.refresh_models_button = QPushButton(self.tr("List models"))
        self.refresh_models_button.clicked.connect(self._list_server_models)
        model_row = QHBoxLayout()
        model_row.addWidget(self.server_model_combo, 1)
        model_row.addWidget(self.refresh_models_button)
        self.api_key_edit = QLineEdit()
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        stored = load_api_key(settings.server_url.rstrip("/")) if settings.server_url else None
        self.api_key_edit.setPlaceholderText(self.tr("(a key is stored)") if stored else self.tr("none"))
        self.api_key = None  # set when the user types a key: None means "keep what is stored"
        self.api_key_edit.textEdited.connect(lambda text: setattr(self, "api_key", text))
        self.api_key_note = QLabel(self.tr("Kept in the system keyring.") if keyring_available() else
                                   self.tr("No system keyring here: the key is kept until you quit."))
        self.server_timeout_spin = _Spin()
        self.server_timeout_spin.setRange(*options.SERVER_TIMEOUT.offered)
        self.server_timeout_spin.setSuffix(self.tr(" s"))
        self.server_timeout_spin.setValue(settings.server_timeout)
        self.server_message = plain(QLabel())  # quotes the server's own words
        self.server_message.setWordWrap(True)
        form.addRow(self.tr("Server:"), self.use_server_check)
        form.addRow(self.tr("Server address:"), self.server_url_edit)
        form.addRow(self.tr("Server model:"), model_row)
        form.addRow(self.tr("API key:"), self.api_key_edit)
        form.addRow("", self.api_key_note)
        form.addRow(self.tr("Request timeout:"), self.server_timeout_spin)
        form.addRow("", self.server_message)
        self._models_listed.connect(self._show_server_models)

    _models_listed = Signal(object, str)  # model ids, error message

    def _list_server_models(self) -> None:
        """Ask the server for its models (GET /v1/models) off the GUI thread."""


        url = self.server_url_edit.text().strip().rstrip("/")
        key = self.api_key if self.api_key is not None else load_api_key(url)
        self.server_message.setText(self.tr("Asking %s…") % url)

        def ask() -> None:
            try:
                from ...engine.server.remote import RemoteBackend

                models = RemoteBackend(url, api_key=key or None, timeout=10).list_models()
                self._models_listed.emit(models, "")
            except Exception as exc:  # noqa: BLE001 - shown in the dialog, never raised
                self._models_listed.emit([], str(exc))

        threading.Thread(target=ask, name="list-models", daemon=True).start()

    def _show_server_models(self, models, error: str) -> None:
        if error:
            self.server_message.setText(error)
            return
        current = self.server_model_combo.currentText()
        self.server_model_combo.clear()
        self.server_model_combo.addItems(models)
        self.server_model_combo.setCurrentText(current or (models[0] if models else ""))
        self.server_message.setText(self.tr("%d models on the server.") % len(models) if models
                                    else self.tr("The server does not list its models; type the name."))

    def result_settings(self) -> GenerationSettings:
        """The settings as edited; a blank model means the default model."""
        seed_text = self.seed_edit.text().strip()
        return GenerationSettings(
            model=self.model_edit.text().strip() or GenerationSettings.model,
            device=self.device_combo.currentData(),
            max_new_tokens=self.max_new_tokens_spin.value(),
            temperature=round(self.temperature_spin.value(), 2),
            top_k=self.top_k_spin.value(),
            top_p=round(self.top_p_spin.value(), 2),
            repetition_penalty=round(self.repetition_penalty_spin.value(), 2),
            no_repeat_ngram_size=self.no_repeat_ngram_spin.value(),
            # An invalid seed cannot get here through OK; treat it as random just in case.
            seed=int(seed_text) if seed_text and not self._seed_error() else None,
            length_mode=self.length_combo.currentData(),
            stop_strings=parse_stop_strings(self.stop_strings_edit.text()),
            fast_mode=self.fast_mode_check.isChecked(),
            alternatives=self.alternatives_spin.value(),
            auto_suggest=self.auto_suggest_check.isChecked(),
            auto_suggest_delay_ms=self.auto_suggest_delay_spin.value(),
            auto_suggest_tokens=self.auto_suggest_tokens_spin.value(),
            use_server=self.use_server_check.isChecked(),
            server_url=self.server_url_edit.text().strip(),
            server_model=self.server_model_combo.currentText().strip(),
            server_timeout=self.server_timeout_spin.value(),
        )
