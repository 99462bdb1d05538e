import os
import sys
from pathlib import Path

import tempfile
import time

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach a model hub
# The fast mode's graphs and converted GGUF files are cached; tests keep theirs out of the user's cache.
os.environ.setdefault("AIGC_DESKTOP_CACHE", tempfile.mkdtemp(prefix="aigc-desktop-test-cache-"))

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import build_tiny_chinese_gpt2, build_tiny_gpt2  # noqa: E402

SHARED_GPT2_TOKENIZER = Path(__file__).resolve().parents[1].parent / "shared" / "gpt2-tokenizer"


@pytest.fixture(scope="session")
def tiny_gpt2_dir(tmp_path_factory) -> Path:
    return build_tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="session")
def tiny_chinese_dir(tmp_path_factory) -> Path:
    return build_tiny_chinese_gpt2(tmp_path_factory.mktemp("tiny-gpt2-chinese"))


@pytest.fixture(scope="session")
def tiny_gpt2(tiny_gpt2_dir):
    from aigc_desktop.engine.local.loading import load_model

    return load_model(str(tiny_gpt2_dir), device="cpu")


@pytest.fixture(scope="session")
def tiny_chinese(tiny_chinese_dir):
    from aigc_desktop.engine.local.loading import load_model

    return load_model(str(tiny_chinese_dir), device="cpu")


@pytest.fixture
def gpt2_tokenizer_dir() -> Path:
    if not (SHARED_GPT2_TOKENIZER / "vocab.json").is_file():
        pytest.skip("the real GPT-2 tokenizer files (../shared/gpt2-tokenizer) are not present")
    return SHARED_GPT2_TOKENIZER


@pytest.fixture
def app_settings(tmp_path):
    from PySide6.QtCore import QSettings

    from aigc_desktop.ui.settings.user_settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def make_window(qtbot, app_settings):
    """make_window(loader, **overrides) -> a shown MainWindow whose model is loaded."""
    from aigc_desktop.ui.window.main_window import MainWindow

    windows = []

    def make(loader, wait_for_model=True, **overrides):
        overrides.setdefault("model", "test-model")
        window = MainWindow(app_settings, overrides, loader=loader)
        window.document.ask_save_changes = lambda: pytest.fail("unexpected save prompt")
        # Not qtbot.addWidget: its teardown would close the window before ours marks it closing.
        window.show()
        qtbot.waitExposed(window)
        window.session.start_model()
        if wait_for_model:
            qtbot.waitUntil(lambda: window.session.model_info is not None or window.banner.isVisible(), timeout=30000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window._closing = True  # skip the unsaved-changes prompt
        window.close()
        assert window.host.worker_thread.isFinished()
        window.deleteLater()


# --- reliability (issue 7) ------------------------------------------------------------

_RELIABILITY_TALLY = {"faults injected": 0, "bad inputs tried": 0, "steps fuzzed": 0, "bytes lost": 0}


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Crash-recovery files of every test go to its own folder, never the user's data folder."""
    monkeypatch.setenv("AIGC_DESKTOP_DATA_DIR", str(tmp_path / "app-data"))


@pytest.fixture(scope="session")
def reliability_tally() -> dict:
    """Counters the reliability tests add to; printed at the end of the run (see README)."""
    return _RELIABILITY_TALLY


# --- hostile input (issue 15) -----------------------------------------------------------

_HOSTILE_TALLY = {"cases tried": 0, "crashes": 0, "tracebacks": 0, "bytes lost": 0}


@pytest.fixture(scope="session")
def hostile_tally() -> dict:
    """Counters the hostile-input tests add to; printed at the end of the run (see README's Security)."""
    return _HOSTILE_TALLY


def pytest_terminal_summary(terminalreporter):
    if any(_RELIABILITY_TALLY.values()):
        terminalreporter.write_line(
            "reliability: " + ", ".join(f"{name} {count}" for name, count in _RELIABILITY_TALLY.items()))
    if any(_HOSTILE_TALLY.values()):
        terminalreporter.write_line(
            "hostile input: " + ", ".join(f"{name} {count}" for name, count in _HOSTILE_TALLY.items()))


@pytest.fixture
def hub_env(monkeypatch, tmp_path):
    """use(fake_hub): huggingface_hub talks to that local hub, with a fresh cache and offline mode off."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))

    def use(hub) -> None:
        monkeypatch.setattr(constants, "ENDPOINT", hub.endpoint)
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                            hub.endpoint + "/{repo_id}/resolve/{revision}/{filename}")

    return use


@pytest.fixture(scope="module")
def one_torch_thread():
    """For modules of many tiny-model runs: they gain nothing from intra-op threads, and on a
    busy machine OpenMP's waiting threads make every forward pass ten times slower."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def gui_event_loop(qapp):
    """qasync's event loop on the GUI thread, as in the app, while pytest-qt drives Qt's own loop.

    already_running=True makes tasks run whenever Qt processes events (qtbot.waitUntil).
    Teardown cannot use loop.stop(): it calls QApplication.exit(), which would end every
    later qtbot.wait at once; so the loop is marked stopped by hand and closed.
    """
    import asyncio
    import sys

    from aigc_desktop.ui.suggestion.event_loop import gui_event_loop

    hooks = sys.get_asyncgen_hooks()
    loop = gui_event_loop(qapp, already_running=True)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + 2
    while not all(task.done() for task in pending) and time.monotonic() < deadline:
        qapp.processEvents()  # let them finish (and async generators close) while the loop runs
    qapp.aboutToQuit.disconnect(loop._after_run_forever)
    loop._after_run_forever()
    asyncio.events._set_running_loop(None)
    loop._QEventLoop__is_running = False
    loop.close()
    asyncio.set_event_loop(None)
    sys.set_asyncgen_hooks(*hooks)
    # Never let the garbage collector free it: it may run on any thread (the worker's, a test
    # server's), and a QObject of qasync's deleted off its thread leaves its Qt timers armed,
    # to fire later on freed memory (a segfault seen once in a few runs).
    _CLOSED_LOOPS.append(loop)


_CLOSED_LOOPS: list = []
