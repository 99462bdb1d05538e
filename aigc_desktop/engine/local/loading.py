"""Loading a causal language model and its tokenizer, safely and with clear errors.

Safety defaults: safetensors weights only, `trust_remote_code` never enabled,
and the network is touched only when the model is not already cached locally.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, cast
from urllib.parse import urlparse

import torch

from ..errors import HubUnreachableError, ModelLoadError, ModelNotDownloadedError, first_line
from ..text.context import context_window
from ..text.detokenizer import spaces_between_cjk
from ..text.options import DEFAULT_MODEL
from . import devices, load_progress
from .catalog import cached_snapshot
from .model_files import (  # noqa: F401  (the cache helpers are re-exported for callers of loading)
    check_gguf_file,
    check_model_folder,
    gguf_cache_folder,
    gguf_cache_root,
    gguf_is_converted,
    read_config,
    remove_old_gguf_caches,
)
from .model_fit import check_gguf_fits, check_weights_fit_config

if TYPE_CHECKING:
    from .fast.session import StepSession

_HUB_CHECK_TIMEOUT_S = 3.0


@dataclass
class LoadedModel:
    source: str
    model: torch.nn.Module
    tokenizer: Any  # a transformers tokenizer (fast or slow)
    device: torch.device
    window: int  # context window in tokens
    cjk_spaces: bool  # decode puts spaces between CJK characters (BERT vocab)
    prefix_ids: tuple[int, ...]  # ids every context starts with ([CLS] for BERT vocab)
    eos_ids: frozenset[int]
    load_seconds: float
    fast: StepSession | None = None  # the CPU's fast runtime (engine/local/fast/: int8 or fp32), when in use
    notice: str = ""  # something the user should know about how it was loaded
    style: str = ""  # the named style merged into the weights (engine/style/apply.py), "" for none

    @property
    def name(self) -> str:
        return Path(self.source).name if os.path.exists(self.source) else self.source

    @property
    def device_label(self) -> str:
        label = devices.describe(self.device)
        if self.fast is None:
            return label
        return f"{label} fast int8" if self.int8 else f"{label} exact fp32"

    @property
    def int8(self) -> bool:
        """Decoding with int8 weights and activations (the fast mode)."""
        return self.fast is not None and self.fast.bits == 8


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def _looks_like_path(source: str) -> bool:
    # "gpt2" and "org/name" are hub ids unless such a folder exists here.
    return os.path.exists(os.path.expanduser(source)) or not _HUB_ID.match(source)


def _check_architecture(config_path: Path) -> None:
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    config = read_config(config_path)
    model_type = config.get("model_type")
    if not model_type:
        raise ModelLoadError(f"{config_path} does not say which architecture it is (no model_type).")
    if not isinstance(model_type, str) or model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        raise ModelLoadError(
            f"Unknown architecture '{model_type}' in {config_path}: it is not a text-generation "
            "model that transformers can load."
        )
    # Encoders such as BERT are in transformers' causal-LM table too (as decoders), but a
    # checkpoint saved as BertForMaskedLM cannot continue text.
    architectures = config.get("architectures")
    if isinstance(architectures, list) and architectures:
        if not set(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES.values()).intersection(map(str, architectures)):
            raise ModelLoadError(
                f"{config_path} describes a {', '.join(map(str, architectures))} ('{model_type}'): it is not "
                "a text-generation model (a causal language model such as GPT-2 is needed)."
            )


def hub_reachable() -> bool:
    """A quick TCP check, so an offline machine gets an answer in seconds, not after retries."""
    from huggingface_hub import constants

    offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")
    if offline or constants.HF_HUB_OFFLINE:
        return False
    url = urlparse(constants.ENDPOINT)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=_HUB_CHECK_TIMEOUT_S):
            return True
    except OSError:
        return False


def _gguf_context_length(reader) -> dict:
    """transformers 5 maps GGUF's context_length to n_ctx, which GPT-2's config ignores: pass it as n_positions."""
    arch_field = reader.fields.get("general.architecture")
    arch = bytes(arch_field.parts[arch_field.data[0]]).decode() if arch_field else ""
    field = reader.fields.get(f"{arch}.context_length")
    if arch == "gpt2" and field is not None:
        return {"n_positions": int(field.parts[field.data[0]][0])}
    return {}


# Only one conversion at a time swaps transformers' progress bar (a module global, private to
# transformers: were it renamed, the conversion would only report less) and gguf's reader for ours.
_CONVERSION_LOCK = threading.Lock()
_GGUF_PROGRESS_BAR = "tqdm"


def _cache_dtype(reader) -> torch.dtype:
    """The number type the converted copy keeps its matrices in.

    A quantised file's values (4 to 8 bits and a scale per block) are kept in fp16: half the
    size of fp32, and its rounding is far below the quantisation's own (README: GGUF files).
    A file of fp32 or bf16 matrices keeps them exactly as they are.
    """
    import gguf

    kinds = {t.tensor_type for t in reader.tensors if len(t.shape) >= 2}
    if kinds <= {gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F64}:
        return torch.float32
    if kinds <= {gguf.GGMLQuantizationType.BF16}:
        return torch.bfloat16
    return torch.float16


def _convert_gguf(reader, folder: str, name: str, total: int) -> Any:
    """transformers' dequantisation, its per-tensor loop reported through load_progress (of total steps)."""
    import transformers.modeling_gguf_pytorch_utils as gguf_utils
    from transformers import AutoModelForCausalLM

    def progress_bar(items, *args, **kwargs):
        return load_progress.counted(items, total)

    original = getattr(gguf_utils, _GGUF_PROGRESS_BAR, None)  # the caller holds _CONVERSION_LOCK
    setattr(gguf_utils, _GGUF_PROGRESS_BAR, progress_bar)
    try:
        # cast: transformers' own annotation of from_pretrained confuses type checkers
        return cast(Any, AutoModelForCausalLM.from_pretrained(
            folder, dtype=torch.float32, trust_remote_code=False, local_files_only=True, gguf_file=name,
            **_gguf_context_length(reader)))
    finally:
        setattr(gguf_utils, _GGUF_PROGRESS_BAR, original)


@contextmanager
def _read_once(path: Path, reader) -> Iterator[None]:
    """While converting, transformers' GGUFReader(path) gets the reading already made.

    transformers imports gguf.GGUFReader when it loads (config, tokenizer, weights), so it is
    swapped there for the time of the conversion, under _CONVERSION_LOCK; any other file, or
    any other way of calling it, still gets a fresh reader.
    """
    import gguf

    original = gguf.GGUFReader
    target = os.path.realpath(path)

    def reading(file, *args, **kwargs):
        if not args and not kwargs and os.path.realpath(file) == target:
            return reader
        return original(file, *args, **kwargs)

    gguf.GGUFReader = reading
    try:
        yield
    finally:
        gguf.GGUFReader = original


def _load_gguf(path: Path, dtype: torch.dtype) -> tuple[torch.nn.Module, Any]:
    """Dequantise a GGUF file once, keep it as safetensors, and load that from then on.

    The progress of the conversion (tensor by tensor) goes to engine.load_progress.
    """

    cached = gguf_cache_folder(path)
    key = cached.name
    if gguf_is_converted(path):
        return _from_pretrained(str(cached), dtype, local_only=True)
    try:
        import gguf  # noqa: F401
    except ImportError:
        raise ModelLoadError("Loading GGUF files needs the 'gguf' package: pip install gguf") from None
    from transformers import AutoTokenizer

    # One reading of the file's header serves every step below: parsing a 49k-token vocabulary
    # takes seconds, and transformers would read it three more times (config, tokenizer, weights).
    reader = check_gguf_fits(path)
    folder, name = str(path.parent), path.name
    try:
        with _CONVERSION_LOCK, _read_once(path, reader):
            tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False, local_files_only=True,
                                                      gguf_file=name)
            total = len(reader.tensors) + 1  # each tensor, then writing the copy
            model = _convert_gguf(reader, folder, name, total)
        kept = _cache_dtype(reader)
    except Exception as exc:  # noqa: BLE001 - a damaged GGUF fails in many ways inside its reader
        raise ModelLoadError(f"{path} is not a usable GGUF file: {first_line(exc)}") from None
    model.hf_quantizer = None  # it is plain floats now; save_pretrained refuses otherwise
    with torch.no_grad():  # matrices only: norms and biases are few and stay as they came
        for parameter in model.parameters():
            if parameter.dim() >= 2:
                parameter.data = parameter.data.to(kept)  # this session runs what later ones load
    cached.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=key, dir=cached.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        os.replace(staging, cached)  # appears whole or not at all
        remove_old_gguf_caches(path)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # no cache this time; the model still loads
    load_progress.report(total, total)
    return model.to(dtype), tokenizer


def _from_pretrained(source: str, dtype: torch.dtype, local_only: bool) -> tuple[torch.nn.Module, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    common = dict(trust_remote_code=False, local_files_only=local_only)
    tokenizer = AutoTokenizer.from_pretrained(source, **common)
    model = AutoModelForCausalLM.from_pretrained(source, use_safetensors=True, dtype=dtype, **common)
    return model, tokenizer


def _validate_folder(path: Path) -> None:
    check_model_folder(path)
    _check_architecture(path / "config.json")
    check_weights_fit_config(path)


def _validate_cached(repo_id: str) -> None:
    """A downloaded hub model came from outside too: the same checks as a local folder."""

    try:
        folder = cached_snapshot(repo_id)
    except Exception:  # noqa: BLE001 - an odd id or cache: loading will say what is wrong
        return
    if folder is not None:
        _validate_folder(folder)


def load_model(source: str = DEFAULT_MODEL, device: str = "auto", allow_download: bool = True,
               int8: bool = False) -> LoadedModel:
    """Load `source` (a Hugging Face model id or a local folder) onto `device`.

    A hub model missing from the local cache is downloaded only if allow_download.
    int8 (CPU only, ignored elsewhere) decodes with the fast runtime: int8 weights and
    activations in blocks of 16 (engine/local/fast/), when the architecture allows it.
    """
    started = time.perf_counter()
    source = (source or DEFAULT_MODEL).strip()
    torch_device = devices.resolve_device(device)
    dtype = devices.dtype_for(torch_device)
    local_folder = _looks_like_path(source)
    gguf_file = None
    if local_folder:
        path = Path(source).expanduser().resolve()
        if path.is_file() or path.suffix.lower() == ".gguf":
            check_gguf_file(path)
            gguf_file = path
        else:
            _validate_folder(path)
        source = str(path)
    else:
        _validate_cached(source)
    try:
        try:
            if gguf_file is not None:
                model, tokenizer = _load_gguf(gguf_file, dtype)
            else:
                model, tokenizer = _from_pretrained(source, dtype, local_only=True)
        except OSError:
            if local_folder:
                raise
            if not allow_download:
                raise ModelNotDownloadedError(f"Model '{source}' is not downloaded yet.") from None
            # Not in the local cache: download only when the hub can be reached.
            if not hub_reachable():
                raise HubUnreachableError(
                    f"Model '{source}' is not downloaded yet and the Hugging Face hub cannot be "
                    "reached. Connect to the internet to download it, or choose a local model folder.",
                    source) from None
            model, tokenizer = _from_pretrained(source, dtype, local_only=False)
    except ModelLoadError:
        raise
    except torch.OutOfMemoryError:
        raise ModelLoadError(f"Not enough memory to load model '{source}'.") from None
    except Exception as exc:  # noqa: BLE001 - a damaged model file is one clear line
        raise ModelLoadError(f"Could not load model '{source}': {first_line(exc)}") from exc
    if not tokenizer.encode("Hello, 你好", add_special_tokens=False):
        # transformers falls back to an empty tokenizer when a folder has none: it encodes nothing.
        raise ModelLoadError(
            f"Could not load model '{source}': its tokenizer is missing or empty "
            "(no tokenizer.json, vocab.json or vocab.txt)."
        )
    notice = ""
    try:
        model.to(torch_device)
    except torch.OutOfMemoryError:
        # Not enough GPU memory: free what was taken and run on the CPU instead of failing.
        model.to("cpu", dtype=torch.float32)
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        notice = "Not enough GPU memory for this model: it runs on the CPU instead."
        torch_device = torch.device("cpu")
    model.eval()
    loaded = LoadedModel(
        source=source,
        model=model,
        tokenizer=tokenizer,
        device=torch_device,
        window=context_window(model.config),
        cjk_spaces=spaces_between_cjk(tokenizer),
        prefix_ids=_prefix_ids(tokenizer),
        eos_ids=_eos_ids(model),
        load_seconds=time.perf_counter() - started,
        notice=notice,
    )
    if int8:
        enable_fast_mode(loaded)
    return loaded


def enable_fast_mode(loaded: LoadedModel, int8: bool = True) -> None:
    """Decode `loaded` with the fast runtime (engine/local/fast/) when it runs on the CPU.

    int8: the fast mode (int8 weights and activations in blocks). Otherwise the exact
    mode: the same runtime with the fp32 weights, whose greedy tokens are transformers'
    (tests/test_engine_paths.py), at about twice its speed (README: Performance).
    Built from the weights as they are now, so a style merged before is in it. When the
    architecture has no fast graph, the transformers model serves (with a notice for int8).
    """
    bits = 8 if int8 else None
    if loaded.device.type != "cpu" or (loaded.fast is not None and loaded.fast.bits == (bits or 32)):
        return
    from .fast.runtime import UnsupportedModel, open_fast_session

    try:
        loaded.fast = open_fast_session(loaded.model, bits=bits)
        return
    except UnsupportedModel as exc:
        why = f"Fast mode does not support this model ({exc}): it runs in exact fp32."
    except Exception as exc:  # e.g. ONNX Runtime missing or refusing the graph: never fatal
        why = f"Fast mode could not start ({first_line(exc)}): the model runs in exact fp32."
    loaded.fast = None
    if int8:
        loaded.notice = " ".join(filter(None, [loaded.notice, why]))


def _prefix_ids(tokenizer) -> tuple[int, ...]:
    # BERT-vocabulary GPT-2 models were trained on "[CLS] text"; byte-level BPE models on raw text.
    cls = getattr(tokenizer, "cls_token_id", None)
    return (cls,) if cls is not None else ()


def _eos_ids(model) -> frozenset[int]:
    eos = getattr(model.generation_config, "eos_token_id", None)
    if eos is None:
        return frozenset()
    return frozenset(eos if isinstance(eos, (list, tuple)) else [eos])
