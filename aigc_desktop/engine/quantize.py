"""Fast CPU mode: dynamic int8 quantisation of every linear layer, the LM head included.

Decoding on a CPU is bound by memory bandwidth, so reading int8 weights instead
of fp32 ones makes each token several times cheaper. GPT-2 stores its layers as
transformers' `Conv1D` (weight [in, out]); dynamic quantisation only knows
`nn.Linear`, so they are converted first (same maths, weight transposed).
"""

from __future__ import annotations

import warnings

import torch
from torch import nn


def conv1d_to_linear(model: nn.Module) -> nn.Module:
    """Replace transformers' Conv1D layers with equivalent nn.Linear layers, in place."""
    from transformers.pytorch_utils import Conv1D

    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, Conv1D):
                n_in, n_out = child.weight.shape
                linear = nn.Linear(n_in, n_out, bias=child.bias is not None,
                                   device=child.weight.device, dtype=child.weight.dtype)
                with torch.no_grad():
                    linear.weight.copy_(child.weight.t())
                    if child.bias is not None:
                        linear.bias.copy_(child.bias)
                setattr(parent, name, linear)
    return model


def quantize_int8(model: nn.Module) -> nn.Module:
    """A dynamically quantised (int8 weights, fp32 activations) copy-in-place of model. CPU only."""
    conv1d_to_linear(model)
    with warnings.catch_warnings():
        # torch.ao.quantization is marked deprecated in favour of torchao, but it is
        # what ships with torch and it is what makes the 3-4x difference here.
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8, inplace=True)
