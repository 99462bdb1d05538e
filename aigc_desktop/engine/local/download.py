"""Downloading a model from the Hugging Face hub into its standard cache, with progress.

Only what loading needs is fetched (config, tokenizer files, safetensors
weights), never pickle .bin, .h5, .msgpack or .onnx files. Files land in the
standard cache layout (blobs/<etag>, snapshots/<commit>/<name>, refs/main), so
transformers finds them offline. huggingface_hub 2.x deletes a partial file
when a download is interrupted; a 550 MB weight file would then start over, so
the body is fetched here with HTTP Range into a partial file that survives
Cancel, a crash or a lost connection, and resumes where it stopped.

A hub (or a mirror set with HF_ENDPOINT) is not trusted: file names, commit
ids and ETags that would leave the cache folder are refused (huggingface_hub's
rules), the token never goes to another host, a body is cut off at its declared
size, and a file is kept only when its sha256 matches the one the hub gives.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ..errors import ModelLoadError, first_line
from ..text.stop_flag import StopFlag
from .loading import hub_reachable

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


COMMIT = re.compile(r"[0-9a-f]{40}")  # huggingface_hub's REGEX_COMMIT_HASH
SHA256 = re.compile(r"[0-9a-f]{64}")
ETAG = re.compile(r"[A-Za-z0-9_-]{1,128}")  # a blob's file name: no dots, no separators


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


@dataclass(frozen=True)
class HubFile:
    name: str
    size: int  # from the file list; 0 when the hub gave none
    sha256: str | None = None  # the hub's checksum for large (LFS) files


def safe_file_name(name: object) -> bool:
    """A relative path that stays inside the snapshot folder, as huggingface_hub requires."""
    if not isinstance(name, str) or not name or len(name) > 1000 or "\\" in name or "\0" in name:
        return False
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def plan(repo_id: str) -> list[HubFile]:
    """Every file loading needs, from the hub's file list."""
    from huggingface_hub import HfApi
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except Exception:  # noqa: BLE001 - HFValidationError and friends
        raise ModelLoadError(f"'{repo_id}' is not a valid Hugging Face model id.") from None
    try:
        info = HfApi().model_info(repo_id, files_metadata=True, timeout=10)
    except Exception as exc:  # noqa: BLE001 - every hub failure becomes one clear message
        raise ModelLoadError(f"Could not get the file list of '{repo_id}' from the hub: {first_line(exc)}") from exc
    files = {s.rfilename: _hub_file(s) for s in info.siblings or ()}
    chosen = needed(files)
    unsafe = [name for name in chosen if not safe_file_name(name)]
    if unsafe:
        raise ModelLoadError(f"The hub listed a file name for '{repo_id}' that would be written outside its "
                             f"folder ({unsafe[0]!r}); nothing was downloaded.")
    if not any(name.endswith(".safetensors") for name in chosen):
        raise ModelLoadError(
            f"'{repo_id}' publishes no safetensors weights; for safety aigc-desktop does not load "
            "pickle (.bin) weights. Choose another model or a local folder."
        )
    if "config.json" not in chosen:
        raise ModelLoadError(f"'{repo_id}' has no config.json: it is not a model that can be loaded.")
    return [files[name] for name in sorted(chosen)]


def _hub_file(sibling) -> HubFile:
    size = sibling.size if isinstance(sibling.size, int) and sibling.size >= 0 else 0
    lfs = getattr(sibling, "lfs", None)
    sha = getattr(lfs, "sha256", None) if lfs is not None else None
    return HubFile(sibling.rfilename, size, sha.lower() if isinstance(sha, str) and SHA256.fullmatch(sha.lower())
                   else None)


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
    total = sum(f.size for f in files)
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
    for file in files:
        name = file.name
        if cancel.is_set():
            raise DownloadCancelled()
        try:
            path, had = _fetch(repo_id, file, report, cancel)
        except (DownloadCancelled, ModelLoadError):
            raise
        except Exception as exc:  # noqa: BLE001 - network and disk failures become one clear message
            raise ModelLoadError(f"Downloading {name} of '{repo_id}' failed: {first_line(exc)}") from exc
        resumed += had
        finished += file.size
        report(0)
        snapshot = snapshot or str(path.parent)
    if snapshot is None:  # plan() lists at least the weights; this is for the type checker's sake
        raise ModelLoadError(f"'{repo_id}' has no files to download.")
    return snapshot


def _fetch(repo_id: str, file: HubFile, report: Callable[[int], None], cancel: StopFlag) -> tuple[Path, int]:
    """One file into the cache; returns its snapshot path and the bytes that were already on disk."""
    from huggingface_hub import constants, get_hf_file_metadata, hf_hub_url

    name = file.name
    meta = get_hf_file_metadata(hf_hub_url(repo_id, name), timeout=10)
    if not meta.etag or not meta.commit_hash:
        raise ModelLoadError(f"The hub sent no version information for {name} of '{repo_id}'.")
    etag, commit = meta.etag, meta.commit_hash
    if not COMMIT.fullmatch(commit) or not ETAG.fullmatch(etag):
        raise ModelLoadError(f"The hub sent an invalid version id for {name} of '{repo_id}'; nothing was written.")
    repo_dir = Path(constants.HF_HUB_CACHE) / ("models--" + repo_id.replace("/", "--"))
    blob = repo_dir / "blobs" / etag
    pointer = _pointer_path(repo_dir, commit, name)
    size = meta.size if meta.size is not None else (file.size or None)
    if size is None:
        raise ModelLoadError(f"The hub did not say how large {name} of '{repo_id}' is; it was not downloaded.")
    sha256 = file.sha256 or (etag if SHA256.fullmatch(etag) else None)
    had = 0
    if not blob.exists():
        blob.parent.mkdir(parents=True, exist_ok=True)
        partial = blob.with_name(etag + ".partial")
        had = _fetch_body(meta.location, partial, size, name, report, cancel)
        if sha256 is not None and _sha256_of(partial) != sha256:
            partial.unlink()
            raise ModelLoadError(f"{name} does not match the checksum the hub gave for it; the file was deleted. "
                                 "Try again, or use another mirror.")
        os.replace(partial, blob)
    _link(blob, pointer)
    refs = repo_dir / "refs" / "main"
    refs.parent.mkdir(parents=True, exist_ok=True)
    refs.write_text(commit)
    return pointer, had


def _pointer_path(repo_dir: Path, commit: str, name: str) -> Path:
    """snapshots/<commit>/<name>, refused unless it lies inside snapshots/ (huggingface_hub's check)."""
    snapshots = os.path.abspath(repo_dir / "snapshots")
    pointer = os.path.abspath(os.path.join(snapshots, commit, name))
    if not safe_file_name(name) or Path(snapshots) not in Path(pointer).parents:
        raise ModelLoadError(f"The hub sent a file name that would be written outside the model's folder "
                             f"({name!r}); nothing was written.")
    return Path(pointer)


def _fetch_body(location: str, partial: Path, size: int, name: str, report: Callable[[int], None],
                cancel: StopFlag) -> int:
    """The file's bytes into partial (resuming it), never more than size; returns the bytes already there."""
    from huggingface_hub.utils import build_hf_headers, get_session

    had = have = partial.stat().st_size if partial.exists() else 0
    if have > size:
        partial.unlink()  # left by a hostile or changed mirror: start over
        had = have = 0
    headers = _headers_for(location, build_hf_headers())
    if have:
        headers["Range"] = f"bytes={have}-"
    with get_session().stream("GET", location, headers=headers, follow_redirects=True, timeout=30) as response:
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
                if have + len(chunk) > size:
                    out.close()
                    partial.unlink()
                    raise ModelLoadError(f"{name} is larger than the hub said ({size} bytes); the download was "
                                         "stopped and the partial file deleted.")
                out.write(chunk)
                have += len(chunk)
                report(have)
            out.flush()
            os.fsync(out.fileno())
    if have != size:
        raise ModelLoadError(f"{name} arrived incomplete ({have} of {size} bytes); try again to resume.")
    return had


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _headers_for(location: str, headers: dict) -> dict:
    """The token goes only to the hub's own origin; a CDN or any other host gets none (as huggingface_hub does).

    Redirects from there on are followed by httpx, which drops Authorization when the origin changes.
    """
    from huggingface_hub import constants

    hub_origins = {_origin(constants.ENDPOINT), _origin("https://huggingface.co")}
    if _origin(location) not in hub_origins:
        headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
    return headers


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _link(blob: Path, pointer: Path) -> None:
    """snapshots/<commit>/<name> -> ../../blobs/<etag>, as huggingface_hub lays it out (a copy where links fail)."""
    pointer.parent.mkdir(parents=True, exist_ok=True)
    if pointer.exists() or pointer.is_symlink():
        pointer.unlink()
    try:
        pointer.symlink_to(os.path.relpath(blob, pointer.parent))
    except OSError:
        shutil.copyfile(blob, pointer)
