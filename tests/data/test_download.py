"""Downloading with mirrors, MD5 checks and atomic placement, against a local HTTP server."""

import hashlib

import pytest

from gankit.data.download import download_file, md5sum
from gankit.errors import DataError, DownloadError

DEAD_MIRROR = "http://127.0.0.1:9/"  # the discard port: connection refused


def serve(folder, name, content):
    (folder / name).write_bytes(content)
    return hashlib.md5(content).hexdigest()


def test_md5sum_matches_hashlib(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"gankit" * 100_000)
    assert md5sum(path) == hashlib.md5(b"gankit" * 100_000).hexdigest()


def test_download_verifies_and_places_the_file(http_server, tmp_path):
    url, served = http_server
    content = bytes(range(256)) * 5000
    md5 = serve(served, "data.bin", content)
    destination = tmp_path / "out" / "data.bin"
    assert download_file([url + "data.bin"], destination, md5) == destination
    assert destination.read_bytes() == content
    assert list(destination.parent.iterdir()) == [destination]


def test_a_bad_md5_deletes_the_partial_file_and_raises(http_server, tmp_path):
    url, served = http_server
    serve(served, "data.bin", b"not what was promised")
    destination = tmp_path / "out" / "data.bin"
    with pytest.raises(DownloadError) as info:
        download_file([url + "data.bin"], destination, "0" * 32)
    message = str(info.value)
    assert "data.bin" in message and url + "data.bin" in message and "MD5" in message
    assert list(destination.parent.iterdir()) == []
    assert isinstance(info.value, DataError)


def test_a_dead_first_mirror_falls_through_to_the_second(http_server, tmp_path):
    url, served = http_server
    md5 = serve(served, "data.bin", b"payload")
    destination = tmp_path / "data.bin"
    download_file([DEAD_MIRROR + "data.bin", url + "data.bin"], destination, md5, timeout=5)
    assert destination.read_bytes() == b"payload"


def test_every_mirror_failing_names_each_url_and_reason(http_server, tmp_path):
    url, _ = http_server
    destination = tmp_path / "data.bin"
    urls = [DEAD_MIRROR + "data.bin", url + "missing.bin"]
    with pytest.raises(DownloadError) as info:
        download_file(urls, destination, "0" * 32, timeout=5)
    message = str(info.value)
    assert all(u in message for u in urls)
    assert "HTTP 404" in message
    assert not destination.exists() and list(tmp_path.glob("*.part")) == []


def test_an_existing_good_file_is_kept_without_downloading(tmp_path):
    destination = tmp_path / "data.bin"
    destination.write_bytes(b"already here")
    md5 = hashlib.md5(b"already here").hexdigest()
    assert download_file([DEAD_MIRROR + "data.bin"], destination, md5, timeout=5) == destination


def test_an_existing_bad_file_is_replaced(http_server, tmp_path):
    url, served = http_server
    md5 = serve(served, "data.bin", b"the right bytes")
    destination = tmp_path / "data.bin"
    destination.write_bytes(b"stale")
    download_file([url + "data.bin"], destination, md5)
    assert destination.read_bytes() == b"the right bytes"
