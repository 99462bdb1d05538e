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
    # engine/local/loading.py, engine/local/model_files.py
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
    # engine/local/download.py
    QT_TRANSLATE_NOOP("EngineMessages", "The Hugging Face hub cannot be reached (offline, or HF_HUB_OFFLINE is "
                                        "set). Connect to the internet, or choose a local model folder or GGUF file"
                                        " instead."),
    # ui/document/document_io.py
    QT_TRANSLATE_NOOP("EngineMessages", "The file “%s” does not exist. It may have been moved or deleted."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is a folder, not a text file."),
    QT_TRANSLATE_NOOP("EngineMessages", "You do not have permission to read “%s”."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” looks like a binary file, not a text file."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is too large to open."),
    # engine/local/loading.py
    QT_TRANSLATE_NOOP("EngineMessages", "%s does not say which architecture it is (no model_type)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Unknown architecture '%s' in %s: it is not a text-generation model that "
                                        "transformers can load."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s describes a %s ('%s'): it is not a text-generation model (a causal "
                                        "language model such as GPT-2 is needed)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Loading GGUF files needs the 'gguf' package: pip install gguf"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a usable GGUF file: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "Not enough memory to load model '%s'."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not load model '%s': its tokenizer is missing or empty (no "
                                        "tokenizer.json, vocab.json or vocab.txt)."),
    # engine/local/model_files.py, engine/local/model_fit.py
    QT_TRANSLATE_NOOP("EngineMessages", "%s has only PyTorch pickle weights (.bin); for safety aigc-desktop loads "
                                        "safetensors weights only. Re-save the model with "
                                        "save_pretrained(safe_serialization=True)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not read %s: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is too large for %s (over %s MB)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not valid %s: it is nested too deeply."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not valid %s: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "safetensors (its header)"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a model configuration (it is not a JSON object)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s gives an impossible %s (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "number of layers"),
    QT_TRANSLATE_NOOP("EngineMessages", "number of attention heads"),
    QT_TRANSLATE_NOOP("EngineMessages", "hidden size"),
    QT_TRANSLATE_NOOP("EngineMessages", "vocabulary size"),
    QT_TRANSLATE_NOOP("EngineMessages", "context length"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a number JSON allows"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s asks for %s layers; no real model has more than %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s: the hidden size (%s) is not a multiple of the number of attention "
                                        "heads (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s names an unknown number type (%s: %s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s has no weight_map: it does not say where the weights are."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s points at %s; for safety only .safetensors files in the model's own "
                                        "folder are loaded."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: %s (listed in %s) is missing."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is empty: the weights are missing."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated: it is not a complete safetensors file."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated or damaged: its header claims %s bytes."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a safetensors file (its header is not a JSON object)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is damaged: the entry for tensor %s is invalid."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated or damaged: tensor %s claims bytes the file does not hold."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is damaged: two of its tensors overlap."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s holds no tensors: its weights file is empty."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: the config asks for %s layers but the weights hold %s; "
                                        "it would run with random layers."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated: it is not a complete GGUF file."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is GGUF version %s, which is not supported (2 and 3 are)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated or damaged: its header claims %s tensors and %s fields."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s does not describe a model that can be built: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: the weights lack %s; the model would run with random "
                                        "values there."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s: the weights do not match config.json (%s is %s in the file, %s in the "
                                        "config)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: it declares %s layers but holds tensors for %s; it would"
                                        " run with random layers."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s: its embedding size (%s) does not match its tensors."),
    # engine/local/loading.py: LoadedModel.device_label, shown in the status bar
    QT_TRANSLATE_NOOP("EngineMessages", "%s fast int8"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s exact fp32"),
    # engine/local/devices.py
    QT_TRANSLATE_NOOP("EngineMessages", "Unknown device '%s'. Choose one of: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "CUDA was requested but no CUDA GPU is available; use --device cpu."),
    QT_TRANSLATE_NOOP("EngineMessages", "MPS was requested but Apple's Metal backend is not available; use --device"
                                        " cpu."),
    # engine/local/download.py
    QT_TRANSLATE_NOOP("EngineMessages", "'%s' is not a valid Hugging Face model id."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not get the file list of '%s' from the hub: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "The hub listed a file name for '%s' that would be written outside its "
                                        "folder (%s); nothing was downloaded."),
    QT_TRANSLATE_NOOP("EngineMessages", "'%s' publishes no safetensors weights; for safety aigc-desktop does not "
                                        "load pickle (.bin) weights. Choose another model or a local folder."),
    QT_TRANSLATE_NOOP("EngineMessages", "'%s' has no config.json: it is not a model that can be loaded."),
    QT_TRANSLATE_NOOP("EngineMessages", "Downloading %s of '%s' failed: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "'%s' has no files to download."),
    QT_TRANSLATE_NOOP("EngineMessages", "The hub sent no version information for %s of '%s'."),
    QT_TRANSLATE_NOOP("EngineMessages", "The hub sent an invalid version id for %s of '%s'; nothing was written."),
    QT_TRANSLATE_NOOP("EngineMessages", "The hub did not say how large %s of '%s' is; it was not downloaded."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s does not match the checksum the hub gave for it; the file was deleted. "
                                        "Try again, or use another mirror."),
    QT_TRANSLATE_NOOP("EngineMessages", "The hub sent a file name that would be written outside the model's folder "
                                        "(%s); nothing was written."),
    QT_TRANSLATE_NOOP("EngineMessages", "Unexpected answer %s for %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is larger than the hub said (%s bytes); the download was stopped and "
                                        "the partial file deleted."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s arrived incomplete (%s of %s bytes); try again to resume."),
    # ui/document/document_io.py
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is not a regular file (it may be a device or a pipe)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not read “%s”: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is saved as UTF-32, which cannot be opened; convert it to UTF-8 in "
                                        "another editor first."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” starts like a UTF-16 file but is not valid UTF-16 text."),
    QT_TRANSLATE_NOOP("EngineMessages", "The encoding of “%s” could not be recognised: it is not UTF-8, UTF-16 or "
                                        "Chinese GB18030/GBK text. It may be a binary file or saved in another "
                                        "encoding such as Windows-1252; convert it to UTF-8 in another editor "
                                        "first."),
    QT_TRANSLATE_NOOP("EngineMessages", "The text contains a character that cannot be saved as %s (at position %s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s with BOM"),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is a folder; choose a file name to save to."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save “%s”: permission denied. The file or its folder may be "
                                        "read-only; try Save As… to another folder."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save “%s”: the disk or folder is read-only. Try Save As… "
                                        "elsewhere."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save “%s”: the disk is full. Free some space and save again."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save “%s”: the folder “%s” does not exist."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save “%s”: %s."),
)


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[re.Pattern, str, str], ...]:
    out = []
    for template in dict.fromkeys(TEMPLATES):
        pattern = re.escape(str(template)).replace("%s", "(.+?)")  # str(): the NOOP is typed as object
        out.append((re.compile(f"^{pattern}$", re.S), CONTEXT, template))
    # The most specific shape first: "Could not load model '%s': its tokenizer is missing…" before
    # "Could not load model '%s': %s", and "Could not read “%s”: %s." before "Could not read %s: %s".
    out.sort(key=lambda item: -len(str(item[2]).replace("%s", "")))
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
