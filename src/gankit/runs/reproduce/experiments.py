"""The experiments ``gankit reproduce`` knows: each paper claim as data.

An :class:`Experiment` names the runs it trains (a recipe from ``configs/`` and the overrides
that make each run), what is measured on every trained run (a measure from
:mod:`gankit.runs.reproduce.measures`, by name), the published figure or target it is compared with,
and two budgets: ``quick`` (minutes on a 2-core CPU, what CI exercises) and ``full`` (the
converged budget), each with its number of seeds (0, 1, ...). Adding an experiment is
adding a record here; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from gankit.registry import Registry


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment: a recipe and the overrides that make it this run."""

    name: str  # the run's row in the table, and its folder name (with the seed)
    recipe: str  # a recipe in configs/ by name (``cgan-mnist``), or a path to a YAML file
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Budget:
    """How long each run trains and how many samples each measurement takes."""

    steps: int
    samples: int  # generated / real images per measurement (FID, label accuracy, ...)
    overrides: tuple[str, ...] = ()  # e.g. a narrower net for the quick budget
    seeds: int = 3  # seeds 0..seeds-1 of every run, unless --seeds says otherwise

    def describe(self) -> str:
        extra = f", {' '.join(self.overrides)}" if self.overrides else ""
        return f"{self.steps} steps, {self.samples} samples per measurement{extra}"


@dataclass(frozen=True)
class Experiment:
    """A claim of a paper, the runs that test it, and how it is scored."""

    name: str
    claim: str  # one line: what the paper says, and what we measure
    runs: tuple[RunSpec, ...]
    measure: str  # a name in gankit.runs.reproduce.measures.MEASURES
    metric: str  # the headline metric among those the measure returns
    better: str  # "lower" or "higher"
    published: str  # the published figure beside ours, with its source (or why there is none)
    target: float | None  # the number to reach (issue 18), compared with the seeds' mean
    quick: Budget
    full: Budget
    floor: str | None = None  # a measure of real data (e.g. real-vs-real FID), shown as a row
    target_times_floor: float | None = None  # the target is this multiple of the floor instead

    def budget(self, name: str) -> Budget:
        if name not in ("quick", "full"):
            raise ValueError(f"budget must be 'quick' or 'full', got {name!r}")
        return self.quick if name == "quick" else self.full

    def target_for(self, floor: float | None) -> float | None:
        """The number to reach, given the floor measured on real data (when there is one)."""
        if self.target_times_floor is not None and floor is not None:
            return self.target_times_floor * floor
        return self.target

    def meets(self, value: float, target: float | None) -> bool | None:
        """Whether ``value`` reaches ``target`` (None when there is no target)."""
        if target is None:
            return None
        return value <= target if self.better == "lower" else value >= target


EXPERIMENTS: Registry[Experiment] = Registry("experiment")


def register(experiment: Experiment) -> Experiment:
    EXPERIMENTS.register(experiment.name, experiment.claim)(experiment)
    return experiment


# A quick budget is a smoke test of the whole pipeline in about a minute per run on one CPU
# core, far from convergence; the full budget is the one the results in EXPERIMENTS.md use.

register(
    Experiment(
        name="dcgan-digits",
        claim="DCGAN (Radford et al. 2015) on the embedded 8x8 digits: classifier FID against "
        "the real digits; no download needed",
        runs=(RunSpec("dcgan", "dcgan-digits"),),
        measure="classifier_fid",
        metric="classifier_fid",
        better="lower",
        published="none for these digits; the floor row is real digits against real digits",
        target=None,
        quick=Budget(steps=300, samples=500, seeds=2),
        full=Budget(steps=3000, samples=1797),
        floor="real_fid",
    )
)

register(
    Experiment(
        name="dcgan-mnist",
        claim="DCGAN (Radford et al. 2015) on MNIST: classifier FID against the test set, within "
        "3x the real-vs-real floor (issue 18)",
        runs=(RunSpec("dcgan", "dcgan-mnist"),),
        measure="classifier_fid",
        metric="classifier_fid",
        better="lower",
        published="no MNIST FID in the paper; the floor row is real training images against "
        "real test images, and the target is 3x that floor",
        target=None,
        quick=Budget(steps=200, samples=2000, seeds=2),
        # 51 epochs, the longest measured (EXPERIMENTS.md, eighth session): 16.2 ± 1.2 at 3,000
        # steps, 4.5 ± 0.6 at 24,000 over three seeds, and still falling there
        full=Budget(steps=24000, samples=10000),
        floor="real_fid",
        target_times_floor=3.0,
    )
)

# Miyato & Koyama 2018, sec. 5: hinge loss, spectral norm in D, Adam 2e-4 with betas (0, 0.9),
# 5 D steps per G step
_PROJECTION = (
    "conditioning=projection",
    "loss=hinge",
    "regularizers=[spectral_norm]",
    "discriminator.norm=none",
    "optim.generator.betas=[0.0, 0.9]",
    "optim.discriminator.betas=[0.0, 0.9]",
    "train.n_critic=5",
)

register(
    Experiment(
        name="cgan-mnist",
        claim="conditional GAN (Mirza & Osindero 2014) on MNIST: generated digits are the asked "
        "class, by a held-out classifier; concatenation and projection (Miyato & Koyama 2018)",
        runs=(
            RunSpec("concat", "cgan-mnist"),
            # their pairing: conditional BatchNorm in G
            RunSpec("projection", "cgan-mnist", (*_PROJECTION, "generator_conditioning=batchnorm")),
            # the projection D with the concatenation run's G (a label embedding joined to z),
            # which learns the labels far sooner on this budget (EXPERIMENTS.md)
            RunSpec(
                "projection-embedding",
                "cgan-mnist",
                (*_PROJECTION, "generator_conditioning=embedding"),
            ),
        ),
        measure="label_accuracy",
        metric="label_accuracy",
        better="higher",
        published="no label accuracy in either paper (Mirza & Osindero report a Parzen "
        "log-likelihood, Fig. 2 shows class rows); target 95 % (issue 18)",
        target=0.95,
        quick=Budget(steps=200, samples=1000, seeds=2),
        full=Budget(steps=3000, samples=10000),
    )
)

register(
    Experiment(
        name="infogan-mnist",
        claim="InfoGAN (Chen et al. 2016) on MNIST: the 10-way code classifies digits "
        "(Hungarian-matched error of Q on the test set)",
        runs=(
            RunSpec("infogan", "infogan-mnist"),
            # the authors' run_mnist_exp.py where it differs from the paper: G's update on new
            # noise and codes (two session runs), leaky_rectify's slope 0.01
            RunSpec(
                "authors-code",
                "infogan-mnist",
                ("fresh_noise=true", "discriminator.leaky_slope=0.01"),
            ),
        ),
        measure="categorical_error",
        metric="categorical_error",
        better="lower",
        published="Chen et al. 2016 (MNIST experiment): about 5 % error, no spread or run count "
        "given; target 10 % (issue 18)",
        target=0.10,
        quick=Budget(steps=200, samples=10000, seeds=2),
        full=Budget(steps=5000, samples=10000),
    )
)

register(
    Experiment(
        name="bigan-mnist",
        claim="BiGAN (Donahue et al. 2017) on MNIST: 1-NN accuracy of encoder features (E(x) and "
        "E's hidden layer) against raw pixels and an untrained encoder",
        runs=(
            RunSpec("bigan", "bigan-mnist"),
            # the authors' code's model where the paper is silent (nets.bigan's docstring): no
            # biases or batch-norm gains, z added into G's and D's second layer, D's batch norm,
            # E's code squashed into [-1, 1] for D, L2 weight decay 2.5e-5 (train_gan.py)
            RunSpec(
                "authors-code",
                "bigan-mnist",
                (
                    "generator.affine=false",
                    "generator.z_skip=true",
                    "encoder.affine=false",
                    "encoder.squash=true",
                    "discriminator.affine=false",
                    "discriminator.joint=additive",
                    "discriminator.norm=batch",
                    "optim.generator.weight_decay=2.5e-5",
                    "optim.discriminator.weight_decay=2.5e-5",
                ),
            ),
        ),
        measure="encoder_features",
        metric="encoder_1nn",
        better="higher",
        published="the authors' MNIST log (jeffdonahue/bigan README, validation split, Euclidean "
        "1-NN): E(x) 95.9 % at epoch 200 and 92.1 % at 400, E's 1024-d hidden layer 97.1 % and "
        "97.4 %; an untrained E gives 91.5 % and 96.8 %; raw pixels are not in that log",
        target=None,  # the claim is "above raw pixels": the table shows both
        quick=Budget(steps=200, samples=2000, seeds=2),
        # probes fitted on the first 20,000 training digits (the authors: 50,000), to keep the
        # ten probes of a checkpoint to a few CPU minutes
        full=Budget(steps=10000, samples=20000),
    )
)


def _family(dataset: str) -> tuple[RunSpec, ...]:
    """DCGAN, LSGAN, WGAN-GP and SNGAN at their papers' settings on ``dataset`` at 28 px."""
    data = (f"data.name={dataset}", "data.image_size=28")
    return (
        RunSpec("dcgan", "dcgan-mnist", data),
        RunSpec("lsgan", "lsgan", data),
        RunSpec("wgan-gp", "wgan-gp", data),
        RunSpec("sngan", "sngan", data),
    )


for _dataset, _title in (("mnist", "MNIST"), ("fashion-mnist", "Fashion-MNIST")):
    register(
        Experiment(
            name=f"gan-family-{_dataset}",
            claim=f"DCGAN, LSGAN, WGAN-GP and SNGAN, each at its paper's settings (configs/), on "
            f"{_title}: classifier FID against the test set, beside the real-vs-real floor",
            runs=_family(_dataset),
            measure="classifier_fid",
            metric="classifier_fid",
            better="lower",
            published="no MNIST-scale FID in these papers (their figures are CIFAR-10 / LSUN "
            "Inception FIDs, ../shared/ANCHORS.md); the floor row is real against real",
            target=None,
            quick=Budget(steps=100, samples=1000, seeds=2),
            full=Budget(steps=3000, samples=10000),
            floor="real_fid",
            target_times_floor=3.0,
        )
    )

register(
    Experiment(
        name="lapgan-mnist",
        claim="LAPGAN (Denton et al. 2015) on MNIST against a DCGAN with as many generator "
        "parameters, same steps: classifier FID against the test set",
        # DCGAN width 128 has 1.78 M generator parameters, LAPGAN's three levels 1.84 M
        runs=(
            RunSpec("lapgan", "lapgan-mnist"),
            RunSpec(
                "dcgan-w128", "dcgan-mnist", ("generator.width=128", "discriminator.width=128")
            ),
        ),
        measure="classifier_fid",
        metric="classifier_fid",
        better="lower",
        published="Denton et al. 2015 report CIFAR-10 / STL Parzen likelihoods and human "
        "judgements, no MNIST figure; the floor row is real against real",
        target=None,
        quick=Budget(steps=100, samples=1000, seeds=2),
        full=Budget(steps=3000, samples=10000),
        floor="real_fid",
    )
)

register(
    Experiment(
        name="bayesgan-mnist",
        claim="Bayesian GAN (Saatci & Wilson 2017) on semi-supervised MNIST: test accuracy with "
        "N = 100 and 600 labels, against the maximum-likelihood semi-supervised GAN and a "
        "supervised net of the same body on the labels alone",
        runs=(
            RunSpec("bayesgan-n100", "bayesgan-mnist"),
            RunSpec("ssgan-n100", "ssgan-mnist"),
            RunSpec("bayesgan-n600", "bayesgan-mnist", ("semi.labels=600",)),
            RunSpec("ssgan-n600", "ssgan-mnist", ("semi.labels=600",)),
        ),
        measure="semi_supervised_accuracy",
        metric="accuracy",
        better="higher",
        published="Saatci & Wilson 2017, Table 1 (MNIST test error): Bayesian GAN ahead of the "
        "DCGAN semi-supervised baseline at every N; the claim tested is that order",
        target=None,
        # samples are collected every 1/8 of the run after half of it, the last 5 kept
        quick=Budget(
            steps=200,
            samples=10000,
            seeds=2,
            overrides=("bayes.burn_in=100", "bayes.collect_every=25"),
        ),
        full=Budget(
            steps=3000, samples=10000, overrides=("bayes.burn_in=1500", "bayes.collect_every=375")
        ),
    )
)

register(
    Experiment(
        name="cyclegan-mnist-usps",
        claim="CycleGAN MNIST <-> USPS with Kasmi & Thimonier's small digit nets (2020, sec. 2.3): "
        "translated digits keep their class, in both directions, log loss and least squares",
        runs=(
            RunSpec("log-loss", "cyclegan-mnist-usps"),
            RunSpec("least-squares", "cyclegan-mnist-usps-ls"),
        ),
        measure="label_preservation",
        metric="labels_AtoB",
        better="higher",
        published="Kasmi & Thimonier 2020: satisfactory translations after 200 iterations, little "
        "change by 1000 (no number); labels_AtoB is MNIST -> USPS, labels_BtoA USPS -> MNIST",
        target=None,
        quick=Budget(steps=100, samples=1000, seeds=2),
        full=Budget(steps=1000, samples=2000),
    )
)

register(
    Experiment(
        name="stargan-digits",
        claim="StarGAN (Choi et al. 2018) between MNIST, USPS and the embedded digits: one "
        "generator translates every domain into every other and keeps the class",
        runs=(RunSpec("stargan", "stargan-digits"),),
        measure="label_preservation",
        metric="labels_mean",
        better="higher",
        published="Choi et al. 2018 use faces (CelebA, RaFD), no digit figure; their "
        "200,000 iterations are out of CPU reach, the recipe's 10,000 is the full budget",
        target=None,
        quick=Budget(steps=50, samples=500, seeds=2),
        full=Budget(steps=10000, samples=2000),
    )
)

# pix2pix studies on the embedded photo crops (configs/experiments/, whose CPU scale is the full
# budget); quick narrows the nets to width 16 and the run to 100 steps.
_NARROW = ("generator.width=16", "discriminator.width=16")
for _study, _runs, _published in (
    (
        "noise",
        ("noise-clean", "noise-25"),
        "Tucker, Tables 1-2: percent error of the mean RGB (0.01, 3.1, 4.6) % clean against "
        "(54.2, 57.3, 57.6) % with 25 % noisy maps, which also oversaturate (mean norm 248.8 "
        "against the target's 151.9)",
    ),
    (
        "generator",
        ("generator-unet", "generator-unet-noskip", "generator-unet++", "generator-resnet"),
        "Gao: the U-Net without skips collapses; ResNet reaches a lower pixel loss than U-Net",
    ),
    (
        "l1",
        ("l1-0", "l1-10", "l1-100", "l1-200"),
        "Gao: lambda 100 about as good as 200, both better than 10; 0 is bad (Isola et al. 2017, "
        "Table 1: L1+cGAN ahead of cGAN alone)",
    ),
    (
        "field",
        ("field-1", "field-16", "field-70", "field-286", "field-global"),
        "Isola et al. 2017, Table 3 (FCN scores): 70x70 best (0.66 per-pixel), 16x16 close "
        "(0.65), 1x1 and 286x286 worse (0.39, 0.42)",
    ),
):
    register(
        Experiment(
            name=f"pix2pix-{_study}",
            claim=f"pix2pix (Isola et al. 2017) {_study} study on the embedded photo crops: test "
            "L1 of the translations ([0, 1] units), PSNR, SSIM and colour statistics",
            runs=tuple(RunSpec(run, f"experiments/pix2pix-{run}") for run in _runs),
            measure="pixel_metrics",
            metric="l1",
            better="lower",
            published=_published,
            target=None,
            quick=Budget(steps=100, samples=32, overrides=_NARROW, seeds=2),
            full=Budget(steps=1000 if _study == "field" else 1500, samples=32),
        )
    )

register(
    Experiment(
        name="gradient-layer-toy",
        claim="functional gradient descent with gradient layers (Nitanda & Suzuki 2018; Sørby's "
        "Algorithm 3) from an untrained MLP generator on the toy mixtures: modes covered in "
        "about 100 iterations",
        runs=(
            RunSpec("ring8", "gradient-layer-ring8"),
            RunSpec("grid25", "gradient-layer-ring8", ("data.name=grid25",)),
        ),
        measure="modes",
        metric="modes_covered",
        better="higher",
        published="Nitanda & Suzuki 2018 / Sørby: the gradient-layer generator covers the modes "
        "in about 100 iterations (figures, no table); 8 and 25 modes are all there are",
        target=None,
        quick=Budget(steps=20, samples=2500, seeds=2),
        full=Budget(steps=100, samples=2500),
    )
)
