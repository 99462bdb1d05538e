"""Reading and saving documents (pure Python, no Qt).

Every failure becomes a DocumentError whose str() can be shown to the user as is.

Saving is atomic: the new text goes to a temporary file next to the target, is
flushed to disk, and then replaces it in one step, so a crash or a full disk
never leaves a half-written document behind (the old file stays as it was).

Encodings: a document remembers how its file was written (TextFormat: UTF-8
with or without BOM, UTF-16 LE/BE with BOM, or GB18030, which reads GBK and
GB2312 files too; and its newline style) and is saved back the same way, so a
file opened and saved unchanged comes back byte for byte. GB18030 is only
guessed for files that are not UTF-8 and decode to mostly Chinese text.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path


class DocumentError(Exception):
    """str() is a user-facing message"""


# Above this size the window asks before opening: QPlainTextEdit gets slow.
MAX_SIZE_WITHOUT_ASKING = 20 * 1024 * 1024

_BINARY_SNIFF_BYTES = 8 * 1024
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")  # also the start of the UTF-32 BOMs
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")

# codec name -> (label, BOM bytes or b"" when it has none)
_ENCODINGS = {
    "utf-8": ("UTF-8", codecs.BOM_UTF8),
    "utf-16-le": ("UTF-16 LE", codecs.BOM_UTF16_LE),
    "utf-16-be": ("UTF-16 BE", codecs.BOM_UTF16_BE),
    "gb18030": ("GB18030", b""),
}
NEWLINES = {"\n": "LF", "\r\n": "CRLF", "\r": "CR"}

# What "Save with Encoding" offers: (encoding, bom).
SAVE_ENCODINGS = (
    ("utf-8", False),
    ("utf-8", True),
    ("utf-16-le", True),
    ("utf-16-be", True),
    ("gb18030", False),
)


@dataclass(frozen=True)
class TextFormat:
    """How a document's text is stored on disk."""

    encoding: str = "utf-8"  # a key of _ENCODINGS
    bom: bool = False
    newline: str = "\n"  # "\n", "\r\n" or "\r"

    def __post_init__(self) -> None:
        if self.encoding not in _ENCODINGS:
            raise ValueError(f"unsupported encoding {self.encoding!r}")
        if self.newline not in NEWLINES:
            raise ValueError(f"unsupported newline {self.newline!r}")
        if self.encoding.startswith("utf-16") and not self.bom:
            object.__setattr__(self, "bom", True)  # UTF-16 is only ever read and written with a BOM
        if self.encoding == "gb18030" and self.bom:
            object.__setattr__(self, "bom", False)

    @property
    def encoding_label(self) -> str:
        label = _ENCODINGS[self.encoding][0]
        return label + " with BOM" if self.encoding == "utf-8" and self.bom else label

    @property
    def newline_label(self) -> str:
        return NEWLINES[self.newline]

    @property
    def label(self) -> str:
        return f"{self.encoding_label} · {self.newline_label}"

    def with_encoding(self, encoding: str, bom: bool) -> "TextFormat":
        return TextFormat(encoding, bom, self.newline)

    def to_dict(self) -> dict:
        return {"encoding": self.encoding, "bom": self.bom, "newline": self.newline}

    @classmethod
    def from_dict(cls, data: dict) -> "TextFormat":
        try:
            return cls(str(data.get("encoding", "utf-8")), bool(data.get("bom", False)),
                       str(data.get("newline", "\n")))
        except (ValueError, AttributeError):
            return cls()


@dataclass(frozen=True)
class DiskState:
    """What a file looked like when it was last read or written here."""

    mtime_ns: int
    size: int
    digest: str  # sha256 of the bytes

    def same_stat(self, st: os.stat_result) -> bool:
        return st.st_mtime_ns == self.mtime_ns and st.st_size == self.size


@dataclass(frozen=True)
class LoadedDocument:
    text: str  # newlines as "\n"
    format: TextFormat
    disk: DiskState


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----- reading --------------------------------------------------------------------


def _read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    if path.is_dir():  # checked first: Windows reports a folder as "permission denied"
        raise DocumentError(f"“{path}” is a folder, not a text file.")
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before open(): a pipe would block it
            raise DocumentError(f"“{path}” is not a regular file (it may be a device or a pipe).")
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except DocumentError:
        raise
    except FileNotFoundError:
        raise DocumentError(f"The file “{path}” does not exist. It may have been moved or deleted.") from None
    except PermissionError:
        raise DocumentError(f"You do not have permission to read “{path}”.") from None
    except MemoryError:
        raise DocumentError(f"“{path}” is too large to open.") from None
    except OSError as exc:
        raise DocumentError(f"Could not read “{path}”: {exc.strerror or exc}.") from exc
    return data, st


def detect_newline(text: str) -> str:
    """The file's newline style: the most common one ("\\n" when there is none or a tie)."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if crlf > lf and crlf >= cr:
        return "\r\n"
    if cr > lf and cr > crlf:
        return "\r"
    return "\n"


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CJK_RANGES = (
    (0x00A4, 0x00A4), (0x00A7, 0x00A8), (0x00B0, 0x00B1), (0x00B7, 0x00B7), (0x00D7, 0x00D7),
    (0x00E0, 0x00FC), (0x00F7, 0x00F7), (0x0100, 0x01DC),  # pinyin letters with tones
    (0x0391, 0x03C9), (0x0401, 0x0451),  # Greek and Cyrillic are in GB2312 too
    (0x2000, 0x206F), (0x2100, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x26FF),
    (0x3000, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


def _cjk_like(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _ideograph(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def _as_gb18030(data: bytes) -> str | None:
    """The text when data is plausibly GB18030/GBK Chinese text, else None (conservative)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if text.encode("gb18030") != data:
        return None  # would not come back byte for byte
    if any(ord(c) < 0x20 and c not in "\t\n\r\f" or ord(c) == 0x7F for c in text):
        return None
    non_ascii = [i for i, c in enumerate(text) if ord(c) > 0x7F]
    if not non_ascii:
        return None
    good = sum(1 for i in non_ascii if _cjk_like(text[i]) and len(text[i].encode("gb18030")) == 2)
    if good < 0.95 * len(non_ascii):
        return None
    # Everyday Chinese is mostly in the GB2312 rows (both bytes 0xA1-0xFE); Shift-JIS and
    # other double-byte code pages decode to rare GBK-extension characters instead.
    common = sum(1 for i in non_ascii if min(text[i].encode("gb18030")) >= 0xA1)
    if common < 0.5 * len(non_ascii):
        return None
    # Real Chinese text has ideographs next to each other; bytes from another
    # single-byte code page (é, ü…) decode to lone ideographs among ASCII letters.
    ideographs = [i for i in non_ascii if _ideograph(text[i])]
    if not ideographs:
        return None
    paired = sum(1 for i in ideographs
                 if (i > 0 and ord(text[i - 1]) > 0x7F) or (i + 1 < len(text) and ord(text[i + 1]) > 0x7F))
    if paired < 0.5 * len(ideographs):
        return None
    return text


def decode_text(data: bytes, name: str = "The file") -> tuple[str, TextFormat]:
    """Decode a file's bytes: (text with "\\n" newlines, how it was stored)."""
    if data.startswith(_UTF32_BOMS):
        raise DocumentError(f"“{name}” is saved as UTF-32, which cannot be opened; "
                            "convert it to UTF-8 in another editor first.")
    if data.startswith(_UTF16_32_BOMS):
        encoding = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        try:
            text = data[2:].decode(encoding)
        except UnicodeDecodeError:
            raise DocumentError(f"“{name}” starts like a UTF-16 file but is not valid UTF-16 text.") from None
        if "\0" in text[:_BINARY_SNIFF_BYTES]:
            raise DocumentError(f"“{name}” looks like a binary file, not a text file.")
        return _normalise_newlines(text), TextFormat(encoding, True, detect_newline(text))
    if b"\0" in data[:_BINARY_SNIFF_BYTES]:
        raise DocumentError(f"“{name}” looks like a binary file, not a text file.")
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[3:].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError:
        text = None if bom else _as_gb18030(data)
        if text is None:
            raise DocumentError(
                f"The encoding of “{name}” could not be recognised: it is not UTF-8, UTF-16 or "
                "Chinese GB18030/GBK text. It may be a binary file or saved in another encoding "
                "such as Windows-1252; convert it to UTF-8 in another editor first."
            ) from None
        return _normalise_newlines(text), TextFormat("gb18030", False, detect_newline(text))
    return _normalise_newlines(text), TextFormat("utf-8", bom, detect_newline(text))


def read_document(path: str | Path) -> LoadedDocument:
    """Read a text file in any supported encoding, remembering its format and disk state."""
    path = Path(path)
    data, st = _read_bytes(path)
    text, fmt = decode_text(data, str(path))
    return LoadedDocument(text, fmt, DiskState(st.st_mtime_ns, st.st_size, _digest(data)))


def current_disk_state(path: str | Path, known: DiskState | None = None) -> DiskState | None:
    """The file's state now, or None when it is gone or unreadable.

    When the size and time match `known`, `known` is returned without reading the file.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    if known is not None and known.same_stat(st):
        return known
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data = f.read()
    except (OSError, MemoryError):
        return None
    return DiskState(st.st_mtime_ns, st.st_size, _digest(data))


# ----- writing --------------------------------------------------------------------


def encode_text(text: str, fmt: TextFormat) -> bytes:
    """The bytes for text ("\\n" newlines) stored as fmt."""
    text = _normalise_newlines(text)
    if fmt.newline != "\n":
        text = text.replace("\n", fmt.newline)
    try:
        data = text.encode(fmt.encoding)
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from a bad paste
        raise DocumentError(
            f"The text contains a character that cannot be saved as {fmt.encoding_label} "
            f"(at position {exc.start})."
        ) from None
    bom = _ENCODINGS[fmt.encoding][1] if fmt.bom else b""
    return bom + data


def write_text_file_atomic(path: str | Path, text: str, fmt: TextFormat | None = None) -> DiskState:
    """Save text at path, all or nothing: as fmt, or as UTF-8 exactly as given when fmt is None."""
    path = Path(path)
    if path.is_symlink():
        # Replace the file the link points to, not the link itself.
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise DocumentError(f"“{path}” is a folder; choose a file name to save to.")
    if fmt is None:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise DocumentError(
                f"The text contains a character that cannot be saved as UTF-8 "
                f"(at position {exc.start})."
            ) from None
    else:
        data = encode_text(text, fmt)
    return write_bytes_atomic(path, data)


def write_bytes_atomic(path: str | Path, data: bytes, private: bool = False,
                       follow_symlinks: bool = True) -> DiskState:
    """Write data to path through a temporary file, fsync and rename; the old file survives any failure.

    The new file keeps the old one's permission bits, and its owner and group where the OS allows.
    follow_symlinks=False replaces a link at path with a file instead of taking on the link's target.
    """
    path = Path(path)
    folder = path.parent
    try:
        original = os.stat(path, follow_symlinks=follow_symlinks)
        if stat.S_ISLNK(original.st_mode):
            original = None  # the link itself is replaced by a new file
    except FileNotFoundError:
        original = None
    except OSError as exc:
        raise _save_error(exc, path) from exc
    original_mode = stat.S_IMODE(original.st_mode) if original is not None else None

    tmp_path: Path | None = None
    try:
        fd, tmp_path = _create_temp_file(folder, path.name, original_mode, private)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # on disk before the rename, or a crash could lose both
        if original is not None and original_mode is not None and not private:
            _keep_owner(tmp_path, original)
            os.chmod(tmp_path, original_mode)  # keep the original's permission bits
        os.replace(tmp_path, path)
        tmp_path = None
    except OSError as exc:
        raise _save_error(exc, path) from exc
    finally:
        if tmp_path is not None:  # something failed: never leave the temp file behind
            try:
                os.remove(tmp_path)
            except OSError:
                pass
    _fsync_folder(folder)
    try:
        st = os.stat(path)
        return DiskState(st.st_mtime_ns, st.st_size, _digest(data))
    except OSError:
        return DiskState(0, len(data), _digest(data))


def _keep_owner(tmp_path: Path, original: os.stat_result) -> None:
    """The owner and group of the file being replaced (another user's file saved by root, a shared
    group's file); where the OS refuses, the new file is the saver's, as any new file would be."""
    chown = getattr(os, "chown", None)
    if chown is None or (original.st_uid, original.st_gid) == (os.getuid(), os.getgid()):
        return
    try:
        chown(tmp_path, original.st_uid, original.st_gid)
    except OSError:
        try:
            chown(tmp_path, -1, original.st_gid)  # a member of the group may keep the group
        except OSError:
            pass


def _temp_name(name: str) -> str:
    """<name> shortened so that .<name>.<random>.tmp fits in 255 bytes (or UTF-16 units), the usual limit."""
    room = 255 - len("..12345678.tmp")
    if os.name == "nt":
        return name[:room]
    encoded = os.fsencode(name)
    return os.fsdecode(encoded[:room]) if len(encoded) > room else name  # cut bytes survive surrogateescape


def _create_temp_file(folder: Path, name: str, original_mode: int | None,
                      private: bool = False) -> tuple[int, Path]:
    # A new file gets 0o666 minus the umask, like any file the user creates; when
    # replacing a file, start private (0o600) so its content is never exposed more
    # widely than the original, then copy the original's bits.
    mode = 0o666 if original_mode is None and not private else 0o600
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    short = _temp_name(name)
    for _ in range(100):
        tmp_path = folder / f".{short}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp_path, flags, mode), tmp_path
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "could not create a temporary file", str(folder))


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; not possible (or needed) on Windows.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _save_error(exc: OSError, path: Path) -> DocumentError:
    """A user-facing message for an OSError raised while saving path (whole sentences: ui/suggestion/engine_text.py
    translates each one)."""
    code = exc.errno
    if code is None and exc.args and isinstance(exc.args[0], int):
        code = exc.args[0]  # OSError(errno.ENOSPC) built with a single argument
    if code in (errno.EACCES, errno.EPERM):
        return DocumentError(
            f"Could not save “{path}”: permission denied. The file or its folder may be read-only; "
            "try Save As… to another folder."
        )
    if code == errno.EROFS:
        return DocumentError(f"Could not save “{path}”: the disk or folder is read-only. Try Save As… elsewhere.")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DocumentError(f"Could not save “{path}”: the disk is full. Free some space and save again.")
    if code == errno.ENOENT:
        return DocumentError(f"Could not save “{path}”: the folder “{path.parent}” does not exist.")
    return DocumentError(f"Could not save “{path}”: {exc.strerror or exc}.")
