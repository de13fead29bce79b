"""Cross-check set-up: skip (with the reason) where the peers are absent; the shared weights and
the networks built on them; one thread; caches in temporary folders only.

The peers are installed only in ``.venv-crosscheck`` (``make crosscheck``). In the main
environment every test marked ``crosscheck`` is skipped at collection, before any fixture runs.
"""

from __future__ import annotations

import pytest
import torch
from peers import import_peer, missing_peers
from shared_inputs import gankit_extractor, shared_state_dict


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = missing_peers()
    if not missing:
        return
    skip = pytest.mark.skip(
        reason=f"cross-check peers not installed ({', '.join(missing)}): run `make crosscheck`, "
        "which builds .venv-crosscheck with them"
    )
    for item in items:
        if item.get_closest_marker("crosscheck"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def isolated(tmp_path_factory):
    """One thread (a shared 2-core machine), and caches in a temporary folder: nothing reads the
    real caches or weights, and a peer that tried to download weights would fail loudly.
    Session-wide, so the module-scoped results computed once are isolated too."""
    home = tmp_path_factory.mktemp("home")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GANKIT_CACHE", str(home / "gankit-cache"))
        patch.setenv("TORCH_HOME", str(home / "torch"))
        patch.delenv("GANKIT_INCEPTION", raising=False)
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def shared_state() -> dict[str, torch.Tensor]:
    """The random InceptionV3 weights every implementation loads (read-only)."""
    return shared_state_dict()


@pytest.fixture(scope="session")
def weights_file(shared_state, tmp_path_factory):
    """:func:`shared_state` saved as a ``.pth`` file, for the peers that take a path."""
    path = tmp_path_factory.mktemp("weights") / "shared-inception.pth"
    torch.save(shared_state, path)
    return path


@pytest.fixture(scope="session")
def gankit_features(shared_state):
    """gankit's standard Inception extractor on the shared weights."""
    return gankit_extractor(shared_state)


@pytest.fixture(scope="session")
def pytorch_fid_net(shared_state):
    """pytorch-fid's ``InceptionV3([3])`` (its defaults: resize to 299, scale to [-1, 1])."""
    module = import_peer("pytorch_fid.inception")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "load_state_dict_from_url", lambda *args, **kwargs: shared_state)
        return module.InceptionV3([module.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()


@pytest.fixture(scope="session")
def torch_fidelity_net(weights_file):
    """torch-fidelity's ``inception-v3-compat`` extractor: pool3 and unbiased logits."""
    module = import_peer("torch_fidelity.feature_extractor_inceptionv3")
    return module.FeatureExtractorInceptionV3(
        "inception-v3-compat",
        ["2048", "logits_unbiased"],
        feature_extractor_weights_path=str(weights_file),
    )
