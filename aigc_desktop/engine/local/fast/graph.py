"""Writing a loaded GPT-2 or Llama-family model as one ONNX decoding-step graph.

The graph takes new token ids plus the key/value cache and returns the logits of
the last new position and the updated cache. One graph serves the prompt (many
tokens) and every decoding step (one token). Attention is ONNX Runtime's
GroupQueryAttention: it applies the causal mask, the rotary embedding (Llama)
and writes new keys/values into a pre-allocated cache buffer that is bound as
both input and output, so nothing is copied per step.

With ``bits=8`` every matrix product (the LM head included) becomes a
MatMulNBits node: int8 weights in blocks of 16 with one scale per block, and
``accuracy_level=4`` quantises the activations in blocks too (int8 x int8 dot
products, the scheme of llama.cpp's q8_0 x q8_0). Quantising activations per
block rather than per tensor is what keeps quality on small models (FACTS.md).
Blocks of 16 rather than llama.cpp's 32: on SmolLM2-135M, 512 tokens of prose,
blocks of 32 cost +1.34% perplexity (96.3% top-1 agreement with fp32), blocks
of 16 +0.54% (97.7%), for about a tenth more bytes read per token.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import numpy as np

BLOCK = 16  # weights and activations are quantised in blocks of this many inputs (see above)
SUPPORTED_TYPES = ("gpt2", "llama")


class UnsupportedModel(ValueError):
    """This architecture (or one of its options) has no fast graph; the torch path serves it."""


@dataclass(frozen=True)
class GraphShape:
    """What the step runner needs to know about a graph it did not build."""

    layers: int
    kv_heads: int
    head_dim: int
    vocab: int
    max_positions: int
    learned_positions: bool  # GPT-2 adds a position embedding (fed as position_ids); Llama rotates in attention


def _np(tensor) -> np.ndarray:
    return tensor.detach().to("cpu").float().numpy()


class _Builder:
    """A small ONNX graph writer: nodes, initialisers and unique names."""

    def __init__(self, bits: int | None) -> None:
        from onnx import helper

        self.helper = helper
        self.bits = bits
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str, domain: str = "", **attrs) -> str:
        """A node with one output; returns its name."""
        return self.ops(op_type, inputs, hint, 1, domain, **attrs)[0]

    def ops(self, op_type: str, inputs: list[str], hint: str, outputs: int, domain: str = "", **attrs) -> list[str]:
        """A node with several outputs; returns their names."""
        names = [self.name(hint) for _ in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, inputs, names, domain=domain or None, **attrs))
        return names

    def matmul(self, x: str, weight_in_out: np.ndarray, bias: np.ndarray | None, hint: str) -> str:
        """x @ W (+ b), W given as [in, out]: fp32 MatMul, or int8 MatMulNBits in blocks."""
        if self.bits is None or weight_in_out.shape[0] % BLOCK:
            y = self.op("MatMul", [x, self.const(hint + ".w", weight_in_out.astype(np.float32))], hint)
            return y if bias is None else self.op("Add", [y, self.const(hint + ".b", bias)], hint + ".add")
        packed, scales = quantize_blocks(weight_in_out)
        k, n = weight_in_out.shape
        inputs = [x, self.const(hint + ".q", packed), self.const(hint + ".s", scales), "", ""]
        if bias is not None:
            inputs.append(self.const(hint + ".b", bias.astype(np.float32)))
        while inputs[-1] == "":
            inputs.pop()
        return self.op("MatMulNBits", inputs, hint, domain="com.microsoft",
                       K=k, N=n, bits=8, block_size=BLOCK, accuracy_level=4)


def quantize_blocks(weight_in_out: np.ndarray, block: int = BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 in blocks along the input axis, as MatMulNBits stores it.

    Returns the uint8 codes [out, in/block, block] (zero point 128, MatMulNBits'
    default for 8 bits) and the scales [out, in/block].
    """
    w = np.ascontiguousarray(weight_in_out.T, dtype=np.float32)  # [out, in]
    n, k = w.shape
    blocks = w.reshape(n, k // block, block)
    scales = np.abs(blocks).max(axis=2) / 127.0
    scales[scales == 0] = 1.0
    codes = np.clip(np.rint(blocks / scales[..., None]), -127, 127).astype(np.int16) + 128
    return codes.astype(np.uint8), scales.astype(np.float32)


def _attention(b: _Builder, qkv: str, layer: int, heads: int, kv_heads: int, rotary: tuple[str, str] | None) -> str:
    inputs = [qkv, "", "", f"past_key_{layer}", f"past_value_{layer}", "seqlens_k", "total_sequence_length"]
    if rotary:
        inputs += list(rotary)
    out = b.op("GroupQueryAttention", inputs, f"l{layer}.attn", domain="com.microsoft",
               num_heads=heads, kv_num_heads=kv_heads, do_rotary=1 if rotary else 0, rotary_interleaved=0)
    # The node's 2nd and 3rd outputs are the cache, written in place into the bound buffers.
    node = b.nodes[-1]
    node.output.extend([f"present_key_{layer}", f"present_value_{layer}"])
    return out


def _gpt2(b: _Builder, model) -> tuple[GraphShape, str]:
    cfg = model.config
    if getattr(cfg, "scale_attn_by_inverse_layer_idx", False) or getattr(cfg, "reorder_and_upcast_attn", False):
        raise UnsupportedModel("GPT-2 attention options that the fast graph does not implement")
    if not getattr(cfg, "scale_attn_weights", True):
        raise UnsupportedModel("GPT-2 without attention scaling")
    act = getattr(cfg, "activation_function", "gelu_new")
    approximate = {"gelu_new": "tanh", "gelu_pytorch_tanh": "tanh", "gelu": "none"}.get(act)
    if approximate is None:
        raise UnsupportedModel(f"activation {act}")
    t = model.transformer
    d, heads = cfg.n_embd, cfg.n_head
    eps = float(cfg.layer_norm_epsilon)
    wte = _np(t.wte.weight)
    x = b.op("Add", [b.op("Gather", [b.const("wte", wte), "input_ids"], "tok"),
                     b.op("Gather", [b.const("wpe", _np(t.wpe.weight)), "position_ids"], "pos")], "embed")
    for i, block in enumerate(t.h):
        h = b.op("LayerNormalization", [x, b.const("ln1.g", _np(block.ln_1.weight)), b.const("ln1.b", _np(block.ln_1.bias))],
                 f"l{i}.ln1", axis=-1, epsilon=eps)
        qkv = b.matmul(h, _np(block.attn.c_attn.weight), _np(block.attn.c_attn.bias), f"l{i}.qkv")
        a = _attention(b, qkv, i, heads, heads, None)
        x = b.op("Add", [x, b.matmul(a, _np(block.attn.c_proj.weight), _np(block.attn.c_proj.bias), f"l{i}.o")], f"l{i}.res1")
        h = b.op("LayerNormalization", [x, b.const("ln2.g", _np(block.ln_2.weight)), b.const("ln2.b", _np(block.ln_2.bias))],
                 f"l{i}.ln2", axis=-1, epsilon=eps)
        h = b.matmul(h, _np(block.mlp.c_fc.weight), _np(block.mlp.c_fc.bias), f"l{i}.fc")
        h = b.op("Gelu", [h], f"l{i}.gelu", approximate=approximate)
        x = b.op("Add", [x, b.matmul(h, _np(block.mlp.c_proj.weight), _np(block.mlp.c_proj.bias), f"l{i}.down")], f"l{i}.res2")
    last = _last_position(b, x)
    last = b.op("LayerNormalization", [last, b.const("lnf.g", _np(t.ln_f.weight)), b.const("lnf.b", _np(t.ln_f.bias))],
                "lnf", axis=-1, epsilon=eps)
    head = _np(model.lm_head.weight)  # [vocab, d]; tied to wte in GPT-2
    shape = GraphShape(cfg.n_layer, heads, d // heads, head.shape[0], cfg.n_positions, learned_positions=True)
    return shape, b.matmul(last, head.T, None, "head")


def _rope_tables(cfg, head_dim: int, positions: int) -> tuple[np.ndarray, np.ndarray]:
    params = getattr(cfg, "rope_parameters", None) or {}
    kind = params.get("rope_type", "default") if isinstance(params, dict) else "default"
    if kind != "default":
        raise UnsupportedModel(f"rotary scaling '{kind}'")
    theta = float(params.get("rope_theta", getattr(cfg, "rope_theta", 10000.0)))
    inv = 1.0 / theta ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    angles = np.outer(np.arange(positions, dtype=np.float64), inv)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def _llama(b: _Builder, model) -> tuple[GraphShape, str]:
    cfg = model.config
    act = getattr(cfg, "hidden_act", "silu")
    if act != "silu":
        raise UnsupportedModel(f"activation {act}")
    m = model.model
    d, heads = cfg.hidden_size, cfg.num_attention_heads
    kv_heads = getattr(cfg, "num_key_value_heads", None) or heads
    head_dim = getattr(cfg, "head_dim", None) or d // heads
    if head_dim * heads != d and getattr(cfg, "head_dim", None) is None:
        raise UnsupportedModel("hidden size not divisible by heads")
    positions = int(cfg.max_position_embeddings)
    cos, sin = _rope_tables(cfg, head_dim, positions)
    rotary = (b.const("cos", cos), b.const("sin", sin))
    eps = float(cfg.rms_norm_eps)

    def rms(x: str, weight, hint: str) -> str:
        return b.op("SimplifiedLayerNormalization", [x, b.const(hint + ".g", _np(weight))], hint, axis=-1, epsilon=eps)

    def bias(linear) -> np.ndarray | None:
        return None if linear.bias is None else _np(linear.bias)

    x = b.op("Gather", [b.const("embed", _np(m.embed_tokens.weight)), "input_ids"], "tok")
    for i, layer in enumerate(m.layers):
        attn, mlp = layer.self_attn, layer.mlp
        h = rms(x, layer.input_layernorm.weight, f"l{i}.ln1")
        # One product for q, k and v: fewer, larger kernels (GroupQueryAttention takes them packed).
        w = np.concatenate([_np(attn.q_proj.weight), _np(attn.k_proj.weight), _np(attn.v_proj.weight)]).T
        biases = [bias(attn.q_proj), bias(attn.k_proj), bias(attn.v_proj)]
        qkv_bias = None if all(v is None for v in biases) else np.concatenate(
            [v if v is not None else np.zeros(p.out_features, np.float32)
             for v, p in zip(biases, (attn.q_proj, attn.k_proj, attn.v_proj))])
        a = _attention(b, b.matmul(h, w, qkv_bias, f"l{i}.qkv"), i, heads, kv_heads, rotary)
        x = b.op("Add", [x, b.matmul(a, _np(attn.o_proj.weight).T, bias(attn.o_proj), f"l{i}.o")], f"l{i}.res1")
        h = rms(x, layer.post_attention_layernorm.weight, f"l{i}.ln2")
        ff = mlp.gate_proj.out_features
        gate_up = b.matmul(h, np.concatenate([_np(mlp.gate_proj.weight), _np(mlp.up_proj.weight)]).T, None, f"l{i}.gateup")
        gate, up = b.ops("Split", [gate_up, b.const("split", np.array([ff, ff], np.int64))], f"l{i}.split",
                         outputs=2, axis=-1)
        h = b.op("Mul", [b.op("Mul", [gate, b.op("Sigmoid", [gate], f"l{i}.sig")], f"l{i}.silu"), up], f"l{i}.glu")
        x = b.op("Add", [x, b.matmul(h, _np(mlp.down_proj.weight).T, bias(mlp.down_proj), f"l{i}.down")], f"l{i}.res2")
    last = rms(_last_position(b, x), m.norm.weight, "norm")
    head = _np(model.lm_head.weight)
    shape = GraphShape(cfg.num_hidden_layers, kv_heads, head_dim, head.shape[0], positions, learned_positions=False)
    return shape, b.matmul(last, head.T, None, "head")


def _last_position(b: _Builder, x: str) -> str:
    # Only the last new position needs logits: the prompt's others only fill the cache.
    return b.op("Slice", [x, b.const("start", np.array([-1], np.int64)), b.const("end", np.array([2**62], np.int64)),
                          b.const("axis", np.array([1], np.int64))], "last")


def build_step_graph(model, bits: int | None = None):
    """The ONNX model of one decoding step of `model` (a transformers GPT-2 or Llama), and its shape.

    bits=None keeps fp32 weights; bits=8 stores every matrix product as int8 blocks.
    """
    from onnx import TensorProto, helper

    model_type = getattr(model.config, "model_type", "")
    if model_type not in SUPPORTED_TYPES:
        raise UnsupportedModel(f"architecture '{model_type}'")
    b = _Builder(bits)
    shape, logits = (_gpt2 if model_type == "gpt2" else _llama)(b, model)
    b.nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    f32, i64, i32 = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32
    cache = ["batch", shape.kv_heads, "capacity", shape.head_dim]
    inputs = [helper.make_tensor_value_info("input_ids", i64, ["batch", "new"])]
    if shape.learned_positions:
        inputs.append(helper.make_tensor_value_info("position_ids", i64, ["batch", "new"]))
    inputs += [helper.make_tensor_value_info("seqlens_k", i32, ["batch"]),
               helper.make_tensor_value_info("total_sequence_length", i32, [])]
    outputs = [helper.make_tensor_value_info("logits", f32, ["batch", 1, shape.vocab])]
    for i in range(shape.layers):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_{kind}_{i}", f32, cache))
            outputs.append(helper.make_tensor_value_info(f"present_{kind}_{i}", f32, cache))
    graph = helper.make_graph(b.nodes, "decoding_step", inputs, outputs, b.initializers)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20),
                                                         helper.make_opsetid("com.microsoft", 1)])
    onnx_model.ir_version = 10
    helper.set_model_props(onnx_model, {"aigc_desktop.shape": json.dumps(dataclasses.asdict(shape)),
                                        "aigc_desktop.bits": str(bits or 32)})
    return onnx_model, shape


def shape_from_metadata(metadata: dict[str, str]) -> tuple[GraphShape, int]:
    """The GraphShape a graph was written with, and the bits of its weights (kept in its metadata)."""
    return GraphShape(**json.loads(metadata["aigc_desktop.shape"])), int(metadata.get("aigc_desktop.bits", "32"))
