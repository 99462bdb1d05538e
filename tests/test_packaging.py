"""The cheap parts of packaging: desktop integration files, icons, the PyInstaller spec, About box.

Building the bundle and the .deb is packaging/smoke_test.sh, not part of this suite.
"""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
DESKTOP_FILE = RESOURCES / "aigc-desktop.desktop"
METAINFO = RESOURCES / "io.github.aigc_desktop.metainfo.xml"
SPEC = ROOT / "packaging" / "aigc-desktop.spec"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def pyproject_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'(?m)^version\s*=\s*"([^"]+)"', text).group(1)


# ----- .desktop and AppStream ----------------------------------------------------------
@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate not installed (apt install desktop-file-utils)")
def test_desktop_file_validates():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP_FILE)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("appstreamcli") is None,
                    reason="appstreamcli not installed (apt install appstream)")
def test_metainfo_validates():
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_file_launches_the_command_with_the_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP_FILE, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"].split()[0] == "aigc-desktop"  # /usr/bin/aigc-desktop from the .deb
    assert section["Icon"] == "aigc-desktop"  # resources/icons/aigc-desktop-*.png in hicolor
    # Qt reports the desktop file name "aigc-desktop" (app.setDesktopFileName): they must match.
    assert DESKTOP_FILE.stem == "aigc-desktop"
    assert section["StartupWMClass"] == "aigc-desktop"


def test_metainfo_points_at_the_desktop_file_and_the_current_release():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == METAINFO.name.removesuffix(".metainfo.xml")
    assert root.findtext("launchable") == DESKTOP_FILE.name
    assert root.find("provides/binary").text == "aigc-desktop"
    newest = root.find("releases/release")
    assert newest.get("version") == pyproject_version(), "add a <release> for the new version"


# ----- icons ------------------------------------------------------------------------------
def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_icon_has_its_declared_size(size):
    assert png_size(ICONS / f"aigc-desktop-{size}.png") == (size, size)


def test_svg_ico_and_icns_icons_exist():
    svg = ET.parse(ICONS / "aigc-desktop.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 512 512"
    ico = (ICONS / "aigc-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    widths = {ico[6 + 16 * i] or 256 for i in range(count)}  # 0 means 256
    assert {16, 32, 48, 256} <= widths
    icns = (ICONS / "aigc-desktop.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


# ----- the PyInstaller spec -----------------------------------------------------------------
class _Recorder:
    def __init__(self):
        self.calls: dict[str, list] = {}

    def stub(self, name, result=None):
        def call(*args, **kwargs):
            self.calls.setdefault(name, []).append((args, kwargs))
            return result(*args, **kwargs) if callable(result) else types.SimpleNamespace(args=args, **kwargs)

        return call


SAMPLE_FILES = {  # path in the bundle -> kept in the CPU flavour?
    "torch/lib/libtorch_cpu.so": True,
    "torch/lib/libtorch_python.so": True,
    "torch/lib/libtorchbind_test.so": False,
    "torch/include/ATen/ATen.h": False,
    "torch/test/test_api": False,
    "torch/bin/protoc": False,
    "torch/bin/torch_shm_manager": True,
    "nvidia/cublas/lib/libcublas.so.12": False,
    "torch/lib/libtorch_cuda.so": False,
    "PySide6/Qt/lib/libQt6Widgets.so.6": True,
    "PySide6/Qt/lib/libQt6XcbQpa.so.6": True,
    "PySide6/Qt/lib/libQt6Qml.so.6": False,
    "PySide6/Qt/lib/libQt6Network.so.6": False,
    "PySide6/Qt/plugins/platforms/libqxcb.so": True,
    "PySide6/Qt/plugins/platforms/libqwayland.so": True,
    "PySide6/Qt/plugins/platforms/libqoffscreen.so": True,
    "PySide6/Qt/plugins/platforms/libqeglfs.so": False,
    "PySide6/Qt/plugins/platforms/libqvnc.so": False,
    "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so": True,
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so": True,
    "PySide6/Qt/plugins/imageformats/libqsvg.so": True,
    "PySide6/Qt/plugins/imageformats/libqwebp.so": False,
    "PySide6/Qt/plugins/sqldrivers/libqsqlite.so": False,
    "PySide6/Qt/plugins/tls/libqopensslbackend.so": False,
    "PySide6/Qt/translations/qtbase_zh_CN.qm": True,
    "PySide6/Qt/translations/qtdeclarative_zh_CN.qm": False,
    "PySide6/plugins/platforms/qwindows.dll": True,
    "transformers/models/gpt2/modeling_gpt2.py": True,
    "resources/licenses/THIRD-PARTY-NOTICES.txt": True,
}


def run_spec(monkeypatch, platform: str = "linux", argv: tuple[str, ...] = ()) -> _Recorder:
    """Execute the spec with PyInstaller's build names stubbed; return what it asked for."""
    recorder = _Recorder()
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = recorder.stub("collect_submodules", lambda package, **kw: [f"{package}.stub"])
    hooks.copy_metadata = recorder.stub("copy_metadata", lambda *a, **kw: [])
    monkeypatch.setitem(sys.modules, "PyInstaller", types.ModuleType("PyInstaller"))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils", types.ModuleType("PyInstaller.utils"))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "argv", [str(SPEC), *argv])
    monkeypatch.setattr(sys, "platform", platform)

    def analysis(scripts, **kwargs):
        entries = [(path, f"/src/{path}", "BINARY") for path in SAMPLE_FILES]
        return types.SimpleNamespace(scripts=scripts, pure=["pure"], binaries=list(entries), datas=[],
                                     kwargs=kwargs)

    namespace = {
        "__name__": "__main__",
        "__file__": str(SPEC),
        "SPECPATH": str(SPEC.parent),
        "Analysis": recorder.stub("Analysis", analysis),
        "PYZ": recorder.stub("PYZ"),
        "EXE": recorder.stub("EXE"),
        "COLLECT": recorder.stub("COLLECT"),
        "BUNDLE": recorder.stub("BUNDLE"),
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    recorder.namespace = namespace
    return recorder


def test_spec_builds_one_folder_app_from_the_cli_entry_point(monkeypatch):
    spec = run_spec(monkeypatch)
    (scripts,), analysis = spec.calls["Analysis"][0]
    assert Path(scripts[0]).name == "launcher.py"
    assert "from aigc_desktop.cli import main" in Path(scripts[0]).read_text(encoding="utf-8")
    assert str(ROOT) in analysis["pathex"]
    # transformers loads its models by name at run time: its modules must be listed explicitly.
    collected = [args[0] for args, _ in spec.calls["collect_submodules"]]
    assert "transformers" in collected and "aigc_desktop" in collected
    assert "transformers.stub" in analysis["hiddenimports"]
    assert "tkinter" in analysis["excludes"] and "PySide6.QtNetwork" in analysis["excludes"]
    # the version for importlib.metadata, and the licences
    metadata = [args[0] for args, _ in spec.calls["copy_metadata"]]
    assert "aigc-desktop" in metadata and "torch" in metadata
    assert any(dest == "resources/licenses" for _src, dest in analysis["datas"])
    (exe_args, exe), = spec.calls["EXE"]
    assert exe["name"] == "aigc-desktop" and exe["exclude_binaries"] is True  # onedir
    (collect_args, collect), = spec.calls["COLLECT"]
    assert collect["name"] == "aigc-desktop"
    assert "BUNDLE" not in spec.calls
    assert spec.namespace["VERSION"] == pyproject_version()


def test_spec_leaves_out_what_the_app_never_uses(monkeypatch):
    spec = run_spec(monkeypatch)
    (collect_args, _), = spec.calls["COLLECT"]
    kept = {entry[0] for entry in collect_args[1]}  # (exe, binaries, datas)
    assert kept == {path for path, wanted in SAMPLE_FILES.items() if wanted}


def test_spec_cuda_flavour_keeps_cuda_libraries(monkeypatch):
    spec = run_spec(monkeypatch, argv=("--flavour", "cuda"))
    (collect_args, _), = spec.calls["COLLECT"]
    kept = {entry[0] for entry in collect_args[1]}
    assert {"nvidia/cublas/lib/libcublas.so.12", "torch/lib/libtorch_cuda.so"} <= kept
    assert "torch/include/ATen/ATen.h" not in kept


def test_spec_on_windows_has_a_windowed_app_and_a_console_cli(monkeypatch):
    spec = run_spec(monkeypatch, platform="win32")
    exes = {kwargs["name"]: kwargs for _args, kwargs in spec.calls["EXE"]}
    assert exes["aigc-desktop"]["console"] is False
    assert exes["aigc-desktop-cli"]["console"] is True
    assert exes["aigc-desktop"]["icon"].endswith("aigc-desktop.ico")
    assert Path(exes["aigc-desktop"]["icon"]).is_file()
    assert "BUNDLE" not in spec.calls


def test_spec_on_macos_makes_an_app_bundle(monkeypatch):
    spec = run_spec(monkeypatch, platform="darwin")
    (_args, bundle), = spec.calls["BUNDLE"]
    assert bundle["name"] == "aigc-desktop.app"
    assert bundle["bundle_identifier"] == "io.github.aigc_desktop"
    assert Path(bundle["icon"]).is_file() and bundle["icon"].endswith(".icns")
    assert bundle["info_plist"]["CFBundleShortVersionString"] == pyproject_version()
    (_args, exe), = spec.calls["EXE"]
    assert exe["console"] is False


def test_inno_setup_script_uses_the_bundle_and_the_icon():
    iss = (ROOT / "packaging" / "windows" / "aigc-desktop.iss").read_text(encoding="utf-8")
    assert "dist\\aigc-desktop\\*" in iss
    assert "aigc-desktop.ico" in iss
    assert "{#AppVersion}" in iss


# ----- Help > About ----------------------------------------------------------------------------
def test_about_box_shows_the_pyproject_version_and_the_licences(make_window, qtbot):
    from fake_backend import FakeBackend, fake_loader
    from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit

    from aigc_desktop.ui.window.about import app_version

    assert app_version() == pyproject_version(), "reinstall the project: pip install -e ."
    window = make_window(fake_loader(FakeBackend()))
    window.show_about()
    dialog = window.findChild(QDialog, "aboutDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert f"aigc-desktop {pyproject_version()}" in dialog.findChild(QLabel, "aboutText").text()
    licences = dialog.findChild(QPlainTextEdit, "licencesText").toPlainText()
    for part, licence in [("PySide6", "LGPL-3.0"), ("PyTorch", "BSD-3-Clause"), ("transformers", "Apache-2.0"),
                          ("tokenizers", "Apache-2.0"), ("safetensors", "Apache-2.0"),
                          ("huggingface_hub", "Apache-2.0"), ("qasync", "BSD-2-Clause"), ("gguf", "MIT"),
                          ("numpy", "BSD-3-Clause")]:
        line = next((line for line in licences.splitlines() if line.startswith(part)), "")
        assert licence in line, f"{part}: {line!r}"
    dialog.reject()
    window.show_about()  # the same dialog again, not a second one
    assert len(window.findChildren(QDialog, "aboutDialog")) == 1
    dialog.reject()


def test_licence_texts_named_in_the_notices_exist():
    notices = (RESOURCES / "licenses" / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    for name in sorted(set(re.findall(r"[\w.-]+\.txt", notices))):
        assert (RESOURCES / "licenses" / name).is_file(), name
