"""Downloading through huggingface_hub from a local fake hub: only needed files, progress, cancel, resume."""

from __future__ import annotations

import shutil
import time

import pytest
from fake_hub import FakeHub

from aigc_desktop.engine import StopFlag
from aigc_desktop.engine.local.catalog import CATALOG, cached_snapshot, find, is_downloaded
from aigc_desktop.engine.local.download import DownloadCancelled, download, needed
from aigc_desktop.engine.errors import ModelLoadError
from aigc_desktop.engine.local.loading import load_model


@pytest.fixture
def repo_with_extras(tiny_gpt2_dir, tmp_path):
    folder = tmp_path / "repo"
    shutil.copytree(tiny_gpt2_dir, folder)
    for junk in ("pytorch_model.bin", "flax_model.msgpack", "tf_model.h5", "model.onnx"):
        (folder / junk).write_bytes(b"\0" * 1000)
    return folder


def test_needed_files_skip_pickles_and_other_frameworks():
    files = ["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack",
             "onnx/model.onnx", "vocab.txt", "merges.txt", "README.md", "tokenizer.json"]
    assert needed(files) == ["config.json", "model.safetensors", "vocab.txt", "merges.txt", "tokenizer.json"]


def test_download_fetches_only_what_loading_needs_with_progress(hub_env, repo_with_extras):
    with FakeHub({"acme/tiny": repo_with_extras}) as hub:
        hub_env(hub)
        assert not is_downloaded("acme/tiny")
        seen = []
        snapshot = download("acme/tiny", seen.append)
        fetched = {path.rsplit("/", 1)[-1] for method, path, _ in hub.requests if method == "GET" and "/resolve/" in path}
    assert fetched == {"config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                       "tokenizer_config.json"}
    done = [p.done_bytes for p in seen]
    assert done == sorted(done) and seen[-1].done_bytes == seen[-1].total_bytes > 500_000
    assert is_downloaded("acme/tiny") and str(cached_snapshot("acme/tiny")) == snapshot
    loaded = load_model("acme/tiny", "cpu", allow_download=False)  # from the cache, no network
    assert loaded.window == 128


def test_cancel_then_resume_from_partial_file(hub_env, repo_with_extras):
    cancel = StopFlag()
    with FakeHub({"acme/tiny": repo_with_extras}, chunk=16 * 1024, delay_per_chunk=0.01) as hub:
        hub_env(hub)

        def on_progress(progress):
            if progress.done_bytes > 200_000:
                cancel.request_stop()

        started = time.monotonic()
        with pytest.raises(DownloadCancelled):
            download("acme/tiny", on_progress, cancel)
        assert time.monotonic() - started < 10
        assert not is_downloaded("acme/tiny")
        seen = []
        download("acme/tiny", seen.append)
        ranges = [rng for method, path, rng in hub.requests if method == "GET" and path.endswith("model.safetensors")]
    assert ranges[-1] is not None and ranges[-1].startswith("bytes=")  # resumed, not restarted
    assert seen[-1].done_bytes == seen[-1].total_bytes
    assert is_downloaded("acme/tiny")


def test_repo_without_safetensors_is_refused(hub_env, tmp_path):
    folder = tmp_path / "pickle-only"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "gpt2"}')
    (folder / "pytorch_model.bin").write_bytes(b"\0" * 100)
    with FakeHub({"acme/pickle": folder}) as hub:
        hub_env(hub)
        with pytest.raises(ModelLoadError, match="safetensors"):
            download("acme/pickle")
        assert not any("/resolve/" in path for _, path, _ in hub.requests)


def test_offline_gives_clear_message_fast(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ModelLoadError, match="cannot be reached"):
        download("openai-community/gpt2")
    assert time.monotonic() - started < 5


def test_catalog_has_the_promised_models():
    ids = [entry.repo_id for entry in CATALOG]
    assert ids[0] == "openai-community/gpt2"
    for repo in ("distilbert/distilgpt2", "openai-community/gpt2-medium", "openai-community/gpt2-large",
                 "openai-community/gpt2-xl", "uer/gpt2-chinese-cluecorpussmall"):
        assert repo in ids
    assert find("uer/gpt2-chinese-cluecorpussmall").language == "Chinese"
    assert all(e.download_bytes > 0 and e.memory_bytes > 0 and e.description for e in CATALOG)
