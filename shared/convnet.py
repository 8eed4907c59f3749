"""A small CNN for the procedural shapes, trained from scratch: captioning reads a scene
with it, video reads every frame of a clip with it."""

from __future__ import annotations

import torch
from torch import nn


class SceneCNN(nn.Module):
    """A small CNN for the scenes: a strided 5x5 stem, then three blocks of 3x3 convolution,
    batch norm, ReLU and 2x2 max pooling. A (B, 3, H, W) image becomes a (B, C, H/16, W/16)
    grid with C = 8 * ``channels`` + 2: the last two channels are each cell's x and y
    (CoordConv), so that where things are - which the relation words need - is explicit."""

    def __init__(self, channels: int = 24) -> None:
        super().__init__()
        layers: list[nn.Module] = [
            nn.Conv2d(3, channels, 5, stride=2, padding=2, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True),
        ]
        widths = [channels, channels * 2, channels * 4, channels * 8]
        for c_in, c_out in zip(widths, widths[1:], strict=False):
            layers += [
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_out),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
        self.net = nn.Sequential(*layers)
        self.out_channels = widths[-1] + 2

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        grid = self.net(images)
        b, _, h, w = grid.shape
        ys = (
            torch.linspace(-1.0, 1.0, h, device=grid.device, dtype=grid.dtype)
            .view(1, 1, h, 1)
            .expand(b, 1, h, w)
        )
        xs = (
            torch.linspace(-1.0, 1.0, w, device=grid.device, dtype=grid.dtype)
            .view(1, 1, 1, w)
            .expand(b, 1, h, w)
        )
        return torch.cat([grid, xs, ys], dim=1)
