"""A small CNN for the procedural shapes, trained from scratch: captioning reads a scene
with it, video reads every frame of a clip with it."""

from __future__ import annotations

import torch
from torch import nn


def coordinate_maps(like: torch.Tensor) -> torch.Tensor:
    """(B, 2, H, W) maps of x and y from -1 to 1, for a (B, C, H, W) tensor."""
    b, _, h, w = like.shape
    ys = torch.linspace(-1.0, 1.0, h, device=like.device, dtype=like.dtype)
    xs = torch.linspace(-1.0, 1.0, w, device=like.device, dtype=like.dtype)
    return torch.stack([xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w)]).expand(b, 2, h, w)


class SceneCNN(nn.Module):
    """A small CNN for the scenes: a strided 5x5 stem, then three blocks of 3x3 convolution,
    batch norm, ReLU and 2x2 max pooling. A (B, 3, H, W) image becomes a (B, C, H/16, W/16)
    grid with C = 8 * ``channels`` + 2: the last two channels are each cell's x and y
    (CoordConv), so that where things are - which the relation words need - is explicit.

    ``input_coords`` also gives the stem each pixel's x and y (CoordConv at the input), so
    that a feature can say where inside its cell a thing is: a move of a fraction of a cell
    changes the features, which motion needs."""

    def __init__(self, channels: int = 24, input_coords: bool = False) -> None:
        super().__init__()
        self.input_coords = input_coords
        stem_in = 3 + (2 if input_coords else 0)
        layers: list[nn.Module] = [
            nn.Conv2d(stem_in, channels, 5, stride=2, padding=2, bias=False),
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
        if self.input_coords:
            images = torch.cat([images, coordinate_maps(images)], dim=1)
        grid = self.net(images)
        return torch.cat([grid, coordinate_maps(grid)], dim=1)
