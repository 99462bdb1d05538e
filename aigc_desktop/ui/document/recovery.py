"""Crash recovery: unsaved text is copied to the user's data folder while the user types.

Layout of the recovery folder (AppLocalDataLocation/recovery, or
$AIGC_DESKTOP_DATA_DIR/recovery):

    <session>.lock             held locked (flock / msvcrt) for as long as its process runs
    <session>--<doc>.json      one document's latest unsaved text, written atomically

A session is one running editor window (its id starts with the process id).
Entries of a session whose lock can be taken belong to an editor that is no
longer running: those are offered for recovery. Entries of a live session are
never touched by another instance.

Each entry holds the document's original path (or null for "Untitled"), its
encoding and newline style, the time, and the user's text; never the pending
suggestion, which is not the user's text until accepted. The JSON is UTF-8
written with "surrogatepass", so any string, even a lone surrogate, comes back exactly.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from .document_io import DocumentError, TextFormat, write_bytes_atomic

ENV_DATA_DIR = "AIGC_DESKTOP_DATA_DIR"
APP_DIR_NAME = "aigc-desktop"
_MAGIC = "aigc-desktop-recovery"
_VERSION = 1

# Autosave: ~1 s after typing pauses, and at least every 2 s while it does not.
IDLE_MS = 1000
MAX_INTERVAL_MS = 2000


def default_data_dir() -> Path:
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    try:
        from PySide6.QtCore import QStandardPaths

        location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    except Exception:  # pragma: no cover - Qt always answers on desktop platforms
        location = ""
    if location:
        return Path(location)
    return Path.home() / ".local" / "share" / APP_DIR_NAME


def default_recovery_dir() -> Path:
    return default_data_dir() / "recovery"


@dataclass(frozen=True)
class RecoveryEntry:
    file: Path  # the .json file in the recovery folder
    session: str
    document: str
    path: str | None  # the document's own file, None for Untitled
    format: TextFormat
    saved_at: float  # time.time() of the last write
    text: str

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else QCoreApplication.translate("MainWindow", "Untitled")


# ----- session locks ------------------------------------------------------------------

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise

    def _unlock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass


class RecoveryStore:
    """The recovery folder as seen by one running editor (one session)."""

    unreadable = 0  # entry files the last scan had to ignore

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_recovery_dir()
        self.session = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock_fd: int | None = None
        self._documents = 0
        self._closed = False

    # ----- this session -----------------------------------------------------------
    def _lock_path(self, session: str) -> Path:
        return self.folder / f"{session}.lock"

    def _entry_path(self, document: str, session: str | None = None) -> Path:
        return self.folder / f"{session or self.session}--{document}.json"

    def _start_session(self) -> None:
        if self._lock_fd is not None:
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Locked under a temporary name, then renamed into place: another editor never
        # sees this session's lock file unlocked (and so never takes it for a dead one).
        tmp = self.folder / f".{self.session}.lock.tmp"
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            if not _try_lock(fd):  # pragma: no cover - the session id is new
                raise OSError(errno.EBUSY, "recovery session is locked", str(tmp))
            os.write(fd, f"{os.getpid()}\n".encode())
            if sys.platform == "win32":  # pragma: no cover - an open file cannot be renamed there
                os.close(fd)
                fd = os.open(self._lock_path(self.session), os.O_RDWR | os.O_CREAT, 0o600)
                _try_lock(fd)
                os.remove(tmp)
            else:
                os.replace(tmp, self._lock_path(self.session))
        except BaseException:
            os.close(fd)
            try:
                os.remove(tmp)
            except OSError:
                pass
            raise
        self._lock_fd = fd

    def new_document_id(self) -> str:
        self._documents += 1
        return f"doc{self._documents}"

    def write(self, document: str, text: str, path: str | None, fmt: TextFormat) -> Path:
        """Record the document's unsaved text (atomically). Raises OSError or DocumentError."""
        self._start_session()
        record = {
            "format": _MAGIC,
            "version": _VERSION,
            "session": self.session,
            "pid": os.getpid(),
            "document": document,
            "path": path,
            **{f"text_{k}": v for k, v in fmt.to_dict().items()},
            "saved_at": time.time(),
            "text": text,
        }
        # surrogatepass: a lone surrogate (a bad paste) survives the round trip too.
        data = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
        target = self._entry_path(document)
        write_bytes_atomic(target, data, private=True)
        return target

    def remove(self, document: str) -> None:
        try:
            os.remove(self._entry_path(document))
        except FileNotFoundError:
            pass
        except OSError:
            pass  # a leftover is offered again later; never worth an error here

    def own_entries(self) -> list[RecoveryEntry]:
        return [e for e in self._scan() if e.session == self.session]

    def close(self) -> None:
        """End the session (normal exit): unlock, and remove the lock when nothing is left."""
        if self._closed:
            return
        self._closed = True
        if self._lock_fd is None:
            return
        if not any(self.folder.glob(f"{self.session}--*.json")):
            try:
                os.remove(self._lock_path(self.session))
            except OSError:
                pass
        _unlock(self._lock_fd)
        os.close(self._lock_fd)
        self._lock_fd = None

    # ----- other sessions ---------------------------------------------------------
    def is_live(self, session: str) -> bool:
        """True while the editor that owns session is running (its lock is held)."""
        if session == self.session:
            return not self._closed
        try:
            fd = os.open(self._lock_path(session), os.O_RDWR)
        except FileNotFoundError:
            return False
        except OSError:
            return True  # cannot tell: leave its files alone
        try:
            if _try_lock(fd):
                _unlock(fd)
                return False
            return True
        except OSError:
            return True
        finally:
            os.close(fd)

    def orphaned(self) -> list[RecoveryEntry]:
        """Entries left by editors that are no longer running, newest first."""
        if not self.folder.is_dir():
            return []
        live: dict[str, bool] = {}
        found = []
        for entry in self._scan():
            if entry.session == self.session:
                continue
            if entry.session not in live:
                live[entry.session] = self.is_live(entry.session)
            if not live[entry.session]:
                found.append(entry)
        self._clean_dead_sessions(live)
        return sorted(found, key=lambda e: e.saved_at, reverse=True)

    def claim(self, entry: RecoveryEntry) -> tuple[str, RecoveryEntry]:
        """Move an orphaned entry into this session (atomic rename: only one editor wins).

        Returns (document id, the entry as now stored). Raises OSError when it is gone.
        """
        self._start_session()
        document = self.new_document_id()
        target = self._entry_path(document)
        os.rename(entry.file, target)
        self._forget_session_if_empty(entry.session)
        return document, RecoveryEntry(target, self.session, document, entry.path, entry.format,
                                       entry.saved_at, entry.text)

    def discard(self, entry: RecoveryEntry) -> None:
        try:
            os.remove(entry.file)
        except OSError:
            pass
        self._forget_session_if_empty(entry.session)

    def _forget_session_if_empty(self, session: str) -> None:
        if session == self.session or self.is_live(session):
            return
        if not any(self.folder.glob(f"{session}--*.json")):
            try:
                os.remove(self._lock_path(session))
            except OSError:
                pass

    def _clean_dead_sessions(self, live: dict[str, bool]) -> None:
        # Temporary files and empty locks of editors that are gone.
        for item in self.folder.iterdir():
            name = item.name
            if name.endswith(".tmp") and name.startswith(".") and "--" in name:
                session = name[1:].split("--", 1)[0]
                if session != self.session and not live.setdefault(session, self.is_live(session)):
                    try:
                        os.remove(item)
                    except OSError:
                        pass
            elif name.endswith(".lock"):
                session = name[: -len(".lock")]
                if session != self.session and session not in live:
                    self._forget_session_if_empty(session)

    def _scan(self) -> list[RecoveryEntry]:
        """Every readable entry; self.unreadable counts the files that were ignored (for a notice)."""
        entries = []
        self.unreadable = 0
        try:
            files = sorted(self.folder.glob("*--*.json"))
        except OSError:
            return []
        for file in files:
            entry = _read_entry(file)
            if entry is not None:
                entries.append(entry)
            else:
                self.unreadable += 1
        return entries


def _read_entry(file: Path) -> RecoveryEntry | None:
    """An entry with every field checked; None for anything this version did not write (a recovery file
    is data like any other: Infinity, 1e400, huge numbers, deep nesting or wrong types are ignored)."""
    try:
        record = json.loads(file.read_bytes().decode("utf-8", "surrogatepass"), parse_constant=_reject)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None  # half-written files never exist (atomic writes); anything else is not ours
    if not isinstance(record, dict) or record.get("format") != _MAGIC or not isinstance(record.get("text"), str):
        return None
    session, _, document = file.stem.partition("--")
    path = record.get("path")
    if not isinstance(path, str) or not path or "\0" in path or len(path) > 4096:
        path = None
    try:
        fmt = TextFormat.from_dict({k[len("text_"):]: v for k, v in record.items() if k.startswith("text_")})
        stamp = record.get("saved_at")
        saved_at = float(stamp) if isinstance(stamp, (int, float)) and type(stamp) is not bool and 0 <= stamp < 1e11 \
            else 0.0
    except (ValueError, TypeError, OverflowError):
        return None
    return RecoveryEntry(file, session, document, path, fmt, saved_at, record["text"])


def _reject(name: str):
    raise ValueError(f"{name} is not a number")


# ----- autosave -------------------------------------------------------------------------


class Autosaver(QObject):
    """Writes the editor's user text to the recovery store while it has unsaved changes."""

    failed = Signal(str)  # a user-facing message, once per run of failures
    written = Signal()

    def __init__(self, store: RecoveryStore, editor, describe: Callable[[], tuple[str | None, TextFormat]],
                 parent=None, idle_ms: int = IDLE_MS, max_interval_ms: int = MAX_INTERVAL_MS) -> None:
        """describe() -> (the document's path or None, its TextFormat)."""
        super().__init__(parent)
        self.store = store
        self._editor = editor
        self._describe = describe
        self.document = store.new_document_id()
        self._last: tuple | None = None  # what was last written
        self._failing = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self.flush)
        self._max = QTimer(self)
        self._max.setSingleShot(True)
        self._max.setInterval(max_interval_ms)
        self._max.timeout.connect(self.flush)
        editor.user_text_changed.connect(self.schedule)
        editor.modification_changed.connect(self.schedule)

    def schedule(self, *_args) -> None:
        self._idle.start()
        if not self._max.isActive():
            self._max.start()

    def flush(self) -> None:
        """Write now (or remove the entry when there is nothing unsaved)."""
        self._idle.stop()
        self._max.stop()
        if not self._editor.is_modified():
            self.forget()
            return
        path, fmt = self._describe()
        text = self._editor.user_text()
        key = (text, path, fmt)
        if key == self._last:
            return
        try:
            self.store.write(self.document, text, path, fmt)
        except (OSError, DocumentError) as exc:
            if not self._failing:
                self._failing = True
                reason = str(exc) if isinstance(exc, DocumentError) else (exc.strerror or str(exc))
                self.failed.emit(self.tr("Unsaved changes could not be copied to the recovery folder "
                                         "“%s”: %s Save your document to keep it safe.")
                                 % (self.store.folder, reason))
            return
        self._failing = False
        self._last = key
        self.written.emit()

    def forget(self) -> None:
        """The document is saved or discarded: remove its recovery entry."""
        self._idle.stop()
        self._max.stop()
        self.store.remove(self.document)
        self._last = None

    def start_new_document(self) -> None:
        """The editor now holds another document: the old one's entry goes."""
        self.forget()
        self.document = self.store.new_document_id()

    def adopt(self, document: str, text: str, path: str | None, fmt: TextFormat) -> None:
        """A restored entry (already in this session as `document`) is the current document."""
        self.forget()
        self.document = document
        self._last = (text, path, fmt)

    def close(self) -> None:
        self.forget()
        self.store.close()
