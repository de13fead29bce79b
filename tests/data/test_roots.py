"""Data-root resolution: data.root, then $GANKIT_DATA, then ~/.cache/gankit."""

from pathlib import Path

from gankit.data.roots import candidate_roots, download_folder, find_data_folder

FILES = ("a.gz", "b.gz")


def fill(root: Path, subfolder: str = "mnist") -> Path:
    folder = root / subfolder
    folder.mkdir(parents=True)
    for name in FILES:
        (folder / name).write_bytes(b"x")
    return folder


def test_candidates_come_in_order_and_skip_unset(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GANKIT_DATA", str(tmp_path / "env"))
    assert candidate_roots(tmp_path / "cli") == [
        tmp_path / "cli",
        tmp_path / "env",
        home / ".cache" / "gankit",
    ]
    monkeypatch.setenv("GANKIT_DATA", "")
    assert candidate_roots(None) == [home / ".cache" / "gankit"]


def test_find_prefers_cli_root_then_env_then_cache(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GANKIT_DATA", str(tmp_path / "env"))
    cache = fill(home / ".cache" / "gankit")
    assert find_data_folder(tmp_path / "cli", "mnist", FILES) == cache
    env = fill(tmp_path / "env")
    assert find_data_folder(tmp_path / "cli", "mnist", FILES) == env
    cli = fill(tmp_path / "cli")
    assert find_data_folder(tmp_path / "cli", "mnist", FILES) == cli


def test_a_root_missing_one_file_is_passed_over(tmp_path):
    partial = tmp_path / "cli" / "mnist"
    partial.mkdir(parents=True)
    (partial / "a.gz").write_bytes(b"x")
    assert find_data_folder(tmp_path / "cli", "mnist", FILES) is None
    assert find_data_folder(tmp_path / "cli", "fashion-mnist", FILES) is None


def test_download_goes_to_the_first_root_that_is_set(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    assert download_folder(None, "mnist") == home / ".cache" / "gankit" / "mnist"
    monkeypatch.setenv("GANKIT_DATA", str(tmp_path / "env"))
    assert download_folder(None, "mnist") == tmp_path / "env" / "mnist"
    assert download_folder(str(tmp_path / "cli"), "mnist") == tmp_path / "cli" / "mnist"
