"""What the window says and offers when there is no model yet: the first start, offline or not."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QMessageBox

from ...engine.local import catalog
from ...engine.local.catalog import CHINESE_MODEL, find
from ...engine.local.model_files import gguf_is_converted


def interface_is_chinese() -> bool:
    return QLocale().name().startswith("zh")


def converting_gguf(source: str) -> bool:
    """True when loading source converts a GGUF file first (once per file; about a minute for 100 MB)."""

    path = Path(source)
    return path.suffix.lower() == ".gguf" and path.is_file() and not gguf_is_converted(path)


def ask(parent, title: str, text: str) -> bool:
    """A yes/no question (tests replace this)."""

    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.Yes)
    return answer == QMessageBox.StandardButton.Yes


def download_size(repo_id: str) -> str:
    entry = find(repo_id)
    from .model_manager import human_bytes  # a dialog's module: loaded when needed

    return human_bytes(entry.download_bytes) if entry is not None else ""


def confirm_download(parent, repo_id: str) -> bool:
    """Nothing is downloaded before the user has seen its size and agreed."""

    entry = find(repo_id)
    name = QCoreApplication.translate("ModelManagerDialog", entry.title) if entry else repo_id
    size = download_size(repo_id)
    if size:
        text = QCoreApplication.translate(
            "FirstRun", "Download %s? It is %s and needs an internet connection; the download can be "
            "cancelled and resumes later.") % (name, size)
    else:
        text = QCoreApplication.translate("FirstRun", "Download %s? It needs an internet connection.") % name
    return ask(parent, QCoreApplication.translate("FirstRun", "Download Model"), text)


def model_failed_banner(window, source: str, message: str, needs_download: bool) -> tuple[str, tuple]:
    """The banner's text and buttons when the model could not be loaded: every way to a model at hand."""

    device = window.generation_settings().device
    actions = []
    if needs_download and interface_is_chinese() and source != CHINESE_MODEL and not catalog.is_downloaded(CHINESE_MODEL):
        label = QCoreApplication.translate("FirstRun", "Download Chinese GPT-2 (%s)") % download_size(CHINESE_MODEL)
        actions.append((label, lambda: window.use_catalog_model(CHINESE_MODEL)))
    if needs_download:
        size = download_size(source)
        label = (QCoreApplication.translate("FirstRun", "Download (%s)") % size if size
                 else QCoreApplication.translate("FirstRun", "Download"))
        actions.append((label, lambda: window.load_model(source, device, allow_download=True)))
    actions += [(QCoreApplication.translate("FirstRun", "Use a GGUF file…"), window.choose_gguf_file),
                (QCoreApplication.translate("FirstRun", "Choose model folder…"), window.choose_model_folder),
                (QCoreApplication.translate("FirstRun", "Models…"), window.open_model_manager)]
    if needs_download:
        text = message + " " + QCoreApplication.translate(
            "FirstRun", "You can keep writing. To continue text, download it or use a model you have: "
            "a GGUF file or a model folder.")
    else:
        text = message + "\n" + QCoreApplication.translate(
            "FirstRun", "You can keep writing; the buttons offer other models.")
    return text, tuple(actions)


def show_load_progress(status, source: str, done: int, total: int) -> None:
    """A GGUF file's one-time conversion, tensor by tensor (GenerationWorker.load_progress), in the status bar.

    The bar goes back to "busy" at the end: what follows the conversion has no steps to count.
    """
    bar = status.load_progress  # the window's WindowStatusBar
    if total <= 0:
        bar.setRange(0, 0)
        return
    if done >= total:  # the copy is written; the fast mode may still build its graph: no longer "99%"
        bar.setRange(0, 0)
        status.showMessage(QCoreApplication.translate(
            "FirstRun", "Preparing %s for first use (once): finishing…") % Path(source).name)
        return
    bar.setRange(0, total)
    bar.setValue(done)
    percent = 100 * done // total
    status.showMessage(QCoreApplication.translate(
        "FirstRun", "Preparing %s for first use (once): %d%%")
        % (Path(source).name, percent))
