"""Image encoders: output grids, and what a frozen ResNet stage leaves untouched."""

import torch

from captioning.encoders import ResNetEncoder, SceneCNN


def test_scene_cnn_grid_has_coordinates():
    grid = SceneCNN(channels=4)(torch.rand(2, 3, 64, 64))
    assert grid.shape == (2, 4 * 8 + 2, 4, 4)
    assert torch.allclose(grid[0, -2, 0], torch.linspace(-1, 1, 4))  # x across the columns


def test_frozen_resnet_stages_keep_their_batch_norm_statistics():
    torch.manual_seed(0)
    encoder = ResNetEncoder("resnet18", pretrained=False, finetune_blocks=1).train()
    stem_bn, last_stage = encoder.body[1], encoder.body[7]
    frozen_before = stem_bn.running_mean.clone()
    trained_before = last_stage[0].bn1.running_mean.clone()
    encoder(torch.rand(2, 3, 64, 64) * 5 + 3)  # far from the stored statistics
    assert not stem_bn.training and last_stage.training
    assert torch.equal(stem_bn.running_mean, frozen_before)
    assert not torch.equal(last_stage[0].bn1.running_mean, trained_before)
    assert not any(p.requires_grad for p in stem_bn.parameters())
    assert all(p.requires_grad for p in last_stage.parameters())
