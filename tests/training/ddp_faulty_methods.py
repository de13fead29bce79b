"""2-process jobs whose method misbehaves on purpose (run by test_ddp_runs.py).

``python -m torch.distributed.run --nproc_per_node=2 ddp_faulty_methods.py METHOD OUT``
"""

import os
import sys

import torch

from gankit.methods.gan import GAN
from gankit.methods.registry import METHODS
from gankit.runs.launch import resolve_config, start


@METHODS.register("bypassing-gan")
class BypassingGAN(GAN):
    """Keeps its own references to its nets, as a method that cached ``self.G`` would."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_nets = dict(self.nets)

    def train_step(self, batch, update_generator):
        wrapped, self.nets = self.nets, self.own_nets
        try:
            return super().train_step(batch, update_generator)
        finally:
            self.nets = wrapped


@METHODS.register("rank1-nan-gan")
class RankOneNaNGAN(GAN):
    """Its generator loss turns NaN from the fifth step on, on rank 1 only."""

    steps = 0

    def train_step(self, batch, update_generator):
        logs = super().train_step(batch, update_generator)
        self.steps += 1
        if self.steps >= 5 and os.environ["RANK"] == "1":
            logs["g_loss"] = torch.tensor(float("nan"))
        return logs


if __name__ == "__main__":
    method, out = sys.argv[1:]
    overrides = ["data.name=ring8", "z_dim=2", "generator.hidden=[16]", "discriminator.hidden=[16]"]
    overrides += ["train.steps=8", "train.checkpoint_every=4", "train.log_every=1"]
    overrides += ["train.progress=false", "train.tensorboard=false", "name=faulty", f"out={out}"]
    start(resolve_config(method, None, overrides))
