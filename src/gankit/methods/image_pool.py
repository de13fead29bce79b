"""A history of generated images for the discriminator (Shrivastava et al. 2017, §3.3).

CycleGAN (Zhu et al. 2017, §4) updates each discriminator with a pool of the 50 most recent
generated images rather than only the latest batch. While the pool fills, every image goes in
and comes back out; once full, each image is, with probability 1/2, swapped for a random stored
one (which is returned instead), else returned as is.
"""

from __future__ import annotations

import torch


class ImagePool:
    """Up to ``size`` stored images; ``size`` 0 turns the pool off."""

    def __init__(self, size: int = 50) -> None:
        self.size = size
        self.images: list[torch.Tensor] = []

    def query(self, images: torch.Tensor) -> torch.Tensor:
        """The batch to show the discriminator for the generated ``images`` (detached)."""
        images = images.detach()
        if self.size == 0:
            return images
        out = []
        for image in images:
            if len(self.images) < self.size:
                self.images.append(image.clone())
                out.append(image)
            elif torch.rand(()) < 0.5:
                slot = int(torch.randint(0, self.size, ()))
                out.append(self.images[slot].clone())
                self.images[slot] = image.clone()
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict:
        stored = torch.stack(self.images).cpu() if self.images else torch.empty(0)
        return {"size": self.size, "images": stored}

    def load_state_dict(self, state: dict, device: torch.device | str = "cpu") -> None:
        self.size = int(state["size"])
        self.images = [image.to(device) for image in state["images"]]
