"""What ``gankit reproduce`` measures on a trained checkpoint: one function per kind of claim.

Every measure takes a checkpoint, the number of samples to use and a folder for figures (None:
no figures), and returns a flat dict of numbers. Features come from the dataset's domain
classifier (:func:`gankit.metrics.classifier_extractor`: trained once on the training split and
cached), so numbers from different datasets or feature networks cannot be compared. Generated
samples are drawn with a private RNG (seed 123), so a measurement of a checkpoint is repeatable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

from gankit.config import DataConfig
from gankit.data import build_dataset
from gankit.data.base import InMemoryDataset
from gankit.data.toy2d import MixtureDataset
from gankit.errors import GankitError
from gankit.methods import METHODS, semi_supervised
from gankit.metrics import classifier_extractor, fid, match_clusters, mode_coverage
from gankit.metrics import label_accuracy as classifier_accuracy
from gankit.metrics.label_preservation import label_preservation as preservation
from gankit.nets import build_discriminator
from gankit.nets.heads import ClassOutputs
from gankit.registry import Registry
from gankit.runs.encode import encode_images
from gankit.runs.evaluate import pixel_results
from gankit.runs.launch import load_trained
from gankit.runs.sample import write_samples
from gankit.viz.grid import save_image_grid
from gankit.viz.plots import scatter_points

Measure = Callable[[Path, int, "Path | None"], dict[str, float]]
MEASURES: Registry[Measure] = Registry("measure")
FLOORS: Registry[Callable[[DataConfig, int], dict[str, Any]]] = Registry("floor")  # and a "label"
SAMPLE_SEED = 123


def _load(checkpoint: Path):
    return load_trained(checkpoint)


def _extractor(data: DataConfig):
    return classifier_extractor(replace(data, split="train"), progress=True)


def _images(data: DataConfig, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    images, labels = cast(InMemoryDataset, build_dataset(replace(data, split=split))).tensors
    return images, labels


def reference_images(data: DataConfig, count: int) -> tuple[torch.Tensor, torch.Tensor, str]:
    """The first ``count`` test images and labels, or training images where there is no test
    split (the embedded digits), and which they are."""
    try:
        images, labels = _images(data, "test")
        split = "test"
    except GankitError:
        images, labels = _images(data, "train")
        split = "train"
    return images[:count], labels[:count], f"{data.name} {split}, first {min(count, len(images))}"


def generated(method, net, count: int, batch: int = 500) -> torch.Tensor:
    """``count`` samples of ``net`` drawn with the private RNG."""
    rng = torch.Generator().manual_seed(SAMPLE_SEED)
    chunks = [
        method.generate(method.sample_latent(min(batch, count - i), rng), net)
        for i in range(0, count, batch)
    ]
    return torch.cat(chunks)


@MEASURES.register("classifier_fid")
def classifier_fid(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """Fréchet distance of domain-classifier features: ``samples`` generated images against as
    many real test images (Heusel et al. 2017's formula on another feature network)."""
    method, cfg, net = _load(checkpoint)
    real, _, _ = reference_images(cfg.data, samples)
    fake = generated(method, net, len(real))
    if figures is not None:
        _grid(fake[:64], figures / "samples.png")
    return {"classifier_fid": fid(real, fake, _extractor(cfg.data))}


@FLOORS.register("real_fid")
def real_fid(data: DataConfig, samples: int) -> dict[str, Any]:
    """Classifier FID of real images against real images: training images against the test
    images the runs are scored on, or one half of a set without a test split against the other."""
    real, _, which = reference_images(data, samples)
    if which.startswith(f"{data.name} test"):
        train, _ = _images(data, "train")
        other = train[: len(real)]
        label = f"real {data.name} training images against the test images"
    else:
        half = len(real) // 2
        real, other = real[:half], real[half : 2 * half]
        label = f"real {data.name} images, one half against the other"
    return {"classifier_fid": fid(real, other, _extractor(data)), "label": label}


@MEASURES.register("label_accuracy")
def label_accuracy(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """The share of class-conditional samples (``samples // classes`` per class) the held-out
    domain classifier assigns to the class asked for, and their classifier FID."""

    method, cfg, net = _load(checkpoint)
    per_class = max(1, samples // method.num_classes)
    rng = torch.Generator().manual_seed(SAMPLE_SEED)
    images, wanted = [], []
    for label in range(method.num_classes):
        labels = torch.full((per_class,), label)
        for part in labels.split(500):
            images.append(method.generate(method.labelled_latent(part, rng), net))
        wanted.append(labels)
    fake, labels = torch.cat(images), torch.cat(wanted)
    features = _extractor(cfg.data)
    real, _, _ = reference_images(cfg.data, len(fake))
    if figures is not None:
        rows = fake.view(method.num_classes, per_class, *fake.shape[1:])[:, :10]
        _grid(rows.flatten(0, 1), figures / "per-class.png", nrow=min(10, per_class))
    return {
        "label_accuracy": classifier_accuracy(fake, labels, features),
        "classifier_fid": fid(real, fake, features),
    }


@MEASURES.register("categorical_error")
def categorical_error(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """InfoGAN: the error of Q's first categorical code as a classifier of ``samples`` real
    test images, under the best one-to-one matching of categories to classes (Hungarian; Chen et
    al. 2016); also with each category taking its most frequent digit
    (``categorical_error_majority``, the looser reading of the paper's "matching each category
    in c1 to a digit type", which forgives two categories for one digit), and with batch norm
    on real batches' own statistics
    (``categorical_error_batch_stats``), which tells a measurement artefact of the running
    averages from a generator whose categories are not digits."""
    method, cfg, net = _load(checkpoint)
    images, labels, _ = reference_images(cfg.data, samples)
    categories = torch.cat([method.infer_categories(part) for part in images.split(500)])
    classes = int(labels.max()) + 1
    matching = match_clusters(categories, labels, cfg.categorical[0], classes)
    batch_stats = match_clusters(
        _categories_batch_stats(method, images), labels, cfg.categorical[0], classes
    )
    if figures is not None:
        for code in ["cat1"] + [f"c{i + 1}" for i in range(cfg.continuous)]:
            write_samples(checkpoint.parent.parent, 100, figures / f"traverse-{code}.png", seed=1,
                          traverse=code, value_range=(-2.0, 2.0))  # fmt: skip
    return {
        "categorical_error": matching.error,
        "categorical_error_majority": matching.majority_error,
        "categorical_error_batch_stats": batch_stats.error,
    }


def _categories_batch_stats(method, images: torch.Tensor) -> torch.Tensor:
    """Q's category of each image with batch norm on the statistics of its batch of 500 real
    images instead of the running averages (which mix real and generated batches); the running
    averages are left as they were."""
    D = method.nets["discriminator"]
    saved = {k: v.clone() for k, v in D.state_dict().items()}
    was_training = D.training
    D.train()
    try:
        with torch.no_grad():
            q = torch.cat(
                [
                    D.score_and_q(part.to(method.device))[1].float().cpu()
                    for part in images.split(500)
                ]
            )
    finally:
        D.load_state_dict(saved)
        D.train(was_training)
    return q[:, : method.cfg.categorical[0]].argmax(dim=1)


@MEASURES.register("encoder_features")
def encoder_features(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """BiGAN / ALI: 1-nearest-neighbour (Euclidean) and logistic-regression accuracy on the test
    set of encoder features, fitted on the first ``samples`` training images: E(x) itself
    (``encoder_*``; the authors' ``NNC_e``) and E's last hidden layer (``encoder_hidden_*``, 1024-d;
    their ``NNC_e-``, which their README says "normally works better"); the same for raw pixels
    and for the encoder's initial random weights (same seed, untrained)."""

    method, cfg, net = _load(checkpoint)
    train_x, train_y = _images(cfg.data, "train")
    train_x, train_y = train_x[:samples], train_y[:samples]
    test_x, test_y, _ = reference_images(cfg.data, 10000)
    torch.manual_seed(cfg.seed)
    untrained = METHODS.get(cfg.method)(cfg, method.spec, "cpu")
    results: dict[str, float] = {}
    for name, (fit, score) in {
        "encoder": (encode_images(method, train_x), encode_images(method, test_x)),
        "encoder_hidden": (_hidden(method, train_x), _hidden(method, test_x)),
        "random": (encode_images(untrained, train_x), encode_images(untrained, test_x)),
        "random_hidden": (_hidden(untrained, train_x), _hidden(untrained, test_x)),
        "pixels": (train_x.flatten(1), test_x.flatten(1)),
    }.items():
        one_nn, linear = _probe(fit.numpy(), train_y.numpy(), score.numpy(), test_y.numpy())
        results[f"{name}_1nn"], results[f"{name}_logistic"] = one_nn, linear
    if figures is not None:
        real = test_x[:32]
        rebuilt = method.reconstruct(real, net)
        rows = [part for i in range(0, 32, 8) for part in (real[i : i + 8], rebuilt[i : i + 8])]
        _grid(torch.cat(rows), figures / "reconstructions.png", nrow=8)
    return results


def _hidden(method, images: torch.Tensor) -> torch.Tensor:
    """E's last hidden layer for ``images``, 500 at a time (:meth:`BiGAN.encode`)."""
    return torch.cat([method.encode(part, hidden=True) for part in images.split(500)])


def _probe(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray):
    """Test accuracy of a 1-NN classifier and of a logistic regression on standardised inputs."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    nearest = KNeighborsClassifier(n_neighbors=1, algorithm="brute").fit(train_x, train_y)
    one_nn = float((nearest.predict(test_x) == test_y).mean())
    scaler = StandardScaler().fit(train_x)
    logistic = LogisticRegression(max_iter=500).fit(scaler.transform(train_x), train_y)
    return one_nn, float((logistic.predict(scaler.transform(test_x)) == test_y).mean())


def _grid(images: torch.Tensor, path: Path, nrow: int = 8) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image_grid(images, path, nrow=nrow)


@MEASURES.register("semi_supervised_accuracy")
def semi_supervised_accuracy(
    checkpoint: Path, samples: int, figures: Path | None
) -> dict[str, float]:
    """Test accuracy of a semi-supervised run's classifier (the posterior-averaged D of
    ``bayesgan``, D of ``ssgan``) on the first ``samples`` test images, and of the supervised
    baseline: the same D body with K outputs trained on the run's labelled subset alone, for as
    many steps, from the run's seed (Saatci & Wilson 2017, sec. 5)."""
    method, cfg, _ = _load(checkpoint)
    images, labels, _ = reference_images(cfg.data, samples)
    accuracy = semi_supervised.accuracy(method.class_probabilities, images, labels)
    train_x, train_y = _images(cfg.data, "train")
    classes = method.spec.num_classes
    index = semi_supervised.balanced_subset(train_y, cfg.semi.labels, classes, seed=cfg.semi.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(cfg.seed)
        body = build_discriminator(cfg.discriminator_name, method.spec, dict(cfg.discriminator))
        net = ClassOutputs(body, classes)
    step = int(checkpoint.stem.split("_")[1]) if checkpoint.stem.startswith("step_") else None
    steps = step or cfg.train.steps
    semi_supervised.train_supervised(
        net, train_x[index], train_y[index], steps, cfg.data.batch_size, seed=cfg.seed
    )

    def probabilities(batch: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return torch.softmax(net(batch), dim=1)

    return {
        "accuracy": accuracy,
        "supervised_accuracy": semi_supervised.accuracy(probabilities, images, labels),
    }


@MEASURES.register("label_preservation")
def label_preservation(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """Unpaired (CycleGAN) and multi-domain (StarGAN) digit translation: the accuracy of the
    target domain's classifier on ``samples`` translated test digits against their source labels,
    in every direction (CyCADA's protocol); for CycleGAN also the cycle L1 and the classifier FID
    of each direction (:func:`gankit.metrics.label_preservation.label_preservation`)."""
    method, cfg, _ = _load(checkpoint)
    results = preservation(method, cfg.data, samples)
    return {name: float(entry["value"]) for name, entry in results.items()}


def percent_scale(metric: str) -> float | None:
    """How a results table shows ``metric`` as a percent: 100 for fractions (accuracies, errors,
    the encoders' 1-NN and logistic accuracies), 1 for those measured in percent already
    (Tucker's colour errors of :func:`pixel_metrics`), None for plain numbers (FID, L1, SSIM)."""
    if metric.startswith("colour_mean_error"):
        return 1.0
    if "accuracy" in metric or "error" in metric or metric.endswith(("_1nn", "_logistic")):
        return 100.0
    return None


@MEASURES.register("pixel_metrics")
def pixel_metrics(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """Paired translation (pix2pix): L1 (in [0, 1] units, of images in [-1, 1]), PSNR, SSIM and
    Tucker's colour statistics (errors in percent) of the translations of the first ``samples``
    test pairs against their targets (:func:`gankit.runs.evaluate.pixel_results`)."""
    method, cfg, _ = _load(checkpoint)
    results = pixel_results(method, cfg.data, samples, "test")
    if figures is not None:
        test = cast(InMemoryDataset, build_dataset(replace(cfg.data, split="test")))
        inputs, targets = test.tensors
        outputs = method.translate(inputs[:8])
        _grid(torch.cat([inputs[:8], outputs, targets[:8, 0]]), figures / "translations.png")
    return {name: float(entry["value"]) for name, entry in results.items()}


@MEASURES.register("modes")
def modes(checkpoint: Path, samples: int, figures: Path | None) -> dict[str, float]:
    """Toy 2-D mixtures: modes covered and the fraction of high-quality samples (within 3 sigma
    of a mean) among ``samples`` generated points (VEEGAN / PacGAN protocol: 2,500)."""

    method, cfg, net = _load(checkpoint)
    mixture = cast(MixtureDataset, build_dataset(cfg.data)).mixture
    points = generated(method, net, samples)
    if figures is not None:
        scatter_points(points, figures / "points.png", means=mixture.means)
    return {k: float(v) for k, v in mode_coverage(points, mixture.means, mixture.sigma).items()}
