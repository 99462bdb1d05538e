"""Using a saved style: its adapter merged into the loaded model's weights, in place.

Merged, the model is a plain transformers model again: the decoding loop, prefix
key/value reuse, candidates and any faster runtime built from these weights (the
int8 fast mode) see the style without knowing about it. Removing a style means
loading the model again.
"""

from __future__ import annotations

import torch

from ..local.loading import enable_fast_mode
from .errors import StyleError
from .store import MAX_ADAPTER_BYTES, Style
from .training import lora_targets

_PROBE_ROWS = 8
_PROBE_COLUMNS = 4


def describe_base(loaded) -> dict:
    """What identifies the base model a style belongs to: its shapes and a few embedding values.

    The probe is compared with a tolerance, so the same weights loaded in half
    precision on a GPU still match; embeddings are never adapted by a style.
    """
    model = loaded.model
    config = model.config
    embedding = model.get_input_embeddings().weight
    rows = torch.linspace(0, embedding.shape[0] - 1, _PROBE_ROWS).long()
    probe = embedding.detach()[rows.to(embedding.device), :_PROBE_COLUMNS].float().flatten().cpu().tolist()
    return {
        "source": loaded.source,
        "name": loaded.name,
        "model_type": getattr(config, "model_type", ""),
        "vocab": int(embedding.shape[0]),
        "width": int(embedding.shape[1]),
        "layers": int(getattr(config, "num_hidden_layers", 0) or 0),
        "probe": [round(v, 6) for v in probe],
    }


def same_base(recorded: dict, actual: dict) -> bool:
    shapes = ("model_type", "vocab", "width", "layers")
    if any(recorded.get(key) != actual.get(key) for key in shapes):
        return False
    a, b = recorded.get("probe") or [], actual.get("probe") or []
    return len(a) == len(b) and all(abs(x - y) <= 1e-2 + 2e-2 * abs(y) for x, y in zip(a, b))


def apply_style(loaded, style: Style) -> None:
    """Merge style's adapter into loaded.model's weights, in place; loaded.style names it.

    Checks first that the style was learned on this model; on any failure the
    model is left as it was.
    """
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from safetensors.torch import load_file

    if getattr(loaded, "style", ""):
        raise StyleError(f"The style '{loaded.style}' is already in this model; load the model again to change it.")
    if not same_base(style.base, describe_base(loaded)):
        raise StyleError(f"The style '{style.name}' was learned on {style.base.get('name', 'another model')}, "
                         f"not on {loaded.name}; load that model to use it.")
    targets, fan_in_fan_out = lora_targets(loaded.model)
    if set(style.lora["targets"]) - set(targets) or bool(style.lora.get("fan_in_fan_out")) != fan_in_fan_out:
        raise StyleError(f"The style '{style.name}' does not fit the layers of {loaded.name}.")
    path = style.adapter_path
    try:
        if path.stat().st_size > MAX_ADAPTER_BYTES:
            raise StyleError(f"The style '{style.name}' is too large to be an adapter.")
        weights = load_file(str(path))
    except (OSError, ValueError, RuntimeError) as exc:
        raise StyleError(f"Could not read the style '{style.name}': {exc}.") from None
    config = LoraConfig(r=int(style.lora["rank"]), lora_alpha=style.lora["alpha"],
                        target_modules=list(style.lora["targets"]), fan_in_fan_out=fan_in_fan_out,
                        lora_dropout=0.0, bias="none", task_type="CAUSAL_LM")
    peft_model = get_peft_model(loaded.model, config)
    try:
        found = set_peft_model_state_dict(peft_model, weights)
        missing = [k for k in getattr(found, "missing_keys", []) if "lora_" in k]
        if getattr(found, "unexpected_keys", None) or missing or not weights:
            raise StyleError(f"The style '{style.name}' holds weights that do not fit {loaded.name}.")
        with torch.no_grad():
            merged = peft_model.merge_and_unload()
    except StyleError:
        peft_model.unload()
        raise
    except (RuntimeError, ValueError, KeyError) as exc:
        peft_model.unload()  # takes the adapter layers out again, unmerged: the model is as it was
        raise StyleError(f"The style '{style.name}' does not fit {loaded.name}: {exc}.") from None
    if merged is not loaded.model:  # peft edits the module tree in place; make sure of it
        loaded.model = merged
    loaded.model.eval()
    loaded.style = style.name
    if loaded.fast is not None:  # the fast graph was built from the weights before the merge

        int8, loaded.fast = loaded.int8, None
        enable_fast_mode(loaded, int8=int8)
