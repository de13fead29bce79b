"""FID speed: Inception feature extraction (images/s) and the FID computation itself.

Compares gankit's :class:`~gankit.metrics.features.InceptionFeatureExtractor` with the standard
pytorch-fid loop, re-implemented here on the same network: a DataLoader of images in [0, 1]
(``ToTensor``), batch 50, fp32, ``with torch.no_grad(): pred = model(batch)``, features copied
into a float64 NumPy array batch by batch (pytorch-fid's ``get_activations``). gankit runs at
each batch size given, in fp32 and with the options (bf16 autocast, channels_last), and every
variant's features and FID are checked against the fp32 loop's (relative error < 1e-3 for the
FID). Then the Frechet distance of 2048-d statistics is timed: gankit's eigh route and
pytorch-fid's ``scipy.linalg.sqrtm``.

Without ``--weights`` (the pytorch-fid file) the network has random weights, which the output
says: speed does not depend on the values. Record results in BENCHMARKS.md.

    python benchmarks/fid_speed.py --device cpu --images 100 --batch-sizes 50,100
    python benchmarks/fid_speed.py --device cuda --images 5000 --batch-sizes 50,100,200,500
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from gankit.metrics.features import InceptionFeatureExtractor
from gankit.metrics.frechet import frechet_distance
from gankit.metrics.inception import FEATURE_DIM, random_inception
from gankit.metrics.inception_weights import load_inception

BASELINE_BATCH = 50  # pytorch-fid's default --batch-size


def test_images(count: int, size: int, seed: int = 0) -> torch.Tensor:
    """uint8 images (N, 3, S, S): half smooth colour gradients, half noisy, two distributions."""
    generator = torch.Generator().manual_seed(seed)
    ramp = torch.linspace(0, 1, size)
    smooth = ramp.view(1, 1, 1, size) * torch.rand(count, 3, 1, 1, generator=generator)
    smooth = smooth + ramp.view(1, 1, size, 1) * torch.rand(count, 3, 1, 1, generator=generator)
    noisy = torch.rand(count, 3, size, size, generator=generator)
    images = torch.where(torch.arange(count).view(-1, 1, 1, 1) < count // 2, smooth / 2, noisy)
    return (images * 255).round().to(torch.uint8)


def pytorch_fid_loop(net: torch.nn.Module, images: torch.Tensor, device: torch.device):
    """pytorch-fid's get_activations: batch 50, fp32, features gathered in float64."""
    dataset = torch.utils.data.TensorDataset(images)
    loader = torch.utils.data.DataLoader(dataset, batch_size=BASELINE_BATCH, shuffle=False)
    activations = np.empty((len(images), FEATURE_DIM))
    start = 0
    for (batch,) in loader:
        batch = (batch.float() / 255).to(device)  # ToTensor
        with torch.no_grad():
            prediction = net(batch)
        activations[start : start + len(prediction)] = prediction.cpu().numpy()
        start += len(prediction)
    return activations


def gankit_loop(extractor: InceptionFeatureExtractor, images: torch.Tensor) -> np.ndarray:
    gankit_images = images.float() / 127.5 - 1  # what a generator or dataset hands over
    return extractor(gankit_images).features


def timed(function, *args) -> tuple[float, object]:
    synchronize = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    synchronize()
    start = time.perf_counter()
    result = function(*args)
    synchronize()
    return time.perf_counter() - start, result


def fid_of_halves(features: np.ndarray) -> float:
    half = len(features) // 2
    a, b = features[:half].astype(np.float64), features[half:].astype(np.float64)
    return frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--weights", default=None, help="the pytorch-fid weights file")
    parser.add_argument("--images", type=int, default=100, help="images per timed pass")
    parser.add_argument("--image-size", type=int, default=32, help="input size (resized to 299)")
    parser.add_argument("--batch-sizes", default="50,100,200,500")
    parser.add_argument(
        "--variants",
        default="float32,float32+cl,bfloat16,bfloat16+cl",
        help="gankit variants: precision, +cl for channels_last",
    )
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--skip-sqrtm", action="store_true", help="skip the slow scipy timing")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if args.weights:
        net, sha256 = load_inception(args.weights, download=False)
        weights = f"pytorch-fid weights (SHA-256 {sha256[:16]}...)"
    else:
        net, sha256 = random_inception(seed=0), "random"
        weights = "RANDOM weights (no --weights given; speed does not depend on the values)"
    net = net.to(device).eval()
    images = test_images(args.images, args.image_size)
    print(
        f"device {device} ({platform.processor() or platform.machine()}), torch "
        f"{torch.__version__}, {torch.get_num_threads()} threads; {weights}"
    )
    print(f"{args.images} images {args.image_size}x{args.image_size} per pass, resized to 299")

    # Warm-up (oneDNN / cuDNN kernel selection) on a few images, then the baseline.
    pytorch_fid_loop(net, images[:4], device)
    seconds, reference = timed(pytorch_fid_loop, net, images, device)
    baseline = args.images / seconds
    reference_fid = fid_of_halves(reference)
    print(f"\npytorch-fid loop, batch 50, fp32: {baseline:.2f} img/s")
    print(f"{'variant':<32} {'img/s':>8} {'vs loop':>8} {'feat rel err':>13} {'FID rel err':>12}")
    variants = [(v.removesuffix("+cl"), v.endswith("+cl")) for v in args.variants.split(",")]
    for batch_size in [int(b) for b in args.batch_sizes.split(",")]:
        for precision, channels_last in variants:
            # A fresh copy: channels_last converts the module's weights in place.
            copy = random_inception(0) if sha256 == "random" else load_inception(args.weights)[0]
            extractor = InceptionFeatureExtractor(
                copy, sha256, device, batch_size, precision, channels_last
            )
            gankit_loop(extractor, images[:4])
            seconds, features = timed(gankit_loop, extractor, images)
            feature_error = np.linalg.norm(features - reference) / np.linalg.norm(reference)
            fid_error = abs(fid_of_halves(features) - reference_fid) / reference_fid
            name = f"batch {batch_size} {precision}{' channels_last' if channels_last else ''}"
            speed = args.images / seconds
            print(
                f"{name:<32} {speed:>8.2f} {speed / baseline:>7.2f}x {feature_error:>13.2e} "
                f"{fid_error:>12.2e}"
            )
            del extractor, copy

    print("\nFrechet distance of 2048-d statistics (10000 samples each):")
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(10000, FEATURE_DIM)), rng.normal(size=(10000, FEATURE_DIM)) * 1.1
    stats = (a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))
    seconds, eigh_value = timed(frechet_distance, *stats)
    print(f"  gankit eigh:            {seconds:6.2f} s  FID {eigh_value:.6f}")
    if not args.skip_sqrtm:
        seconds, sqrtm_value = timed(lambda: frechet_distance(*stats, method="sqrtm"))
        print(f"  pytorch-fid sqrtm:      {seconds:6.2f} s  FID {sqrtm_value:.6f}")


if __name__ == "__main__":
    main()
