"""Which LAPGAN level limits a run: the band-pass levels on real coarse images, against the whole
pyramid, and the class mix of the samples (Denton et al. 2015, sec. 3: the levels are trained
independently, so each can be judged alone).

For a trained ``lapgan`` run on MNIST it prints, over the first 10,000 test digits:

- **refined real**: each test digit's real coarsest image I_K refined by the trained finer levels
  (I~_k = u(I~_{k+1}) + G_k(z_k, u(I~_{k+1}))): the share that keeps its label under gankit's
  MNIST domain classifier, and their classifier FID against the test digits;
- **sampled**: the run's own samples (the base GAN's I~_K, then the same levels): classifier FID
  and the share of each class among them (real test digits: 9-11 % each).

A low FID for the refined real images beside a high one for the samples says that the coarsest
(base) GAN is the weak level. For comparison, ``--run`` may be any unconditional run on MNIST
(its class mix alone is printed).

    python benchmarks/experiments/lapgan_levels.py runs/reproduce/lapgan-mnist/full/lapgan/lapgan-seed0
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import torch

from gankit.metrics import fid
from gankit.metrics.classifier import load_or_train_classifier
from gankit.nets.pyramid import gaussian_pyramid, upsample
from gankit.runs.launch import load_trained
from gankit.runs.reproduce.measures import _extractor, generated, reference_images

COUNT, BATCH = 10_000, 500


def refine_real(method, cfg, real: torch.Tensor) -> torch.Tensor:
    """Real coarsest images refined by the trained finer levels, coarse to fine."""
    pyramid_g = method.nets["generator"].eval()
    rng = torch.Generator().manual_seed(0)
    out = []
    with torch.no_grad():
        for start in range(0, len(real), BATCH):
            image = gaussian_pyramid(real[start : start + BATCH], cfg.levels, cfg.pyramid)[-1]
            for k in range(cfg.levels - 2, -1, -1):
                low = upsample(image, cfg.pyramid)
                noise = method.noise_plane(len(image), method.sizes[k], rng)
                image = low + pyramid_g.levels[k](noise, low)
            out.append(image.clamp(-1, 1))
    return torch.cat(out)


def classes(cfg, images: torch.Tensor) -> torch.Tensor:
    """The domain classifier's label of each image."""
    net = load_or_train_classifier(replace(cfg.data, split="train"), device="cpu").net.eval()
    with torch.no_grad():
        return torch.cat(
            [net(images[i : i + BATCH])[1].argmax(1) for i in range(0, len(images), BATCH)]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a trained run folder or checkpoint")
    args = parser.parse_args()
    torch.set_num_threads(1)
    method, cfg, net = load_trained(args.run)
    real, labels, _ = reference_images(cfg.data, COUNT)
    extractor = _extractor(cfg.data)
    if cfg.method == "lapgan":
        refined = refine_real(method, cfg, real)
        kept = (classes(cfg, refined) == labels).float().mean().item()
        print(f"refined real: label kept {100 * kept:.1f} %, "
              f"classifier FID {fid(real, refined, extractor):.2f}")  # fmt: skip
    fake = generated(method, net, COUNT)
    share = torch.bincount(classes(cfg, fake), minlength=10).float() / len(fake) * 100
    print(f"sampled: classifier FID {fid(real, fake, extractor):.2f}, class mix % "
          f"{[round(x, 1) for x in share.tolist()]}")  # fmt: skip


if __name__ == "__main__":
    main()
