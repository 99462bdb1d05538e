"""The engine's and document_io's messages in the interface's language.

The engine stays free of Qt and writes plain English sentences (the CLI prints them). Each
sentence shape below is a translatable message id, with %s where the engine puts a
parameter (a path, a model id, a nested reason); localize() recognises the shape, translates
it, and puts the same parameters back, translating nested messages too. A sentence with no
known shape is shown as it is. tests/test_engine_text.py raises the real errors and checks
that every one of them is recognised.
"""

from __future__ import annotations

import re
from functools import lru_cache

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "EngineMessages"

TEMPLATES = (
    # engine/loading.py, engine/model_files.py
    QT_TRANSLATE_NOOP("EngineMessages", "Model '%s' is not downloaded yet."),
    QT_TRANSLATE_NOOP("EngineMessages", "Model '%s' is not downloaded yet and the Hugging Face hub cannot be "
                                        "reached. Connect to the internet to download it, or choose a local model "
                                        "folder."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not load model '%s': %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "Model folder not found: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is a file, not a model folder (a folder written by save_pretrained)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a model folder: it has no config.json."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s has no model weights (*.safetensors)."),
    QT_TRANSLATE_NOOP("EngineMessages", "GGUF file not found: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is a folder, not a GGUF file."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a GGUF file (it does not start with 'GGUF')."),
    # engine/download.py
    QT_TRANSLATE_NOOP("EngineMessages", "The Hugging Face hub cannot be reached (offline, or HF_HUB_OFFLINE is "
                                        "set). Connect to the internet, or choose a local model folder or GGUF "
                                        "file instead."),
    # ui/document_io.py
    QT_TRANSLATE_NOOP("EngineMessages", "The file “%s” does not exist. It may have been moved or deleted."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is a folder, not a text file."),
    QT_TRANSLATE_NOOP("EngineMessages", "You do not have permission to read “%s”."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” looks like a binary file, not a text file."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is too large to open."),
)


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[re.Pattern, str, str], ...]:
    out = []
    for template in dict.fromkeys(TEMPLATES):
        pattern = re.escape(str(template)).replace("%s", "(.+?)")  # str(): the NOOP is typed as object
        out.append((re.compile(f"^{pattern}$", re.S), CONTEXT, template))
    return tuple(out)


def localize(text: str) -> str:
    """text in the interface's language when its shape is known; else text as it is."""
    if not text:
        return text
    lines = text.split("\n")
    if len(lines) > 1:
        return "\n".join(localize(line) for line in lines)
    for pattern, context, template in _patterns():
        match = pattern.match(text)
        if match is None:
            continue
        translated = QCoreApplication.translate(context, template)
        if translated == template and not match.groups():
            return text
        parts = [localize(group) for group in match.groups()]
        return translated % tuple(parts) if parts else translated
    return text
