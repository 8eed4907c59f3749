import argparse

import pytest

from shared.cli import add_dataclass_args, dataclass_from_args
from shared.training import TrainConfig


def test_dataclass_fields_become_flags_and_back():
    parser = argparse.ArgumentParser()
    add_dataclass_args(parser, TrainConfig, defaults={"batch_size": 7})
    args = parser.parse_args(["--max-steps", "2", "--lr", "0.5", "--schedule", "linear"])
    config = dataclass_from_args(TrainConfig, args)
    assert config.max_steps == 2 and config.lr == 0.5 and config.schedule == "linear"
    assert config.batch_size == 7 and config.seed == TrainConfig().seed
    text = " ".join(parser.format_help().split())
    assert "peak learning rate (AdamW). (default: 0.001)" in text
    assert "examples per step and per process. (default: 7)" in text


def test_command_line_quotes_for_a_shell():
    from shared.cli import command_line

    assert command_line("speech.train", ["--data", "my corpus", "--lr", "1e-3"]) == (
        "python -m speech.train --data 'my corpus' --lr 1e-3"
    )


def test_run_script_turns_user_errors_into_exit_2(capsys):
    import pytest

    from shared.cli import run_script

    def bad():
        raise ValueError("no such corpus: data/x")

    with pytest.raises(SystemExit) as stop:
        run_script(bad)
    assert stop.value.code == 2 and "error: no such corpus: data/x" in capsys.readouterr().err

    def bug():
        raise KeyError("a real fault")

    with pytest.raises(KeyError):  # faults keep their traceback
        run_script(bug)


def test_run_script_stops_on_sigterm_as_on_ctrl_c():
    import os
    import signal
    import time

    from shared.cli import run_script

    def killed():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal arrives before this ends

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:  # no traceback: the run said where it saved
        run_script(killed)
    assert stopped.value.code == 130
    assert signal.getsignal(signal.SIGTERM) == before
