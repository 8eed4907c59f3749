"""Tiny translation models for fast tests: an untrained one saved like a real one, and one
that ``translation.train`` made from tiny catalogs (with its ``training.json`` and card)."""

import pytest
import torch

from shared.pretrained import save_generation_config, save_pretrained
from translation.inference import SOURCE_TOKENIZER, TARGET_TOKENIZER
from translation.model import (
    FORMAT_VERSION,
    MODEL_TYPE,
    GenerationConfig,
    Seq2Seq,
    TranslationConfig,
)
from translation.tokenizer import SubwordTokenizer

# Flags that keep a translation.train run to seconds on a CPU.
TINY = [
    "--valid-share", "0.1", "--test-share", "0.1", "--vocab-size", "60",
    "--embed-dim", "16", "--hidden-size", "16", "--decoder-hidden-size", "16",
    "--batch-size", "16", "--warmup-steps", "2", "--eval-every", "0",
    "--eval-sentences", "10", "--threads", "1",
]  # fmt: skip

ENGLISH = [
    f"the {a} {b} file number {n} was {c}"
    for a in ("red", "big", "old", "new")
    for b in ("text", "data", "log")
    for c in ("saved", "opened", "removed")
    for n in range(3)
]
FRENCH = [
    s.replace("the", "le").replace("file", "fichier").replace("was", "a été") for s in ENGLISH
]
CHINESE = [
    "文件已保存",
    "无法打开文件",
    "权限不够",
    "没有那个文件或目录",
    "操作已取消",
    "是否继续？",
] * 20


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-en-fr")
    src = SubwordTokenizer.train(ENGLISH, directory / SOURCE_TOKENIZER, vocab_size=60)
    tgt = SubwordTokenizer.train(FRENCH, directory / TARGET_TOKENIZER, vocab_size=60)
    config = TranslationConfig(
        src_vocab_size=len(src),
        tgt_vocab_size=len(tgt),
        embed_dim=16,
        hidden_size=16,
        decoder_hidden_size=16,
    )
    torch.manual_seed(0)
    save_pretrained(
        Seq2Seq(config),
        directory,
        config,
        model_type=MODEL_TYPE,
        format_version=FORMAT_VERSION,
        dtype=torch.float16,
    )
    save_generation_config(directory, GenerationConfig(max_source_tokens=40))
    return directory


@pytest.fixture(scope="session")
def catalogs(tmp_path_factory):
    from tests.translation.test_data import make_catalogs

    return make_catalogs(tmp_path_factory.mktemp("catalogs"))


@pytest.fixture(scope="session")
def trained_model(catalogs, tmp_path_factory):
    """A model folder from a 20-step run on :func:`catalogs` (copy it before changing it)."""
    from translation.train import main as train

    out = tmp_path_factory.mktemp("run")
    return train(["--data", str(catalogs), "--out", str(out), "--max-steps", "20", *TINY])
