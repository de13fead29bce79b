"""Evaluating runs and folders end to end: eval/<step>.json, the metrics log, protocols."""

import json

import numpy as np
import pytest
import torch

from gankit.config import DataConfig
from gankit.errors import ConfigError, GankitError, UnknownNameError
from gankit.metrics.cache import cache_root
from gankit.metrics.features import FeatureExtractor
from gankit.runs import evaluate as evaluation
from gankit.runs.evaluate import PeriodicEvaluator, evaluate_folders, evaluate_run, summary_lines
from gankit.runs.launch import load_trained, resolve_config, start
from gankit.training.logger import read_metrics
from gankit.training.run_folder import RunFolder

PROTOCOL_KEYS = {
    "num_generated",
    "num_reference",
    "reference",
    "feature_extractor",
    "weights_sha256",
    "resize",
}


@pytest.fixture
def digits_run(tmp_path, tiny_dcgan):
    """A DCGAN trained for 3 steps on 16x16 digits."""
    overrides = [*tiny_dcgan, "train.steps=3", "name=ev", "train.tensorboard=false"]
    return start(resolve_config("dcgan", None, overrides)).path


def test_evaluate_run_writes_the_json_and_appends_to_the_log(digits_run, fast_extractor):
    document = evaluate_run(digits_run, ["fid", "kid", "is", "pr", "dc"], n=60, progress=False)
    assert document["step"] == 3
    saved = json.loads((digits_run / "eval" / "3.json").read_text())
    assert saved == json.loads(json.dumps(document))
    metrics = saved["metrics"]
    assert set(metrics) == {"fid", "kid", "is", "precision", "recall", "density", "coverage"}
    for result in metrics.values():
        assert set(result["protocol"]) >= PROTOCOL_KEYS
        assert np.isfinite(result["value"])
    fid = metrics["fid"]
    assert fid["protocol"]["num_generated"] == 60 and fid["protocol"]["num_reference"] == 60
    assert fid["protocol"]["reference"] == "first 60 of digits train"
    assert metrics["kid"]["protocol"]["subset_size"] == 60 and "std" in metrics["kid"]
    last = read_metrics(RunFolder(digits_run))[-1]
    assert last["step"] == 3
    assert last["eval/fid"] == fid["value"]
    assert last["eval/kid_std"] == metrics["kid"]["std"]
    assert last["eval/recall"] == metrics["recall"]["value"]


def test_evaluation_repeats_and_reuses_the_cached_reference(digits_run, fast_extractor):
    first = evaluate_run(digits_run, ["fid"], n=40, progress=False)
    second = evaluate_run(digits_run, ["fid"], n=40, progress=False)
    assert first["metrics"]["fid"]["value"] == second["metrics"]["fid"]["value"]
    assert len(list((cache_root() / "reference_stats").glob("*.npz"))) == 1
    assert len([r for r in read_metrics(RunFolder(digits_run)) if "eval/fid" in r]) == 2


def test_a_later_evaluation_keeps_other_metrics_and_prints_them(digits_run, fast_extractor):
    evaluate_run(digits_run, ["fid"], n=30, progress=False)
    document = evaluate_run(digits_run, ["is"], n=30, progress=False)
    assert set(document["metrics"]) == {"fid", "is"}
    fid_line, is_line = summary_lines(document["metrics"])
    assert fid_line.startswith("fid") and "30 generated; vs first 30 of digits train" in fid_line
    assert " ± " in is_line and "test-pixels" in is_line


def test_classifier_features_train_a_domain_classifier_once(digits_run, monkeypatch):
    from gankit.metrics import classifier_training

    monkeypatch.setattr(classifier_training, "TRAIN_IMAGES", 1280)
    document = evaluate_run(digits_run, ["fid", "is"], n=50, features="classifier", progress=False)
    protocol = document["metrics"]["fid"]["protocol"]
    assert protocol["feature_extractor"] == "classifier-digits-16"
    assert 0 <= protocol["classifier_accuracy"] <= 1
    assert (cache_root() / "classifiers" / "digits-16.pt").is_file()


def test_a_missing_test_split_says_so(digits_run, fast_extractor):
    from gankit.errors import DataError

    with pytest.raises(DataError, match="split"):
        evaluate_run(digits_run, ["fid"], n=20, ref_split="test", progress=False)


def test_unknown_metrics_and_extractors_are_named():
    with pytest.raises(UnknownNameError, match="Did you mean 'fid'"):
        PeriodicEvaluator(DataConfig(name="digits"), ["fdi"], extractor=object())
    with pytest.raises(ConfigError, match="inception, classifier"):
        evaluation.build_extractor("vgg", DataConfig(name="digits"))


def test_the_periodic_evaluator_keeps_its_reference_and_the_rng(digits_run, pixel_features):
    method, cfg, net = load_trained(digits_run)
    evaluator = PeriodicEvaluator(cfg.data, ["fid", "kid"], n=32, extractor=pixel_features)
    state = torch.get_rng_state()
    first = evaluator(method, net)
    assert torch.equal(torch.get_rng_state(), state)
    assert set(first) == {"eval/fid", "eval/kid", "eval/kid_std"}
    reference = evaluator.reference()
    assert evaluator(method, net) == first  # same latent codes every call
    assert evaluator.reference() is reference
    assert evaluator.last_results["fid"]["protocol"]["generator_seed"] == 0


def test_toy_runs_are_scored_by_mode_coverage(tmp_path):
    overrides = [
        "data.name=ring8",
        "data.options.n_samples=500",
        "train.steps=2",
        "train.progress=false",
        "train.tensorboard=false",
        f"out={tmp_path}",
        "name=toy",
    ]
    run = start(resolve_config("gan", None, overrides)).path
    document = evaluate_run(run, ["toy2d"], progress=False)
    assert document["metrics"]["num_modes"]["value"] == 8
    assert document["metrics"]["modes_covered"]["protocol"]["num_generated"] == 2500
    with pytest.raises(ConfigError, match="toy2d"):
        evaluate_run(run, ["fid"], progress=False)


def write_pngs(folder, count, seed, size=12, start=0):
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(start, start + count):
        pixels = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i:03d}.png")


def test_two_folders_are_compared_without_a_run(tmp_path, fast_extractor):
    write_pngs(tmp_path / "real", 30, seed=0)
    write_pngs(tmp_path / "fake", 25, seed=1)
    result = evaluate_folders(tmp_path / "real", tmp_path / "fake", ["fid", "pr"], progress=False)
    fid = result["metrics"]["fid"]
    assert fid["protocol"]["num_generated"] == 25 and fid["protocol"]["num_reference"] == 30
    assert fid["protocol"]["generated"].endswith("at their stored 12x12")
    assert str(tmp_path / "real") in fid["protocol"]["reference"]
    same = evaluate_folders(tmp_path / "real", tmp_path / "real", ["fid"], progress=False)
    assert same["metrics"]["fid"]["value"] == pytest.approx(0.0, abs=1e-6)
    assert list(cache_root().glob("reference_stats/*")) == []


class ShapeRecorder(FeatureExtractor):
    """Mean colour and spread as features; remembers the image sizes it was fed."""

    name, weights_sha256, resize, feature_dim = "shapes", "0" * 64, "none", 6

    def __init__(self):
        super().__init__(batch_size=16)
        self.sizes = set()

    def forward(self, images):
        self.sizes.add(tuple(images.shape[-2:]))
        return torch.cat([images.mean((2, 3)), images.std((2, 3))], 1), None


def test_each_folder_is_fed_at_its_stored_size_as_the_fid_peers_do(tmp_path, monkeypatch):
    """A 16 px real set against 12 px fakes: neither is resampled before the extractor (the
    real set used to be shrunk to the fakes' size, moving an FID by 5 %)."""
    recorder = ShapeRecorder()
    monkeypatch.setattr(evaluation, "inception_extractor", lambda *a, **k: recorder)
    write_pngs(tmp_path / "real", 20, seed=0, size=16)
    write_pngs(tmp_path / "fake", 20, seed=1, size=12)
    result = evaluate_folders(tmp_path / "real", tmp_path / "fake", ["fid"], progress=False)
    assert recorder.sizes == {(16, 16), (12, 12)}
    protocol = result["metrics"]["fid"]["protocol"]
    assert protocol["reference"].endswith("at their stored 16x16")
    assert protocol["generated"].endswith("at their stored 12x12")
    recorder.sizes.clear()
    resized = evaluate_folders(
        tmp_path / "real", tmp_path / "fake", ["fid"], progress=False, image_size=8
    )
    assert recorder.sizes == {(8, 8)}
    assert resized["metrics"]["fid"]["protocol"]["reference"].endswith("from 16x16 to 8x8")


def test_a_folder_of_mixed_sizes_is_refused_unless_a_size_is_given(tmp_path, fast_extractor):
    write_pngs(tmp_path / "real", 10, seed=0, size=12)
    write_pngs(tmp_path / "fake", 6, seed=1, size=12)
    write_pngs(tmp_path / "fake", 4, seed=2, size=14, start=6)
    with pytest.raises(
        GankitError, match=r"several sizes \(12x12 \(6\), 14x14 \(4\)\).*--image-size"
    ):
        evaluate_folders(tmp_path / "real", tmp_path / "fake", ["fid"], progress=False)
    result = evaluate_folders(
        tmp_path / "real", tmp_path / "fake", ["fid"], progress=False, image_size=12
    )
    assert "resized from 12x12/14x14 to 12x12" in result["metrics"]["fid"]["protocol"]["generated"]
