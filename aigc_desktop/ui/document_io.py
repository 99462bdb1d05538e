"""Reading and saving documents (pure Python, no Qt).

Every failure becomes a DocumentError whose str() can be shown to the user as is.
Saving is atomic: the new text goes to a temporary file next to the target, which
then replaces it in one step, so a crash or a full disk never leaves a half-written
document behind.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path


class DocumentError(Exception):
    """str() is a user-facing message"""


# Above this size the window asks before opening: QPlainTextEdit gets slow.
MAX_SIZE_WITHOUT_ASKING = 20 * 1024 * 1024

_BINARY_SNIFF_BYTES = 8 * 1024
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff")  # also the start of the UTF-32 BOMs


def read_text_file(path: str | Path) -> str:
    """The text of a UTF-8 file (BOM stripped), with "\\n" newlines."""
    path = Path(path)
    if path.is_dir():  # checked first: Windows reports a folder as "permission denied"
        raise DocumentError(f"“{path}” is a folder, not a text file.")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"The file “{path}” does not exist.") from None
    except PermissionError:
        raise DocumentError(f"You do not have permission to read “{path}”.") from None
    except OSError as exc:
        raise DocumentError(f"Could not read “{path}”: {exc.strerror or exc}.") from exc

    if data.startswith(_UTF16_32_BOMS):
        # Such files are full of NUL bytes; say what they are rather than "binary".
        raise DocumentError(
            f"“{path}” is saved as UTF-16 or UTF-32. Only UTF-8 text files can be opened; "
            "convert it to UTF-8 in another editor first."
        )
    if b"\0" in data[:_BINARY_SNIFF_BYTES]:
        raise DocumentError(f"“{path}” looks like a binary file, not a text file.")
    try:
        text = data.decode("utf-8-sig")  # -sig drops a leading BOM (Notepad writes one)
    except UnicodeDecodeError:
        raise DocumentError(
            f"The encoding of “{path}” could not be read as UTF-8. It may be saved in "
            "another encoding such as GBK or Windows-1252; convert it to UTF-8 in "
            "another editor first."
        ) from None
    # Universal newlines, as open() in text mode would do.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def write_text_file_atomic(path: str | Path, text: str) -> None:
    """Save text as UTF-8 at path, all or nothing."""
    path = Path(path)
    if path.is_symlink():
        # Replace the file the link points to, not the link itself.
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise DocumentError(f"“{path}” is a folder; choose a file name to save to.")
    folder = path.parent

    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. from a bad paste
        raise DocumentError(
            f"The text contains a character that cannot be saved as UTF-8 "
            f"(at position {exc.start})."
        ) from None

    try:
        original_mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        original_mode = None
    except OSError as exc:
        raise _save_error(exc, path) from exc

    tmp_path: Path | None = None
    try:
        fd, tmp_path = _create_temp_file(folder, path.name, original_mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # on disk before the rename, or a crash could lose both
        if original_mode is not None:
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


def _create_temp_file(folder: Path, name: str, original_mode: int | None) -> tuple[int, Path]:
    # A new file gets 0o666 minus the umask, like any file the user creates; when
    # replacing a file, start private (0o600) so its content is never exposed more
    # widely than the original, then copy the original's bits.
    mode = 0o666 if original_mode is None else 0o600
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp_path = folder / f".{name}.{secrets.token_hex(4)}.tmp"
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
    """A user-facing message for an OSError raised while saving path."""
    where = f"Could not save “{path}”"
    code = exc.errno
    if code is None and exc.args and isinstance(exc.args[0], int):
        code = exc.args[0]  # OSError(errno.ENOSPC) built with a single argument
    if code in (errno.EACCES, errno.EPERM):
        return DocumentError(
            f"{where}: permission denied. The file or its folder may be read-only; "
            "try Save As… to another folder."
        )
    if code == errno.EROFS:
        return DocumentError(f"{where}: the disk or folder is read-only. Try Save As… elsewhere.")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DocumentError(f"{where}: the disk is full. Free some space and save again.")
    if code == errno.ENOENT:
        return DocumentError(f"{where}: the folder “{path.parent}” does not exist.")
    return DocumentError(f"{where}: {exc.strerror or exc}.")
