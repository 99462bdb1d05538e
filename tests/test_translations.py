"""The 简体中文 interface: the catalogue is complete and current, and the real window shows it.

After adding or changing a visible string, update the catalogue and rebuild the .qm:

    pyside6-lupdate -locations none -no-obsolete -source-language en -target-language zh_CN \\
        aigc_desktop/ui/*/*.py aigc_desktop/app.py -ts resources/translations/aigc_desktop_zh_CN.ts
    (translate the new entries, e.g. with Qt Linguist, and drop their type="unfinished")
    pyside6-lrelease resources/translations/aigc_desktop_zh_CN.ts \\
        -qm aigc_desktop/translations/aigc_desktop_zh_CN.qm
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTableWidget,
    QToolBar,
    QWidget,
)

from aigc_desktop.app import TRANSLATIONS_DIR, install_translations
from aigc_desktop.engine.local.catalog import CATALOG

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "translations" / "aigc_desktop_zh_CN.ts"
QM = TRANSLATIONS_DIR / "aigc_desktop_zh_CN.qm"
LUPDATE_OPTIONS = ["-locations", "none", "-no-obsolete", "-source-language", "en", "-target-language", "zh_CN"]
PLACEHOLDER = re.compile(r"%(?:\.\d)?[sdf%]")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def sources() -> list[str]:
    return [str(p.relative_to(ROOT)) for p in sorted((ROOT / "aigc_desktop" / "ui").rglob("*.py"))] + [
        "aigc_desktop/app.py"]


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} (part of PySide6) is not installed")
    return found


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source text) -> the <translation> element."""
    result = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            result[(name, message.findtext("source"))] = message.find("translation")
    return result


# ----- (a) the shipped catalogue is complete and current -------------------------------


def test_every_source_string_is_translated_in_the_catalogue(tmp_path):
    fresh = tmp_path / "fresh.ts"
    subprocess.run([tool("pyside6-lupdate"), *LUPDATE_OPTIONS, *sources(), "-ts", str(fresh)],
                   cwd=ROOT, check=True, capture_output=True)
    expected = messages(fresh)
    assert len(expected) > 150  # lupdate really read the sources
    committed = messages(TS)
    problems = []
    for key in expected:
        translation = committed.get(key)
        if translation is None:
            problems.append(f"missing: {key}")
        elif translation.get("type") in ("unfinished", "vanished", "obsolete") or not "".join(translation.itertext()).strip():
            problems.append(f"not translated / not finished: {key}")
    assert not problems, f"{TS.name} is out of date (see this file's docstring):\n" + "\n".join(problems)


def test_translations_keep_placeholders_and_accelerators():
    for (context, source), translation in messages(TS).items():
        text = "".join(translation.itertext())  # plural forms are in <numerusform> children
        assert PLACEHOLDER.findall(text) == PLACEHOLDER.findall(source), (context, source, text)
        accelerator = re.search(r"&(\w)", source)
        if accelerator and not source.startswith("<"):
            assert f"(&{accelerator.group(1).upper()})" in text, (context, source, text)
        if re.search("[A-Za-z]{3}", source) and "%" not in source.strip("%sd/ "):
            assert CJK.search(text) or source in ("Tab ✓ · Esc ✗", "CPU"), (context, source, text)


def test_shipped_qm_is_built_from_the_committed_ts(tmp_path):
    built = tmp_path / "built.qm"
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(built)], check=True, capture_output=True)
    assert QM.is_file(), f"{QM} is missing"
    assert built.read_bytes() == QM.read_bytes(), (
        f"{QM.name} is stale: run pyside6-lrelease {TS.relative_to(ROOT)} -qm {QM.relative_to(ROOT)}")


def test_model_catalog_texts_are_translated():
    """The catalog lives in the engine (English); model_manager.py marks its texts for translation."""
    translator = QTranslator()
    assert translator.load(str(QM))
    for entry in CATALOG:
        for text in (entry.language, entry.description):
            assert CJK.search(translator.translate("ModelManagerDialog", text)), text


def test_language_setting_chooses_the_catalogue(qapp, app_settings):
    from PySide6.QtCore import QLocale

    from aigc_desktop.app import translation_file

    assert app_settings.language() == ""
    app_settings.set_language("zh_CN")
    assert app_settings.language() == "zh_CN"
    app_settings.set_language("../../etc")  # not a language: back to the system's
    assert app_settings.language() == ""
    assert translation_file(QLocale("zh_CN")) == ("zh_CN", QM)
    assert translation_file(QLocale("en_US")) is None
    assert translation_file(QLocale("de_DE")) is None
    translators = install_translations(qapp, "en")
    try:  # English needs only its plural forms
        assert len(translators) == 1
        assert qapp.translate("MainWindow", "%n word(s)", "", 1) == "1 word"
        assert qapp.translate("MainWindow", "%n word(s)", "", 2) == "2 words"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_english_plurals_catalogue_is_complete_and_built(tmp_path):
    plurals_ts = ROOT / "resources" / "translations" / "english_plurals.ts"
    fresh = tmp_path / "plurals.ts"
    subprocess.run([tool("pyside6-lupdate"), "-locations", "none", "-no-obsolete", "-pluralonly", "-source-language",
                    "en", "-target-language", "en", *sources(), "-ts", str(fresh)], cwd=ROOT, check=True,
                   capture_output=True)
    committed = messages(plurals_ts)
    for key in messages(fresh):
        forms = [f.text for f in committed[key].iter("numerusform")] if key in committed else []
        assert len(forms) == 2 and all(forms), f"{key}: add its singular and plural to {plurals_ts.name}"
    built = tmp_path / "plurals.qm"
    subprocess.run([tool("pyside6-lrelease"), str(plurals_ts), "-qm", str(built)], check=True, capture_output=True)
    assert built.read_bytes() == (TRANSLATIONS_DIR / "english_plurals.qm").read_bytes()


# ----- (b) the real window, in Chinese, shows no English --------------------------------

# Names that stay as they are in a Chinese interface (removed before looking for English words).
PROPER_NAMES = (
    "aigc-desktop", "GPT-2", "UTF-8", "UTF-16 LE", "UTF-16 BE", "GB18030", "LF", "CRLF", "CPU",
    "English",  # the language combo names each language in itself
    "MB", "GB", "KB",
    "http://127.0.0.1:8080",  # an example address in the server field
)
SHORTCUTS = re.compile(r"\b(?:(?:Ctrl|Alt|Shift|Meta)\+\S+|Tab|Esc|Enter|F\d{1,2})")


@pytest.fixture
def zh_CN(qapp):
    translators = install_translations(qapp, "zh_CN")
    assert len(translators) == 2  # ours and Qt's own (qtbase: standard buttons)
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a user can see in root and its children."""
    found: list[tuple[str, str]] = []

    def add(where: str, text: str | None) -> None:
        if text:
            found.append((where, text))

    for widget in [root, *root.findChildren(QWidget)]:
        kind = f"{type(widget).__name__} {widget.objectName()}".strip()
        add(f"{kind} tooltip", widget.toolTip())
        add(f"{kind} status tip", widget.statusTip())
        if widget.isWindow() or isinstance(widget, QToolBar):
            add(f"{kind} title", widget.windowTitle())
        if isinstance(widget, QLabel):
            add(kind, widget.text())
        if isinstance(widget, QAbstractButton):
            add(kind, widget.text())
        if isinstance(widget, QLineEdit):
            add(f"{kind} placeholder", widget.placeholderText())
        if isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(f"{kind} item", widget.itemText(i))
        if isinstance(widget, QAbstractSpinBox):
            add(f"{kind} suffix", getattr(widget, "suffix", lambda: "")())
            add(f"{kind} prefix", getattr(widget, "prefix", lambda: "")())
        if isinstance(widget, QMenu):
            add(f"{kind} title", widget.title())
        if isinstance(widget, QTableWidget):
            for column in range(widget.columnCount()):
                add(f"{kind} header", widget.horizontalHeaderItem(column).text())
                for row in range(widget.rowCount()):
                    add(f"{kind} cell", widget.item(row, column).text())
        for action in widget.actions():
            where = f"action in {kind}"
            add(where, action.text())
            add(f"{where} tooltip", action.toolTip())
            add(f"{where} status tip", action.statusTip())
            add(f"{where} icon text", action.iconText())
    return found


def untranslated(texts: list[tuple[str, str]], names: tuple[str, ...]) -> list[tuple[str, str]]:
    bad = []
    for where, text in texts:
        if CJK.search(text):
            continue
        rest = re.sub(r"<[^>]+>|&\w+;", " ", text)  # rich text: tags and entities
        for name in sorted(names, key=len, reverse=True):
            rest = rest.replace(name, " ")
        rest = SHORTCUTS.sub(" ", rest)
        if re.search("[A-Za-z]", rest):
            bad.append((where, text))
    return bad


def test_window_and_dialogs_are_chinese(zh_CN, make_window, qtbot):
    from aigc_desktop.ui.settings.model_manager import ModelManagerDialog
    from aigc_desktop.ui.settings.settings_dialog import SettingsDialog

    window = make_window(fake_loader(FakeBackend(delay=0.001)))
    names = (*PROPER_NAMES, *(e.title for e in CATALOG), *(e.repo_id for e in CATALOG),
             window.session.model_info.name, window.session.model_info.device, window.generation_settings().model)
    assert window.menuBar().actions()[0].text() == "文件(&F)"

    # A run, so that the speed, context and pending-suggestion labels have text too.
    window.editor.setPlainText("Once upon a time")
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    window.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == "pending", timeout=10000)
    window._fill_recent_menu()
    window.show_about()
    if hasattr(window, "show_shortcuts"):
        window.show_shortcuts()
    texts = visible_texts(window)
    # Toolbar buttons and tooltips show "续写", not "续写(C)" (the mnemonic belongs in menus).
    mnemonics = [(where, text) for where, text in texts
                 if re.fullmatch(r"[^&]*\([A-Z]\)", text) and not where.startswith("action in QMenu")]
    assert not mnemonics
    assert ("QLabel", "Tab ✓ · Esc ✗") in texts
    assert any(text == "就绪" or "词元/秒" in text for _, text in texts)

    settings = SettingsDialog(window.generation_settings(), window, detected="", language="")
    qtbot.addWidget(settings)
    texts += visible_texts(settings)
    assert any(text == "确定" for _, text in texts)  # OK: Qt's own catalogue (qtbase_zh_CN)

    manager = ModelManagerDialog(window.generation_settings().model, window)
    try:
        texts += visible_texts(manager)
    finally:
        manager.done(0)

    assert len(texts) > 100
    assert not untranslated(texts, names), "visible English left in the zh_CN interface:\n" + "\n".join(
        f"{where}: {text!r}" for where, text in untranslated(texts, names))
    window.controller.reject()


def test_english_is_back_after_the_translator_is_removed(make_window):
    window = make_window(fake_loader(FakeBackend()))
    assert window.menuBar().actions()[0].text() == "&File"
