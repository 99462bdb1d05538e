"""Tiny random models saved with save_pretrained, so tests load them through the real code.

Model hubs are unreachable in CI: these stand in for gpt2 (byte-level BPE) and for
uer/gpt2-chinese-cluecorpussmall (GPT-2 with a BERT character vocabulary).
"""

from __future__ import annotations

from pathlib import Path

import torch

TRAINING_TEXT = [
    "The quick brown fox jumps over the lazy dog. A writer keeps a draft open all day.",
    "Once upon a time there was a small editor that wrote stories with its user.",
    "今天天气真好，我想去公园散步。我们一起去看看花和树吧！你觉得怎么样？",
    "人工智能生成内容正在改变写作的方式。作者可以让模型继续写下去。",
    "Numbers like 3.14 and words like e.g. should not end a sentence early.",
]

CHINESE_CHARS = sorted(set("".join(TRAINING_TEXT[2:4]) + "的一是了不在有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研"
))


def build_tiny_gpt2(folder: Path, n_positions: int = 128, seed: int = 0) -> Path:
    """A 2-layer GPT-2 with a byte-level BPE tokenizer trained on the spot."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(TRAINING_TEXT * 4, vocab_size=400, min_frequency=1, special_tokens=["<|endoftext|>"])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        bos_token="<|endoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        model_max_length=n_positions,
    )
    eos = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=n_positions, n_embd=64, n_layer=2, n_head=2,
        bos_token_id=eos, eos_token_id=eos,
    )
    model = GPT2LMHeadModel(config).eval()
    model.generation_config.pad_token_id = eos
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


def build_tiny_chinese_gpt2(folder: Path, n_positions: int = 128, seed: int = 0) -> Path:
    """A 2-layer GPT-2 with a BERT character vocabulary, like uer/gpt2-chinese-cluecorpussmall."""
    from transformers import BertTokenizerFast, GPT2Config, GPT2LMHeadModel

    folder.mkdir(parents=True, exist_ok=True)
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    extra = list("，。！？、：；“”（）") + [str(d) for d in range(10)] + ["the", "a", "writer", "##s"]
    vocab = specials + sorted(set(CHINESE_CHARS) - set(extra)) + extra
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # Like the real uer model: just vocab.txt and a tokenizer_config.json naming BertTokenizer.
    (folder / "tokenizer_config.json").write_text(
        '{"tokenizer_class": "BertTokenizer", "do_lower_case": false, "model_max_length": %d}' % n_positions
    )
    tokenizer = BertTokenizerFast(vocab=str(folder / "vocab.txt"))
    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=n_positions, n_embd=64, n_layer=2, n_head=2,
        bos_token_id=None, eos_token_id=None,
    )
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():
        # Zero embeddings give special tokens logit 0, so the random model mostly writes characters.
        model.transformer.wte.weight[: len(specials)] = 0
    model.save_pretrained(folder)
    return folder


def write_gpt2_gguf(hf_folder: Path, path: Path, quantised: bool = False) -> Path:
    """Write a GPT-2 saved with save_pretrained as an fp32 GGUF file, the way llama.cpp names things.

    quantised: its matrices in Q8_0 (8-bit blocks of 32 with a scale each), as most published GGUF files are.
    """
    import json
    import re

    import gguf
    import numpy as np
    from transformers import AutoTokenizer, GPT2LMHeadModel

    model = GPT2LMHeadModel.from_pretrained(hf_folder)
    tokenizer = AutoTokenizer.from_pretrained(hf_folder)
    config = model.config
    arch = next(key for key, value in gguf.MODEL_ARCH_NAMES.items() if value == "gpt2")
    names = gguf.get_tensor_name_map(arch, config.n_layer)
    writer = gguf.GGUFWriter(str(path), "gpt2")
    writer.add_context_length(config.n_positions)
    writer.add_embedding_length(config.n_embd)
    writer.add_feed_forward_length(4 * config.n_embd)
    writer.add_block_count(config.n_layer)
    writer.add_head_count(config.n_head)
    writer.add_layer_norm_eps(config.layer_norm_epsilon)
    writer.add_tokenizer_model("gpt2")
    tokens = [None] * len(tokenizer)
    for token, index in tokenizer.get_vocab().items():
        tokens[index] = token
    writer.add_token_list(tokens)
    special = set(tokenizer.all_special_ids)
    writer.add_token_types([3 if i in special else 1 for i in range(len(tokens))])
    merges = json.loads((hf_folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]["merges"]
    writer.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
    writer.add_bos_token_id(tokenizer.bos_token_id)
    writer.add_eos_token_id(tokenizer.eos_token_id)
    for name, tensor in model.state_dict().items():
        if re.search(r"\.attn\.(bias|masked_bias)$", name):
            continue  # causal-mask buffers, not weights
        gguf_name = "output.weight" if name == "lm_head.weight" else names.get_name(name, try_suffixes=(".weight", ".bias"))
        array = tensor.float().numpy()
        if any(part in gguf_name for part in ("attn_qkv.weight", "ffn_down.weight", "ffn_up.weight", "attn_output.weight")):
            array = array.T  # llama.cpp stores GPT-2's Conv1D weights transposed
        if quantised and array.ndim == 2:
            kind = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(gguf_name, gguf.quants.quantize(np.ascontiguousarray(array), kind), raw_dtype=kind)
        else:
            writer.add_tensor(gguf_name, np.ascontiguousarray(array))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def build_tiny_llama(folder: Path, n_positions: int = 256, seed: int = 0) -> Path:
    """A 2-layer Llama-family model (grouped-query attention, rotary positions), like SmolLM2, with the tiny BPE."""
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    bpe_folder = build_tiny_gpt2(folder / "bpe", n_positions=n_positions, seed=seed)
    tokenizer = AutoTokenizer.from_pretrained(bpe_folder)
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=n_positions,
        tie_word_embeddings=True, bos_token_id=tokenizer.eos_token_id, eos_token_id=tokenizer.eos_token_id,
    )
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # livelier than the default init, so greedy runs are not one token repeated
        model.model.embed_tokens.weight.normal_(0, 1.0)
    target = folder / "llama"
    tokenizer.save_pretrained(target)
    model.save_pretrained(target)
    return target
