import pytest
import torch

from gankit.config import DataConfig
from gankit.errors import ConfigError
from gankit.metrics import label_preservation
from gankit.metrics.features import FeatureSet
from gankit.metrics.label_preservation import domain_names
from gankit.runs.evaluate import evaluate_run


class Oracle:
    """A 'classifier' that reads the label off the image's mean brightness bucket."""

    class classifier:
        accuracy = 1.0

    def __call__(self, images, progress=False):
        brightness = (images.mean(dim=(1, 2, 3)) + 1) / 2
        bucket = (brightness * 10).clamp(0, 9.99).long()
        logits = torch.nn.functional.one_hot(bucket, 10).double().numpy()
        features = torch.stack([brightness, images.std(dim=(1, 2, 3))], 1).double().numpy()
        return FeatureSet(features, logits)


def test_domain_names_need_labelled_datasets():
    assert domain_names(DataConfig(name="unpaired:mnist,usps")) == ["mnist", "usps"]
    with pytest.raises(ConfigError, match="labelled domains"):
        domain_names(DataConfig(name="unpaired:/some/folder"))


def test_cyclegan_runs_are_scored_in_both_directions(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(label_preservation, "classifier_extractor", lambda *a, **k: Oracle())
    args = ["train", "--config", "configs/cyclegan-mnist-usps.yaml", "--out", tmp_path, "--name", "c",
            "--steps", 1, "data.name=unpaired:digits,digits", "data.batch_size=4",
            "train.progress=false", "train.tensorboard=false",
            "generator={width: 4}", "discriminator={width: 4}"]  # fmt: skip
    assert cli(*args) == 0
    document = evaluate_run(tmp_path / "cyclegan" / "c", ["labels"], n=30, progress=False)
    metrics = document["metrics"]
    assert set(metrics) == {
        "labels_AtoB", "labels_BtoA", "cycle_l1_A", "cycle_l1_B",
        "classifier_fid_AtoB", "classifier_fid_BtoA",
    }  # fmt: skip
    assert all(0 <= metrics[f"labels_{k}"]["value"] <= 1 for k in ("AtoB", "BtoA"))
    assert all(0 < metrics[f"cycle_l1_{d}"]["value"] <= 2 for d in "AB")
    assert all(metrics[f"classifier_fid_{k}"]["value"] >= 0 for k in ("AtoB", "BtoA"))
    assert "first 30" in metrics["labels_AtoB"]["protocol"]["source"]
