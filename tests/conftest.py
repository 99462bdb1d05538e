import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach a model hub

sys.path.insert(0, str(Path(__file__).parent))
from tiny_models import build_tiny_chinese_gpt2, build_tiny_gpt2  # noqa: E402

SHARED_GPT2_TOKENIZER = Path(__file__).resolve().parents[1].parent / "shared" / "gpt2-tokenizer"


@pytest.fixture(scope="session")
def tiny_gpt2_dir(tmp_path_factory) -> Path:
    return build_tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"))


@pytest.fixture(scope="session")
def tiny_chinese_dir(tmp_path_factory) -> Path:
    return build_tiny_chinese_gpt2(tmp_path_factory.mktemp("tiny-gpt2-chinese"))


@pytest.fixture(scope="session")
def tiny_gpt2(tiny_gpt2_dir):
    from aigc_desktop.engine.loading import load_model

    return load_model(str(tiny_gpt2_dir), device="cpu")


@pytest.fixture(scope="session")
def tiny_chinese(tiny_chinese_dir):
    from aigc_desktop.engine.loading import load_model

    return load_model(str(tiny_chinese_dir), device="cpu")


@pytest.fixture
def gpt2_tokenizer_dir() -> Path:
    if not (SHARED_GPT2_TOKENIZER / "vocab.json").is_file():
        pytest.skip("the real GPT-2 tokenizer files (../shared/gpt2-tokenizer) are not present")
    return SHARED_GPT2_TOKENIZER
