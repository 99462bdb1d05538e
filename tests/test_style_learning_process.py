"""Learning a style in a child process: progress, the outcome, Stop, a lost app, a failure (tiny real models)."""

from __future__ import annotations

import errno
import os
import threading

from test_style_engine import FAST, writer_text

from aigc_desktop.engine.style.corpus import Corpus, Document
from aigc_desktop.engine.style.learning_process import LearningJob, LearningProcess
from aigc_desktop.engine.style.pause_flag import PauseFlag
from aigc_desktop.engine.style.store import StyleStore
from aigc_desktop.engine.style.training_settings import TrainingSettings
from aigc_desktop.engine.text.stop_flag import StopFlag


class Recorder:
    """The callbacks, as the dialog's relay receives them (in the relay thread)."""

    def __init__(self) -> None:
        self.progress, self.finished, self.failed = [], [], []
        self.first_progress, self.ended = threading.Event(), threading.Event()
        self.pids: list[int] = []

    def on_progress(self, p) -> None:
        self.progress.append(p)
        self.first_progress.set()

    def on_finished(self, outcome) -> None:
        self.finished.append(outcome)
        self.ended.set()

    def on_failed(self, message: str) -> None:
        self.failed.append(message)
        self.ended.set()


def start(source: str, store: StyleStore, name: str = "Fox", stop: StopFlag | None = None,
          pause: PauseFlag | None = None, **settings) -> tuple[LearningProcess, Recorder]:
    corpus = Corpus((Document.from_text("drafts.txt", writer_text()),))
    job = LearningJob(source, "cpu", corpus, name, str(store.root), TrainingSettings(**{**FAST, **settings}))
    seen = Recorder()
    process = LearningProcess(job, stop or StopFlag(), pause, seen.on_progress, seen.on_finished, seen.on_failed)
    process.start()
    return process, seen


def test_a_style_learned_in_a_child_process_is_saved_and_the_progress_comes_back(tiny_gpt2_dir, tmp_path):
    store = StyleStore(tmp_path / "styles")
    process, seen = start(str(tiny_gpt2_dir), store)
    assert process.pid is not None and process.pid != os.getpid()
    assert seen.ended.wait(180) and process.join(30)
    assert seen.failed == []
    outcome = seen.finished[0]
    assert outcome.style is not None and outcome.style.name == "Fox" and store.names() == ["Fox"]
    steps = [p.step for p in seen.progress]
    assert steps and steps == sorted(steps) and steps[-1] == outcome.training.steps
    assert outcome.evaluation.perplexity_after < outcome.evaluation.perplexity_before
    assert process.exitcode == 0  # the child ended by itself once it had reported


def test_stop_reaches_the_child_and_the_checkpoint_is_kept(tiny_gpt2_dir, tmp_path):
    store, stop = StyleStore(tmp_path / "styles"), StopFlag()
    process, seen = start(str(tiny_gpt2_dir), store, stop=stop, minutes=60, epochs=50)
    assert seen.first_progress.wait(120)
    stop.request_stop()
    assert seen.ended.wait(120) and process.join(30)
    assert seen.failed == [] and seen.finished[0].style is None  # cancelled
    assert store.names() == [] and (store.root / ".training" / "Fox" / "checkpoint.safetensors").is_file()


def test_when_the_app_goes_away_the_child_stops_after_its_step_and_keeps_the_checkpoint(tiny_gpt2_dir, tmp_path):
    store = StyleStore(tmp_path / "styles")
    process, seen = start(str(tiny_gpt2_dir), store, minutes=60, epochs=50)
    assert seen.first_progress.wait(120)
    process._control.close()  # as when the app's process ends: the child reads end-of-file on its pipe
    assert seen.ended.wait(120) and process.join(30)
    assert seen.finished and seen.finished[0].style is None
    assert (store.root / ".training" / "Fox" / "checkpoint.safetensors").is_file()


def test_a_failure_in_the_child_is_the_engines_one_line(tmp_path):
    store = StyleStore(tmp_path / "styles")
    process, seen = start(str(tmp_path / "no-such-model"), store)
    assert seen.ended.wait(120) and process.join(30)
    assert seen.finished == [] and len(seen.failed) == 1
    assert seen.failed[0] == f"Model folder not found: {tmp_path / 'no-such-model'}"
    assert not store.root.exists() or store.names() == []


def test_a_child_that_cannot_be_started_is_one_line(tmp_path):
    corpus = Corpus((Document.from_text("drafts.txt", writer_text()),))
    job = LearningJob("unused", "cpu", corpus, "Fox", str(tmp_path / "styles"), TrainingSettings(**FAST))
    seen = Recorder()
    process = LearningProcess(job, StopFlag(), None, seen.on_progress, seen.on_finished, seen.on_failed)

    def no_processes_left():
        raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))

    process._process.start = no_processes_left  # as fork fails when the user's process limit is reached
    process.start()
    assert seen.failed == [f"Could not start learning: {os.strerror(errno.EAGAIN)}."] and seen.finished == []
    assert process.join(1)  # nothing left running
