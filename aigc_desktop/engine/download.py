"""Downloading a model from the Hugging Face hub into its standard cache, with progress.

Only what loading needs is fetched (config, tokenizer files, safetensors
weights), never pickle .bin, .h5, .msgpack or .onnx files. Files land in the
standard cache layout (blobs/<etag>, snapshots/<commit>/<name>, refs/main), so
transformers finds them offline. huggingface_hub 2.x deletes a partial file
when a download is interrupted; a 550 MB weight file would then start over, so
the body is fetched here with HTTP Range into a partial file that survives
Cancel, a crash or a lost connection, and resumes where it stopped.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import ModelLoadError, first_line
from .loading import hub_reachable
from .stop_flag import StopFlag

NEEDED_FILES = (
    "config.json",
    "generation_config.json",
    "*.safetensors",
    "model.safetensors.index.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "merges.txt",
    "vocab.txt",
)


class DownloadCancelled(Exception):
    """The user pressed Cancel; the partial file stays for a later resume."""


@dataclass(frozen=True)
class Progress:
    done_bytes: int
    total_bytes: int
    bytes_per_second: float

    @property
    def seconds_left(self) -> float | None:
        if self.bytes_per_second <= 0:
            return None
        return max(0.0, (self.total_bytes - self.done_bytes) / self.bytes_per_second)


def needed(filenames) -> list[str]:
    return [name for name in filenames if any(fnmatch.fnmatch(name, pattern) for pattern in NEEDED_FILES)]


def plan(repo_id: str) -> list[tuple[str, int]]:
    """(filename, size) of every file loading needs, from the hub's file list."""
    from huggingface_hub import HfApi

    try:
        info = HfApi().model_info(repo_id, files_metadata=True, timeout=10)
    except Exception as exc:  # noqa: BLE001 - every hub failure becomes one clear message
        raise ModelLoadError(f"Could not get the file list of '{repo_id}' from the hub: {first_line(exc)}") from exc
    files = {s.rfilename: (s.size or 0) for s in info.siblings or ()}
    chosen = needed(files)
    if not any(name.endswith(".safetensors") for name in chosen):
        raise ModelLoadError(
            f"'{repo_id}' publishes no safetensors weights; for safety aigc-desktop does not load "
            "pickle (.bin) weights. Choose another model or a local folder."
        )
    if "config.json" not in chosen:
        raise ModelLoadError(f"'{repo_id}' has no config.json: it is not a model that can be loaded.")
    return [(name, files[name]) for name in sorted(chosen)]


def download(repo_id: str, on_progress: Callable[[Progress], None] | None = None,
             cancel: StopFlag | None = None) -> str:
    """Fetch what `repo_id` needs into the Hugging Face cache; return the snapshot folder."""
    if not hub_reachable():
        raise ModelLoadError(
            "The Hugging Face hub cannot be reached (offline, or HF_HUB_OFFLINE is set). "
            "Connect to the internet, or choose a local model folder or GGUF file instead."
        )
    cancel = cancel or StopFlag()
    files = plan(repo_id)
    total = sum(size for _, size in files)
    started = time.monotonic()
    finished = 0
    resumed = 0  # bytes found on disk from an earlier run: not part of the speed

    def report(current: int) -> None:
        if on_progress is not None:
            done = finished + current
            elapsed = time.monotonic() - started
            speed = (done - resumed) / elapsed if elapsed > 0.2 else 0.0
            on_progress(Progress(done, total, max(0.0, speed)))

    snapshot = None
    for name, size in files:
        if cancel.is_set():
            raise DownloadCancelled()
        try:
            path, had = _fetch(repo_id, name, report, cancel)
        except (DownloadCancelled, ModelLoadError):
            raise
        except Exception as exc:  # noqa: BLE001 - network and disk failures become one clear message
            raise ModelLoadError(f"Downloading {name} of '{repo_id}' failed: {first_line(exc)}") from exc
        resumed += had
        finished += size
        report(0)
        snapshot = snapshot or str(path.parent)
    return snapshot


def _fetch(repo_id: str, name: str, report: Callable[[int], None], cancel: StopFlag) -> tuple[Path, int]:
    """One file into the cache; returns its snapshot path and the bytes that were already on disk."""
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session

    meta = get_hf_file_metadata(hf_hub_url(repo_id, name), timeout=10)
    if not meta.etag or not meta.commit_hash:
        raise ModelLoadError(f"The hub sent no version information for {name} of '{repo_id}'.")
    repo_dir = Path(constants.HF_HUB_CACHE) / ("models--" + repo_id.replace("/", "--"))
    blob = repo_dir / "blobs" / meta.etag
    pointer = repo_dir / "snapshots" / meta.commit_hash / name
    had = 0
    if not blob.exists():
        blob.parent.mkdir(parents=True, exist_ok=True)
        partial = blob.with_name(meta.etag + ".partial")
        had = have = partial.stat().st_size if partial.exists() else 0
        headers = build_hf_headers()
        if have:
            headers["Range"] = f"bytes={have}-"
        with get_session().stream("GET", meta.location, headers=headers, follow_redirects=True,
                                  timeout=30) as response:
            if response.status_code == 200:
                had = have = 0  # the server ignored Range: start over
            elif response.status_code != 206:
                response.raise_for_status()
                raise ModelLoadError(f"Unexpected answer {response.status_code} for {name}.")
            with open(partial, "ab" if have else "wb") as out:
                report(have)
                for chunk in response.iter_bytes(1 << 16):
                    if cancel.is_set():
                        raise DownloadCancelled()
                    out.write(chunk)
                    have += len(chunk)
                    report(have)
                out.flush()
                os.fsync(out.fileno())
        if meta.size is not None and have != meta.size:
            raise ModelLoadError(f"{name} arrived incomplete ({have} of {meta.size} bytes); try again to resume.")
        os.replace(partial, blob)
    _link(blob, pointer)
    refs = repo_dir / "refs" / "main"
    refs.parent.mkdir(parents=True, exist_ok=True)
    refs.write_text(meta.commit_hash)
    return pointer, had


def _link(blob: Path, pointer: Path) -> None:
    """snapshots/<commit>/<name> -> ../../blobs/<etag>, as huggingface_hub lays it out (a copy where links fail)."""
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if pointer.exists() or pointer.is_symlink():
        pointer.unlink()
    try:
        pointer.symlink_to(os.path.relpath(blob, pointer.parent))
    except OSError:
        shutil.copyfile(blob, pointer)
