"""The sentence shapes the engine and document_io write: each a translatable message id with %s for a parameter.

One tuple per role: TEMPLATES (every shape; localize() in engine_text.py matches a whole
message against them) and TAILS (shapes appended to another sentence, taken off the end
first). The English is byte-identical to what the engine writes; the Chinese is in
resources/translations/aigc_desktop_zh_CN.ts (context EngineMessages).
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

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
    QT_TRANSLATE_NOOP("EngineMessages", "The Hugging Face hub cannot be reached (offline, or HF_HUB_OFFLINE is set). "
                                        "Connect to the internet, or choose a local model folder or GGUF file "
                                        "instead."),
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
    QT_TRANSLATE_NOOP("EngineMessages", "%s: the hidden size (%s) is not a multiple of the number of attention heads "
                                        "(%s)."),
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
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: the config asks for %s layers but the weights hold %s; it "
                                        "would run with random layers."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated: it is not a complete GGUF file."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is GGUF version %s, which is not supported (2 and 3 are)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is truncated or damaged: its header claims %s tensors and %s fields."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s does not describe a model that can be built: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: the weights lack %s; the model would run with random "
                                        "values there."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s: the weights do not match config.json (%s is %s in the file, %s in the "
                                        "config)."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is incomplete: it declares %s layers but holds tensors for %s; it would "
                                        "run with random layers."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s: its embedding size (%s) does not match its tensors."),
    # engine/local/loading.py: LoadedModel.device_label, shown in the status bar
    QT_TRANSLATE_NOOP("EngineMessages", "%s fast int8"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s exact fp32"),
    # engine/local/devices.py
    QT_TRANSLATE_NOOP("EngineMessages", "Unknown device '%s'. Choose one of: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "CUDA was requested but no CUDA GPU is available; use --device cpu."),
    QT_TRANSLATE_NOOP("EngineMessages", "MPS was requested but Apple's Metal backend is not available; use --device "
                                        "cpu."),
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
    QT_TRANSLATE_NOOP("EngineMessages", "%s is larger than the hub said (%s bytes); the download was stopped and the "
                                        "partial file deleted."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s arrived incomplete (%s of %s bytes); try again to resume."),
    # ui/document/document_io.py
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is not a regular file (it may be a device or a pipe)."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not read “%s”: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” is saved as UTF-32, which cannot be opened; convert it to UTF-8 in "
                                        "another editor first."),
    QT_TRANSLATE_NOOP("EngineMessages", "“%s” starts like a UTF-16 file but is not valid UTF-16 text."),
    QT_TRANSLATE_NOOP("EngineMessages", "The encoding of “%s” could not be recognised: it is not UTF-8, UTF-16 or "
                                        "Chinese GB18030/GBK text. It may be a binary file or saved in another "
                                        "encoding such as Windows-1252; convert it to UTF-8 in another editor first."),
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
    # loading.py: notices shown after a model loaded
    QT_TRANSLATE_NOOP("EngineMessages", "Not enough GPU memory for this model: it runs on the CPU instead."),
    QT_TRANSLATE_NOOP("EngineMessages", "Fast mode does not support this model (%s): it runs in exact fp32."),
    QT_TRANSLATE_NOOP("EngineMessages", "Fast mode could not start (%s): the model runs in exact fp32."),
    # An operating system's reason, quoted after a sentence (Python gives strerror in English)
    QT_TRANSLATE_NOOP("EngineMessages", "Permission denied"),
    QT_TRANSLATE_NOOP("EngineMessages", "No space left on device"),
    QT_TRANSLATE_NOOP("EngineMessages", "No such file or directory"),
    QT_TRANSLATE_NOOP("EngineMessages", "Read-only file system"),
    # engine/server/remote_errors.py: a connection that failed
    QT_TRANSLATE_NOOP("EngineMessages", "Could not connect to the server at %s within %s s. Check the address and "
                                        "that the server is running."),
    QT_TRANSLATE_NOOP("EngineMessages", "The secure (TLS) connection to the server at %s failed: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "This computer does not trust the server's certificate."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server seems to speak plain HTTP: try http:// instead of https://."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not find the server '%s': its name does not resolve (DNS lookup "
                                        "failed). Check the address and your network connection."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not connect to the server at %s: the connection was refused. Is the "
                                        "server running and listening on port %s?"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s did not answer within %s s."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not connect to the server at %s: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "The connection to the server at %s failed: %s."),
    # engine/server/remote_errors.py: an HTTP status (the status line, e.g. "503 Service Unavailable", stays)
    QT_TRANSLATE_NOOP("EngineMessages", "The server said: \"%s\"."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s refused the request (%s): %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "the API key was not accepted; check it"),
    QT_TRANSLATE_NOOP("EngineMessages", "it needs an API key, and none was given"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s refused access (%s): the API key is wrong, missing or not "
                                        "allowed to use %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "the model '%s'"),
    QT_TRANSLATE_NOOP("EngineMessages", "its model"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s could not find the model (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "It offers: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "It did not list the models it offers."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s has no model '%s'."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s has no completions endpoint (%s at /v1/completions). Check "
                                        "that the address is the server's base URL and that it speaks the "
                                        "OpenAI-compatible API."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s is busy (%s): %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "try again in %s seconds"),
    QT_TRANSLATE_NOOP("EngineMessages", "try again in %s second"),
    QT_TRANSLATE_NOOP("EngineMessages", "try again in %s minutes"),
    QT_TRANSLATE_NOOP("EngineMessages", "try again in a little while"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s rejected the setting %s (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "the text to continue"),
    QT_TRANSLATE_NOOP("EngineMessages", "max new tokens"),
    QT_TRANSLATE_NOOP("EngineMessages", "temperature"),
    QT_TRANSLATE_NOOP("EngineMessages", "top-p"),
    QT_TRANSLATE_NOOP("EngineMessages", "top-k"),
    QT_TRANSLATE_NOOP("EngineMessages", "seed"),
    QT_TRANSLATE_NOOP("EngineMessages", "stop sequences"),
    QT_TRANSLATE_NOOP("EngineMessages", "alternatives"),
    QT_TRANSLATE_NOOP("EngineMessages", "repetition penalty"),
    QT_TRANSLATE_NOOP("EngineMessages", "model"),
    QT_TRANSLATE_NOOP("EngineMessages", "token probabilities"),
    QT_TRANSLATE_NOOP("EngineMessages", "usage reporting"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s rejected the request (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s is unavailable (%s); it may still be loading the model, "
                                        "try again shortly."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s failed (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s answered %s."),
    # engine/server/remote_errors.py, openai_wire.py, http_body.py: a stream or body that broke
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s sent a malformed event: \"%s\"."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server failed while generating: %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server at %s sent a malformed response: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "an event longer than %s KiB"),
    QT_TRANSLATE_NOOP("EngineMessages", "an unsupported content encoding (%s)"),
    QT_TRANSLATE_NOOP("EngineMessages", "a body that does not decompress"),
    QT_TRANSLATE_NOOP("EngineMessages", "an answer longer than %s MiB"),
    QT_TRANSLATE_NOOP("EngineMessages", "an event line longer than %s KiB"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server's stream was cut off part-way (%s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server's stream was cut off part-way (%s); the %s characters received "
                                        "so far were kept."),
    QT_TRANSLATE_NOOP("EngineMessages", "no new text came for %s s"),
    QT_TRANSLATE_NOOP("EngineMessages", "nothing came for %s s"),
    QT_TRANSLATE_NOOP("EngineMessages", "the server closed the connection"),
    QT_TRANSLATE_NOOP("EngineMessages", "the connection failed: %s"),
    # engine/server/remote.py, server_address.py
    QT_TRANSLATE_NOOP("EngineMessages", "The server address must start with http:// or https:// and name a host: "
                                        "'%s'."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server address has an invalid port: '%s'."),
    QT_TRANSLATE_NOOP("EngineMessages", "The environment variable %s is not set: it should hold the server's API key."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server timeout must be more than 0 seconds."),
    QT_TRANSLATE_NOOP("EngineMessages", "No-repeat n-gram size is not available with a server: set it to 0."),
    QT_TRANSLATE_NOOP("EngineMessages", "max new tokens must be less than the model's context window (%s tokens)."),
    QT_TRANSLATE_NOOP("EngineMessages", "server %s"),
    QT_TRANSLATE_NOOP("EngineMessages", "The server %s is reached over plain HTTP: your text leaves this computer "
                                        "unencrypted. Use an https:// address if the server offers one."),
    # engine/text/request.py, context.py
    QT_TRANSLATE_NOOP("EngineMessages", "There is no text to continue: the context is empty."),
    QT_TRANSLATE_NOOP("EngineMessages", "max new tokens must be between %s and %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "temperature must be between %s and %s (0 means greedy)."),
    QT_TRANSLATE_NOOP("EngineMessages", "top-k must be 0 (off) or a positive number."),
    QT_TRANSLATE_NOOP("EngineMessages", "top-p must be greater than %s and at most %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "repetition penalty must be greater than %s (1 means off)."),
    QT_TRANSLATE_NOOP("EngineMessages", "no-repeat n-gram size must be 0 (off) or positive."),
    QT_TRANSLATE_NOOP("EngineMessages", "seed must be a non-negative integer."),
    QT_TRANSLATE_NOOP("EngineMessages", "stop_at must be one of %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "alternatives must be between %s and %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "stop sequences must not be empty strings."),
    QT_TRANSLATE_NOOP("EngineMessages", "the model's window is too small for this many new tokens."),
    # engine/local/generator.py
    QT_TRANSLATE_NOOP("EngineMessages", "The model produced invalid numbers (NaN); its weights may be broken."),
    QT_TRANSLATE_NOOP("EngineMessages", "Out of memory while generating. Try a shorter context, fewer new tokens, a "
                                        "smaller model, or the CPU."),
    QT_TRANSLATE_NOOP("EngineMessages", "The model failed while generating: %s"),
    # engine/style/apply.py
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' is already in this model; load the model again to change it."),
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' was learned on %s, not on %s; load that model to use it."),
    QT_TRANSLATE_NOOP("EngineMessages", "another model"),
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' does not fit the layers of %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' is too large to be an adapter."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not read the style '%s': %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' holds weights that do not fit %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' does not fit %s: %s."),
    # engine/style/corpus.py
    QT_TRANSLATE_NOOP("EngineMessages", "Only %s words of text: learning a style needs at least %s words (about four "
                                        "pages); add more of the writer's drafts."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s does not exist."),
    QT_TRANSLATE_NOOP("EngineMessages", "More than %s files: choose a smaller folder."),
    QT_TRANSLATE_NOOP("EngineMessages", "No .txt or .md files were found in what was chosen."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not a .txt or .md file; only plain text can be learned from."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is larger than %s MiB; split it or leave it out."),
    QT_TRANSLATE_NOOP("EngineMessages", "The files chosen add up to more than %s MiB of text; choose fewer."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not read %s: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not UTF-8 text; save it as UTF-8 and try again."),
    # engine/style/learn.py, store.py
    QT_TRANSLATE_NOOP("EngineMessages", "A style called '%s' already exists; choose another name."),
    QT_TRANSLATE_NOOP("EngineMessages", "Only %s words of text: learning a style needs more (at least a few pages); "
                                        "add more of the writer's drafts."),
    QT_TRANSLATE_NOOP("EngineMessages", "The adapter is not a LoRA adapter."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save the style '%s': %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "A style needs a name."),
    QT_TRANSLATE_NOOP("EngineMessages", "A style's name can be at most %s characters long."),
    QT_TRANSLATE_NOOP("EngineMessages", "A style's name cannot start with a dot or contain any of %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "The style '%s' is not saved."),
    QT_TRANSLATE_NOOP("EngineMessages", "This is not a valid style: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "not a style file of this version"),
    QT_TRANSLATE_NOOP("EngineMessages", "its adapter description is incomplete"),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is too large to be a style file."),
    QT_TRANSLATE_NOOP("EngineMessages", "There is no style called '%s' (saved styles: %s)."),
    QT_TRANSLATE_NOOP("EngineMessages", "none yet"),
    QT_TRANSLATE_NOOP("EngineMessages", "The style's adapter weights are missing."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not rename the style: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not export the style to %s: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not an exported style."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is too large to be a style."),
    QT_TRANSLATE_NOOP("EngineMessages", "%s is not an exported style: %s."),
    # engine/style/training.py
    QT_TRANSLATE_NOOP("EngineMessages", "This '%s' model is loaded in fast CPU (int8) mode, which cannot learn; load "
                                        "it without fast CPU mode."),
    QT_TRANSLATE_NOOP("EngineMessages", "Learning a style is not supported for '%s' models: GPT-2 and Llama-family "
                                        "models (such as SmolLM2) are."),
    QT_TRANSLATE_NOOP("EngineMessages", "The disk is full: the training checkpoint could not be saved in %s. Free "
                                        "some space and train again to resume."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not save the training checkpoint in %s: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "The text is too short to make even one training sequence."),
    QT_TRANSLATE_NOOP("EngineMessages", "Out of memory even when training on one sequence at a time: close other "
                                        "programs or choose a smaller model."),
    # engine/style/learning_process.py
    QT_TRANSLATE_NOOP("EngineMessages", "Learning stopped unexpectedly (the learning process ended with code %s); "
                                        "learning again resumes from the last checkpoint."),
    QT_TRANSLATE_NOOP("EngineMessages", "Could not start learning: %s."),
)

# Sentences the engine appends to another one ("… failed (500 …). The server said: "…"."): localize()
# takes them off the end first, so that the sentence before them is recognised on its own. Their
# parameters are the server's own words or model ids, shown as they are (except a fast-mode reason).
TAILS = (
    QT_TRANSLATE_NOOP("EngineMessages", "The server said: \"%s\"."),
    QT_TRANSLATE_NOOP("EngineMessages", "It offers: %s."),
    QT_TRANSLATE_NOOP("EngineMessages", "It did not list the models it offers."),
    QT_TRANSLATE_NOOP("EngineMessages", "This computer does not trust the server's certificate."),
    QT_TRANSLATE_NOOP("EngineMessages", "The server seems to speak plain HTTP: try http:// instead of https://."),
    QT_TRANSLATE_NOOP("EngineMessages", "Fast mode does not support this model (%s): it runs in exact fp32."),
    QT_TRANSLATE_NOOP("EngineMessages", "Fast mode could not start (%s): the model runs in exact fp32."),
)
