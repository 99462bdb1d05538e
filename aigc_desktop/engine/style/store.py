"""Named styles on disk: one folder each under the app's data folder, exported as one file.

    <data>/styles/<name>/style.json                 base model, data (hashes and counts), settings, evaluation
    <data>/styles/<name>/adapter_model.safetensors  the LoRA weights (peft's names)
    <data>/styles/<name>/adapter_config.json        peft's config, so other tools can load the adapter

A style appears whole or not at all (written in a staging folder, then renamed);
style.json and exported files are read with size bounds and checked, never trusted.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..app_dirs import data_dir
from .errors import StyleError

STYLE_FILE = "style.json"
ADAPTER_FILE = "adapter_model.safetensors"
CONFIG_FILE = "adapter_config.json"
EXPORT_SUFFIX = ".aigcstyle"
CURRENT_FILE = ".current"  # the editor's chosen style
MAX_JSON_BYTES = 1024 * 1024
MAX_ADAPTER_BYTES = 1024 * 1024 * 1024
MAX_NAME = 64
_FORBIDDEN = set('/\\:*?"<>|')
FORMAT = 1


def default_styles_dir() -> Path:
    """<data folder>/styles: $AIGC_DESKTOP_DATA_DIR, else the platform's per-user data folder."""
    return data_dir("styles")


def check_name(name: str) -> str:
    """The name, stripped, or StyleError saying what is wrong with it."""
    name = (name or "").strip()
    if not name:
        raise StyleError("A style needs a name.")
    if len(name) > MAX_NAME:
        raise StyleError(f"A style's name can be at most {MAX_NAME} characters long.")
    if name.startswith(".") or any(c in _FORBIDDEN or ord(c) < 32 for c in name):
        raise StyleError(f"A style's name cannot start with a dot or contain any of {''.join(sorted(_FORBIDDEN))}.")
    return name


@dataclass
class Style:
    name: str
    base: dict  # the base model: source, name, model_type, shapes, an embedding probe (style/apply.py)
    lora: dict  # targets, fan_in_fan_out, rank, alpha: enough to rebuild the adapter
    data: dict = field(default_factory=dict)  # files (name, sha256, words), words, tokens: never the text
    settings: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)  # steps, seconds, losses
    evaluation: dict | None = None
    created: str = ""
    folder: Path | None = None

    @property
    def saved_folder(self) -> Path:
        """The folder of a style read from or saved to a store."""
        if self.folder is None:
            raise StyleError(f"The style '{self.name}' is not saved.")
        return self.folder

    @property
    def adapter_path(self) -> Path:
        return self.saved_folder / ADAPTER_FILE

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("folder")
        return json.dumps({"format": FORMAT, **data}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, folder: Path | None = None) -> "Style":
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a style file of this version")
            lora = data["lora"]
            if not (isinstance(lora, dict) and isinstance(lora.get("targets"), list)
                    and all(isinstance(t, str) for t in lora["targets"])
                    and isinstance(lora.get("rank"), int) and isinstance(lora.get("alpha"), (int, float))):
                raise ValueError("its adapter description is incomplete")
            style = cls(name=check_name(str(data["name"])), base=dict(data["base"]), lora=dict(lora),
                        data=dict(data.get("data") or {}), settings=dict(data.get("settings") or {}),
                        training=dict(data.get("training") or {}), evaluation=data.get("evaluation"),
                        created=str(data.get("created", "")), folder=folder)
        except (ValueError, KeyError, TypeError) as exc:
            raise StyleError(f"This is not a valid style: {exc}.") from None
        return style


def _read_bounded(path: Path, limit: int) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise StyleError(f"{path.name} is too large to be a style file.")
    return data


class StyleStore:
    """The saved styles in one folder."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_styles_dir()

    def names(self) -> list[str]:
        return [style.name for style in self.styles()]

    def styles(self) -> list[Style]:
        """Every readable style, by name; broken folders are skipped, never fatal."""
        found = []
        if not self.root.is_dir():
            return found
        for folder in sorted(self.root.iterdir()):
            if folder.name.startswith(".") or not (folder / STYLE_FILE).is_file():
                continue
            try:
                style = self._read(folder)
            except (StyleError, OSError, UnicodeDecodeError):
                continue
            found.append(style)
        return sorted(found, key=lambda s: s.name.casefold())

    def _read(self, folder: Path) -> Style:
        style = Style.from_json(_read_bounded(folder / STYLE_FILE, MAX_JSON_BYTES).decode("utf-8"), folder)
        if style.name != folder.name:
            style.name = folder.name  # the folder is the truth (a rename moved it)
        return style

    def get(self, name: str) -> Style:
        folder = self.root / check_name(name)
        if not (folder / STYLE_FILE).is_file():
            known = ", ".join(self.names()) or "none yet"
            raise StyleError(f"There is no style called '{name}' (saved styles: {known}).")
        try:
            return self._read(folder)
        except (OSError, UnicodeDecodeError) as exc:
            raise StyleError(f"Could not read the style '{name}': {exc}.") from None

    def exists(self, name: str) -> bool:
        return (self.root / check_name(name) / STYLE_FILE).is_file()

    def current(self) -> str:
        """The style the editor uses ("" for none), if it still exists."""
        try:
            name = _read_bounded(self.root / CURRENT_FILE, MAX_NAME * 4).decode("utf-8").strip()
            return name if name and self.exists(name) else ""
        except (OSError, UnicodeDecodeError, StyleError):
            return ""

    def set_current(self, name: str) -> None:
        if name:
            check_name(name)
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.root / CURRENT_FILE, name.encode("utf-8"))

    def staging(self) -> Path:
        """A private folder to write a new style into; add() moves it into place."""
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))

    def add(self, style: Style, staging: Path, replace: bool = False) -> Style:
        """Move staging (holding the adapter files) into place as `style`; nothing else changes."""
        name = check_name(style.name)
        target = self.root / name
        try:
            if not (staging / ADAPTER_FILE).is_file():
                raise StyleError("The style's adapter weights are missing.")
            style.created = style.created or datetime.now(timezone.utc).isoformat(timespec="seconds")
            (staging / STYLE_FILE).write_text(style.to_json(), encoding="utf-8")
            if target.exists():
                if not replace:
                    raise StyleError(f"A style called '{name}' already exists; choose another name.")
                self._remove(target)
            os.replace(staging, target)
        except OSError as exc:
            raise StyleError(f"Could not save the style '{name}': {exc.strerror or exc}.") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        style.folder = target
        return style

    def rename(self, name: str, new_name: str) -> Style:
        style = self.get(name)
        new_name = check_name(new_name)
        if new_name == style.name:
            return style
        target = self.root / new_name
        if target.exists() and target.resolve() != style.saved_folder.resolve():
            raise StyleError(f"A style called '{new_name}' already exists; choose another name.")
        style.name = new_name
        try:
            os.replace(style.saved_folder, target)
            style.folder = target
            _write_atomic(target / STYLE_FILE, style.to_json().encode("utf-8"))
        except OSError as exc:
            raise StyleError(f"Could not rename the style: {exc.strerror or exc}.") from None
        return style

    def delete(self, name: str) -> None:
        self._remove(self.get(name).saved_folder)

    def _remove(self, folder: Path) -> None:
        # Renamed away first: a style is gone at once, even if removing its files takes a while.
        doomed = Path(tempfile.mkdtemp(prefix=".deleting-", dir=self.root))
        os.replace(folder, doomed / "style")
        shutil.rmtree(doomed, ignore_errors=True)

    def export(self, name: str, path: Path | str) -> Path:
        """The style as one file (a zip of its folder), written atomically."""
        style = self.get(name)
        path = Path(path)
        partial = path.with_name(path.name + ".partial")
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for member in (STYLE_FILE, ADAPTER_FILE, CONFIG_FILE):
                    if (style.saved_folder / member).is_file():
                        archive.write(style.saved_folder / member, member)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise StyleError(f"Could not export the style to {path}: {exc.strerror or exc}.") from None
        return path

    def import_file(self, path: Path | str, name: str | None = None) -> Style:
        """Add a style exported by export(); its name, or `name`, must be free."""
        path = Path(path)
        staging = self.staging()
        try:
            with zipfile.ZipFile(path) as archive:
                members = {info.filename: info for info in archive.infolist()}
                if STYLE_FILE not in members or ADAPTER_FILE not in members:
                    raise StyleError(f"{path.name} is not an exported style.")
                for member, limit in ((STYLE_FILE, MAX_JSON_BYTES), (CONFIG_FILE, MAX_JSON_BYTES),
                                      (ADAPTER_FILE, MAX_ADAPTER_BYTES)):
                    if member not in members:
                        continue
                    if members[member].file_size > limit:
                        raise StyleError(f"{path.name} is too large to be a style.")
                    with archive.open(member) as source, open(staging / member, "wb") as out:
                        shutil.copyfileobj(source, out)
            style = Style.from_json((staging / STYLE_FILE).read_text(encoding="utf-8"))
            if name:
                style.name = check_name(name)
            return self.add(style, staging)
        except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
            raise StyleError(f"{path.name} is not an exported style: {exc}.") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
