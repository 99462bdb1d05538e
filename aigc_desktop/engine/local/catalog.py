"""The models a writer can pick without knowing a model id."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class CatalogEntry:
    repo_id: str
    title: str
    language: str  # "English" or "Chinese"
    download_bytes: int  # safetensors weights + tokenizer, as published
    memory_bytes: int  # about what the fp32 weights need in RAM
    description: str


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("openai-community/gpt2", "GPT-2 (124M)", "English", 550 * MB, 700 * MB,
                 "The default: quick on any laptop CPU, good for drafting English prose."),
    CatalogEntry("distilbert/distilgpt2", "DistilGPT-2 (82M)", "English", 355 * MB, 450 * MB,
                 "A smaller, faster GPT-2 for slow machines; a little less fluent."),
    CatalogEntry("openai-community/gpt2-medium", "GPT-2 Medium (355M)", "English", 1550 * MB, 1800 * MB,
                 "More coherent English; comfortable on a recent CPU or any GPU."),
    CatalogEntry("openai-community/gpt2-large", "GPT-2 Large (774M)", "English", 3300 * MB, 3600 * MB,
                 "Noticeably better English; a GPU or fast CPU mode is recommended."),
    CatalogEntry("openai-community/gpt2-xl", "GPT-2 XL (1.5B)", "English", 6500 * MB, 7000 * MB,
                 "The largest GPT-2; best with a GPU with 8 GB or more."),
    CatalogEntry("uer/gpt2-chinese-cluecorpussmall", "GPT-2 Chinese (102M)", "Chinese", 420 * MB, 500 * MB,
                 "中文 GPT-2 (CLUECorpusSmall), with a BERT character vocabulary: continues Chinese text."),
)

CHINESE_MODEL = "uer/gpt2-chinese-cluecorpussmall"


def find(repo_id: str) -> CatalogEntry | None:
    return next((entry for entry in CATALOG if entry.repo_id == repo_id), None)


def cached_snapshot(repo_id: str) -> Path | None:
    """The local snapshot folder of a downloaded model (config and safetensors present), else None."""
    from huggingface_hub import try_to_load_from_cache

    config = try_to_load_from_cache(repo_id, "config.json")
    if not isinstance(config, str):
        return None
    folder = Path(config).parent
    return folder if any(folder.glob("*.safetensors")) else None


def is_downloaded(repo_id: str) -> bool:
    return cached_snapshot(repo_id) is not None
