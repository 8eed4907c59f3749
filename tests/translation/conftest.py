"""A tiny untrained translation model saved like a real one, for fast API tests."""

import pytest
import torch

from shared.pretrained import save_pretrained
from translation.inference import SOURCE_TOKENIZER, TARGET_TOKENIZER
from translation.model import FORMAT_VERSION, MODEL_TYPE, Seq2Seq, TranslationConfig
from translation.tokenizer import SubwordTokenizer

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
        max_source_tokens=40,
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
    return directory
