import argparse

from shared.cli import add_dataclass_args, dataclass_from_args
from shared.training import TrainConfig


def test_dataclass_fields_become_flags_and_back():
    parser = argparse.ArgumentParser()
    add_dataclass_args(parser, TrainConfig, help_texts={"lr": "peak learning rate"})
    args = parser.parse_args(["--max-steps", "2", "--lr", "0.5", "--schedule", "linear"])
    config = dataclass_from_args(TrainConfig, args)
    assert config.max_steps == 2 and config.lr == 0.5 and config.schedule == "linear"
    assert config.batch_size == TrainConfig().batch_size
    assert "peak learning rate (default: 0.001)" in parser.format_help()
