import pytest
import torch

from gankit.config import DataConfig
from gankit.errors import ConfigError
from gankit.evaluation import evaluate_run
from gankit.metrics import classifier as classifier_module
from gankit.metrics.label_preservation import domain_names


class Oracle:
    """A 'classifier' that reads the label off the image's mean brightness bucket."""

    class classifier:
        accuracy = 1.0

    def __call__(self, images):
        bucket = ((images.mean(dim=(1, 2, 3)) + 1) / 2 * 10).clamp(0, 9.99).long()
        return type(
            "Features", (), {"logits": torch.nn.functional.one_hot(bucket, 10).float().numpy()}
        )


def test_domain_names_need_labelled_datasets():
    assert domain_names(DataConfig(name="unpaired:mnist,usps")) == ["mnist", "usps"]
    with pytest.raises(ConfigError, match="labelled domains"):
        domain_names(DataConfig(name="unpaired:/some/folder"))


def test_cyclegan_runs_are_scored_in_both_directions(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(classifier_module, "classifier_extractor", lambda *a, **k: Oracle())
    args = ["train", "--config", "configs/cyclegan-mnist-usps.yaml", "--out", tmp_path, "--name", "c",
            "--steps", 1, "data.name=unpaired:digits,digits", "data.batch_size=4",
            "train.progress=false", "train.tensorboard=false",
            "generator_options={width: 4}", "discriminator_options={width: 4}"]  # fmt: skip
    assert cli(*args) == 0
    document = evaluate_run(tmp_path / "cyclegan" / "c", ["labels"], n=30, progress=False)
    metrics = document["metrics"]
    assert set(metrics) == {"labels_AtoB", "labels_BtoA"}
    assert all(0 <= m["value"] <= 1 for m in metrics.values())
    assert "first 30" in metrics["labels_AtoB"]["protocol"]["source"]
