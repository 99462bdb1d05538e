"""Help > About: the version, what the program is, and the licences of the bundled components."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QFontDatabase, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ... import __version__
from ...resources import APP_NAME, resource_path

LICENCES_SUMMARY = (  # shown when resources/licenses/THIRD-PARTY-NOTICES.txt is not installed
    "aigc-desktop: MIT. PySide6 and Qt: LGPL-3.0. PyTorch: BSD-3-Clause. transformers, tokenizers, "
    "safetensors, huggingface_hub, accelerate: Apache-2.0. qasync: BSD-2-Clause. gguf: MIT. "
    "numpy: BSD-3-Clause."
)


def app_version() -> str:
    """The version in pyproject.toml, read from the installed metadata (the app bundle carries it)."""

    try:
        return version(APP_NAME)
    except PackageNotFoundError:  # run from a checkout that was never installed
        return __version__


def licences_text() -> str:
    path = resource_path("licenses/THIRD-PARTY-NOTICES.txt")
    if path is not None:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
    return LICENCES_SUMMARY


def _licences_folder_link() -> str:
    notices = resource_path("licenses/THIRD-PARTY-NOTICES.txt")
    if notices is None:
        return ""
    url = QUrl.fromLocalFile(str(notices.parent)).toString()
    return QCoreApplication.translate(
        "MainWindow", '<p><a href="%s">Open the folder with the full licence texts</a></p>') % url


def about_dialog(parent: QWidget):
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


def show_about(parent: QWidget) -> None:
    """Open the window's About dialog (made once, then reused); window-modal, never blocking."""

    dialog = parent.findChild(QDialog, "aboutDialog")
    if dialog is None:
        dialog = about_dialog(parent)
    dialog.open()
