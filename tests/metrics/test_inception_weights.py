"""Finding, downloading (from a local http.server) and verifying the InceptionV3 weights."""

import hashlib

import pytest
import torch

from gankit.errors import DownloadError, GankitError
from gankit.metrics import inception_weights as iw
from gankit.metrics.inception import InceptionV3

DEAD_URL = "http://127.0.0.1:9/" + iw.WEIGHTS_FILE  # the discard port: connection refused


def test_the_release_url_and_hash_prefix_are_pytorch_fids():
    assert iw.WEIGHTS_URL == (
        "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
        "pt_inception-2015-12-05-6726825d.pth"
    )
    assert iw.WEIGHTS_FILE.split("-")[-1] == iw.SHA256_PREFIX + ".pth"
    assert iw.REPORTED_SHA256.startswith(iw.SHA256_PREFIX)


def write_weights(path, net=None):
    """A file holding an InceptionV3 state dict; returns its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save((net or InceptionV3()).state_dict(), path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_inception_reads_a_verified_file_and_records_its_hash(tmp_path, monkeypatch):
    net = InceptionV3()
    net.fc.bias.fill_(0.25)
    digest = write_weights(tmp_path / "w.pth", net)
    monkeypatch.setattr(iw, "SHA256_PREFIX", digest[:8])
    loaded, sha256 = iw.load_inception(tmp_path / "w.pth")
    assert sha256 == digest
    assert torch.equal(loaded.fc.bias, torch.full((1008,), 0.25))


def test_a_file_with_another_hash_is_refused(tmp_path):
    write_weights(tmp_path / "w.pth")
    with pytest.raises(GankitError, match="does not start with 6726825d"):
        iw.find_inception_weights(tmp_path / "w.pth")


def test_an_explicit_missing_path_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(GankitError, match="does not exist"):
        iw.find_inception_weights(tmp_path / "nope.pth")


def test_the_environment_variable_is_used(tmp_path, monkeypatch):
    digest = write_weights(tmp_path / "env.pth")
    monkeypatch.setattr(iw, "SHA256_PREFIX", digest[:8])
    monkeypatch.setenv("GANKIT_INCEPTION", str(tmp_path / "env.pth"))
    assert iw.find_inception_weights(download=False) == tmp_path / "env.pth"


@pytest.mark.parametrize("where", ["cache", "torch hub"])
def test_the_cache_and_torch_hub_folders_are_searched(tmp_path, monkeypatch, where):
    path = (
        iw.default_weights_path()
        if where == "cache"
        else tmp_path / "home" / "torch" / "hub" / "checkpoints" / iw.WEIGHTS_FILE
    )
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home" / "torch"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"pretend weights")
    monkeypatch.setattr(iw, "SHA256_PREFIX", hashlib.sha256(b"pretend weights").hexdigest()[:8])
    assert iw.find_inception_weights(download=False) == path


def test_offline_the_message_says_which_file_and_where(monkeypatch):
    with pytest.raises(GankitError) as info:
        iw.find_inception_weights(download=False)
    message = str(info.value)
    assert iw.WEIGHTS_URL in message and str(iw.default_weights_path()) in message
    assert "--weights" in message and "$GANKIT_INCEPTION" in message


def test_a_missing_file_is_downloaded_verified_into_the_cache(http_server, monkeypatch):
    url, served = http_server
    content = bytes(range(256)) * 4000
    (served / iw.WEIGHTS_FILE).write_bytes(content)
    monkeypatch.setattr(iw, "WEIGHTS_URL", url + iw.WEIGHTS_FILE)
    monkeypatch.setattr(iw, "SHA256_PREFIX", hashlib.sha256(content).hexdigest()[:8])
    path = iw.find_inception_weights()
    assert path == iw.default_weights_path()
    assert path.read_bytes() == content
    assert list(path.parent.iterdir()) == [path]


def test_a_download_with_the_wrong_hash_leaves_nothing(http_server, tmp_path):
    url, served = http_server
    (served / "w.pth").write_bytes(b"not the weights")
    destination = tmp_path / "out" / "w.pth"
    with pytest.raises(DownloadError, match="SHA-256"):
        iw.download_weights(url + "w.pth", destination, sha256_prefix="6726825d")
    assert list(destination.parent.iterdir()) == []


def test_download_failures_name_the_url_and_reason(http_server, tmp_path, monkeypatch):
    url, _ = http_server
    with pytest.raises(DownloadError, match="HTTP 404"):
        iw.download_weights(url + "missing.pth", tmp_path / "w.pth")
    monkeypatch.setattr(iw, "WEIGHTS_URL", DEAD_URL)
    with pytest.raises(DownloadError) as info:
        iw.find_inception_weights()
    assert DEAD_URL in str(info.value) and str(iw.default_weights_path()) in str(info.value)


def test_old_files_without_batchnorm_counters_load():
    state = {k: v for k, v in InceptionV3().state_dict().items() if "num_batches" not in k}
    iw.load_state_exactly(InceptionV3(), state, "old.pth")


def test_a_foreign_layout_is_refused_with_the_differences():
    state = InceptionV3().state_dict()
    del state["fc.bias"]
    state["AuxLogits.fc.weight"] = torch.zeros(1000, 768)
    state["fc.weight"] = torch.zeros(1000, 2048)
    with pytest.raises(GankitError) as info:
        iw.load_state_exactly(InceptionV3(), state, "torchvision.pth")
    message = str(info.value)
    assert "fc.bias" in message and "AuxLogits.fc.weight" in message and "(1000, 2048)" in message
