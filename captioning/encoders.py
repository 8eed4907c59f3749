"""Image encoders that yield a spatial feature grid for attention.

* ``SceneCNN`` (from :mod:`shared.convnet`): a small CNN trained from scratch (the procedural
  scenes need no more).
* ``ResNetEncoder``: a torchvision ResNet for photographs, with ImageNet weights read from
  the local torch cache only (nothing is downloaded), optionally fine-tuning its last blocks.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from shared.convnet import SceneCNN

RESNET_WEIGHTS = {
    "resnet18": "resnet18-f37072fd.pth",
    "resnet34": "resnet34-b627a593.pth",
    "resnet50": "resnet50-11ad3fa6.pth",
    "resnet101": "resnet101-cd907fc2.pth",
}
ENCODERS = ("scene-cnn", *RESNET_WEIGHTS)


def torch_cache_dir() -> Path:
    """Where torchvision keeps downloaded weights: ``$TORCH_HOME/hub/checkpoints``."""
    home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch"
    )
    return Path(home) / "hub" / "checkpoints"


class ResNetEncoder(nn.Module):
    """A torchvision ResNet without its pooling and classifier: (B, 3, H, W) ->
    (B, C, H/32, W/32) with C = 512 (ResNet-18/34) or 2048 (50/101).

    Args:
        name: ``resnet18``, ``resnet34``, ``resnet50`` or ``resnet101``.
        pretrained: load ImageNet weights from the local torch cache; a clear error says
            how to put them there when they are missing.
        finetune_blocks: how many of the last residual stages train (0: frozen encoder).
    """

    def __init__(
        self, name: str = "resnet50", pretrained: bool = True, finetune_blocks: int = 0
    ) -> None:
        super().__init__()
        import torchvision

        if name not in RESNET_WEIGHTS:
            raise ValueError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")
        net = getattr(torchvision.models, name)(weights=None)
        if pretrained:
            path = torch_cache_dir() / RESNET_WEIGHTS[name]
            if not path.is_file():
                raise FileNotFoundError(
                    f"ImageNet weights for {name} are not in the local torch cache ({path}). On a machine with"
                    f" network access run: python -c \"import torchvision; torchvision.models.{name}(weights='DEFAULT')\""
                    f" and copy {RESNET_WEIGHTS[name]} to {path.parent}; or train with --no-pretrained."
                )
            net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        self.body = nn.Sequential(
            net.conv1,
            net.bn1,
            net.relu,
            net.maxpool,
            net.layer1,
            net.layer2,
            net.layer3,
            net.layer4,
        )
        self.out_channels = net.fc.in_features
        stages = [net.layer1, net.layer2, net.layer3, net.layer4]
        trained = stages[len(stages) - finetune_blocks :] if finetune_blocks else []
        # The body's layers before the first trained stage are frozen: no gradients, and
        # (see train) no updates of their batch-norm running statistics either.
        self.frozen_layers = len(self.body) - len(trained)
        for p in self.body.parameters():
            p.requires_grad_(False)
        for stage in trained:
            for p in stage.parameters():
                p.requires_grad_(True)

    def train(self, mode: bool = True) -> ResNetEncoder:
        """Train mode for the fine-tuned stages only: frozen stages stay in eval mode, so
        their batch norms keep the ImageNet statistics instead of drifting to each batch's."""
        super().train(mode)
        for layer in list(self.body)[: self.frozen_layers]:
            layer.eval()
        return self

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.body(images)


def make_encoder(
    name: str, channels: int = 32, pretrained: bool = True, finetune_blocks: int = 0
) -> nn.Module:
    """``scene-cnn`` or a ResNet by name; each has ``out_channels``."""
    if name == "scene-cnn":
        return SceneCNN(channels)
    return ResNetEncoder(name, pretrained, finetune_blocks)
