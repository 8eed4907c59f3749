"""Run by test_training under ``torchrun --nproc_per_node 2``: trains the toy reverser
data-parallel, then every rank saves its own final weights for comparison."""

import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from shared.distributed import rank
from shared.training import TrainConfig, fit
from tests.shared.toy_task import Reverser, collate, loss_fn, make_examples

if __name__ == "__main__":
    out = Path(sys.argv[1])
    torch.manual_seed(rank())  # different initial weights per rank: DDP must broadcast rank 0's
    model = Reverser(hidden=16, dropout=0.1)
    config = TrainConfig(max_steps=6, batch_size=8, checkpoint_every=3, log_every=1, amp="off")
    fit(
        model,
        make_examples(64, 1),
        config=config,
        out_dir=out / "run",
        loss_fn=loss_fn,
        collate_fn=collate,
        progress=False,
    )
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out / f"rank{rank()}.safetensors"))
