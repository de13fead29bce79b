"""Config files that are not plain YAML mappings: refused in one line, nothing constructed."""

import pytest

pytestmark = pytest.mark.usefixtures("one_thread")


def test_a_yaml_tag_is_refused_and_nothing_runs(refused, tmp_path):
    marker = tmp_path / "constructed"
    config_file = tmp_path / "evil.yaml"
    config_file.write_text(
        f'method: dcgan\nname: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    message = refused("train", "--config", config_file)
    assert message == (
        f"Config file {str(config_file)!r} is not valid YAML: could not determine a constructor "
        f"for the tag 'tag:yaml.org,2002:python/object/apply:os.system' (line 2, column 7); "
        f"gankit reads plain YAML only, without tags."
    )
    assert not marker.exists()
    assert not (tmp_path / "runs").exists()


def test_broken_yaml_names_where_it_breaks_in_one_line(refused, tmp_path):
    config_file = tmp_path / "broken.yaml"
    config_file.write_text("method: dcgan\ntrain: {steps: 3\n")
    message = refused("train", "--config", config_file)
    assert message == (
        f"Config file {str(config_file)!r} is not valid YAML: expected ',' or '}}', but got "
        f"'<stream end>' (line 3, column 1), while parsing a flow mapping (line 2, column 8)."
    )


def test_a_file_that_is_not_a_mapping_is_refused(refused, tmp_path):
    config_file = tmp_path / "list.yaml"
    config_file.write_text("- dcgan\n- 3\n")
    assert refused("train", "--config", config_file) == (
        f"Config file {str(config_file)!r} must hold a mapping of keys to values."
    )
