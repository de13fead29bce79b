import re
from pathlib import Path

import pytest

from gankit.config import (
    RunConfig,
    apply_overrides,
    check_values,
    differences,
    dump_yaml,
    from_dict,
    parse_value,
    to_dict,
)
from gankit.config_checks import check_resume_changes, resumable
from gankit.core.spec import DataSpec
from gankit.errors import ConfigError, UnknownNameError
from gankit.methods import METHODS
from gankit.runs.launch import resolve_config

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def test_defaults_round_trip_through_yaml_dict():
    config_class = METHODS.get("dcgan").config_class
    cfg = config_class()
    assert from_dict(config_class, to_dict(cfg)) == cfg
    assert "batch_size: 128" in dump_yaml(cfg)


def test_precedence_defaults_file_overrides(tmp_path):
    config_file = tmp_path / "c.yaml"
    config_file.write_text(
        "method: dcgan\ntrain:\n  steps: 50\n  log_every: 5\ndata:\n  batch_size: 32\n"
    )
    cfg = resolve_config("dcgan", config_file, ["train.steps=7", "optim.generator.lr=1e-4"])
    assert cfg.train.steps == 7  # override beats file
    assert cfg.train.log_every == 5  # file beats default
    assert cfg.data.batch_size == 32
    assert cfg.data.image_size == 32  # method default kept
    assert cfg.optim.generator.lr == pytest.approx(1e-4)  # "1e-4" is a string in YAML 1.1
    assert cfg.optim.discriminator.lr == pytest.approx(2e-4)


def test_typo_in_override_suggests_the_key_meant():
    with pytest.raises(UnknownNameError) as caught:
        resolve_config("dcgan", None, ["train.stpes=3"])
    assert "Did you mean 'train.steps'?" in str(caught.value)


def test_typo_in_config_file_suggests_the_key_meant(tmp_path):
    config_file = tmp_path / "c.yaml"
    config_file.write_text("data:\n  batchsize: 32\n")
    with pytest.raises(UnknownNameError, match="Did you mean 'data.batch_size'"):
        resolve_config("dcgan", config_file)


def test_wrong_type_is_reported_with_the_key():
    with pytest.raises(ConfigError, match="'train.steps' must be int"):
        resolve_config("gan", None, ["train.steps=many"])


def test_values_are_coerced_to_the_field_types():
    cfg = resolve_config(
        "gan", None, ["train.steps=1e3", "train.ema.enabled=true", "optim.generator.betas=[0, 0.9]"]
    )
    assert cfg.train.steps == 1000 and isinstance(cfg.train.steps, int)
    assert cfg.train.ema.enabled is True
    assert cfg.optim.generator.betas == (0.0, 0.9)


def test_free_form_sections_accept_new_keys():
    cfg = resolve_config("gan", None, ["generator.hidden=[32, 32]", "data.options.sigma=0.02"])
    assert cfg.generator == {"hidden": [32, 32]}
    assert cfg.data.options == {"sigma": 0.02}


def test_config_file_for_another_method_is_refused(tmp_path):
    config_file = tmp_path / "c.yaml"
    config_file.write_text("method: gan\n")
    with pytest.raises(ConfigError, match="is for 'gan'"):
        resolve_config("dcgan", config_file)


def test_method_may_come_from_the_file(tmp_path):
    config_file = tmp_path / "c.yaml"
    config_file.write_text("method: gan\n")
    assert resolve_config(None, config_file).method == "gan"


def test_malformed_override():
    with pytest.raises(ConfigError, match="key.sub=value"):
        apply_overrides({}, ["train.steps"])


def test_parse_value():
    assert parse_value("1e-4") == pytest.approx(1e-4)
    assert parse_value("null") is None
    assert parse_value("[a, b]") == ["a", "b"]
    assert parse_value("hinge") == "hinge"
    assert parse_value("'007'") == "007" and parse_value('"1e-4"') == "1e-4"  # quoted: text


def test_typed_pairs_are_never_read_as_yaml():
    cfg = resolve_config("gan", None, [("name", "007"), ("out", "off"), ("train.epochs", None)])
    assert cfg.name == "007" and cfg.out == "off" and cfg.train.epochs is None
    assert apply_overrides({}, [("a.b", "null")]) == {"a": {"b": "null"}}


@pytest.mark.parametrize("method", METHODS.names())
def test_every_method_default_passes_the_value_checks(method):
    check_values(resolve_config(method, None, []))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("optim.generator.lr=0", "optim.generator.lr=0.0 is not allowed: the learning rate"),
        ("optim.discriminator.lr=.nan", "optim.discriminator.lr=NaN is not allowed"),
        ("optim.generator.betas=[0.5, 1]", "optim.generator.betas=[0.5, 1.0] is not allowed"),
        ("optim.generator.betas=[-0.1, 0.9]", "each be in [0, 1)"),
        ("optim.generator.eps=0", "optim.generator.eps=0.0 is not allowed: eps must be above 0"),
        ("optim.generator.weight_decay=-1e-4", "weight decay must be 0 or more"),
        ("optim.generator.momentum=1", "the momentum must be in [0, 1)"),
        ("optim.generator.alpha=1.5", "optim.generator.alpha=1.5 is not allowed"),
        ("train.n_critic=0", "train.n_critic=0 is not allowed"),
        ("train.sample_every=0", "train.sample_every=0 is not allowed"),
        ("train.checkpoint_every=-5", "train.checkpoint_every=-5 is not allowed"),
        ("train.num_samples=0", "train.num_samples=0 is not allowed"),
        ("train.validate_every=-1", "train.validate_every=-1 is not allowed"),
        ("train.epochs=0", "train.epochs=0.0 is not allowed"),
        ("train.grad_clip=-1", "train.grad_clip=-1.0 is not allowed"),
        ("train.ema.decay=1", "train.ema.decay=1.0 is not allowed"),
        ("data.batch_size=0", "data.batch_size=0 is not allowed"),
        ("data.channels=2", "data.channels=2 is not allowed"),
        ("eval.n=0", "eval.n=0 is not allowed"),
        ("seed=99999999999999999999999", "seed=99999999999999999999999 is not allowed"),
    ],
)
def test_out_of_range_values_name_the_key_value_and_fix(override, message):
    with pytest.raises(ConfigError) as refused:
        resolve_config("gan", None, [override])
    text = str(refused.value)
    assert message in text and "Set e.g. " in text and "\n" not in text


def test_zero_means_off_where_documented():
    cfg = resolve_config("gan", None, ["train.validate_every=0", "eval.every=0",
                                       "train.keep_checkpoints=0", "train.grad_clip=0"])  # fmt: skip
    assert cfg.train.keep_checkpoints == 0


def test_base_config_rejects_method_fields():
    with pytest.raises(UnknownNameError):
        from_dict(RunConfig, {"z_dim": 3})


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_config_resolves(path):
    cfg = resolve_config(None, path)
    assert cfg.method


def test_recipe_net_options_are_dropped_with_other_nets(tmp_path):
    # wgan-gp's default critic option (norm: layer) belongs to the DCGAN nets
    assert resolve_config("wgan-gp", None, []).discriminator == {"norm": "layer"}
    cfg = resolve_config("wgan-gp", None, ["nets=resnet", "discriminator.width=8"])
    assert cfg.discriminator == {"width": 8}
    config_file = tmp_path / "c.yaml"
    config_file.write_text("method: wgan-gp\nnets: resnet\ndiscriminator: {pooling: mean}\n")
    assert resolve_config(None, config_file).discriminator == {"pooling": "mean"}


def test_amsgrad_round_trips_and_reaches_one_optimizer_by_dotted_override(tmp_path):
    cfg = resolve_config("dcgan", None, ["optim.generator.amsgrad=true", "generator.width=4",
                                         "discriminator.width=4"])  # fmt: skip
    assert cfg.optim.generator.amsgrad is True and cfg.optim.discriminator.amsgrad is False
    config_file = tmp_path / "c.yaml"
    config_file.write_text(dump_yaml(cfg))
    assert "amsgrad: true" in config_file.read_text()
    assert resolve_config(None, config_file) == cfg
    method = METHODS.get("dcgan")(cfg, DataSpec("image", (1, 16, 16)), "cpu")
    assert method.optimizers["generator"].param_groups[0]["amsgrad"] is True
    assert method.optimizers["discriminator"].param_groups[0]["amsgrad"] is False
    with pytest.raises(ConfigError, match="'optim.generator.amsgrad' must be bool"):
        resolve_config("dcgan", None, ["optim.generator.amsgrad=maybe"])


def test_differences_name_each_changed_key_with_both_values():
    before = {"train": {"steps": 4, "ema": {"decay": 0.9}}, "generator": {"width": 8}, "l": [1]}
    after = {"train": {"steps": 8, "ema": {"decay": 0.9}}, "generator": {"width": 8, "x": 1},
             "l": [1, 2]}  # fmt: skip
    assert differences(before, after) == {
        "train.steps": (4, 8),
        "generator.x": (None, 1),
        "l": ([1], [1, 2]),
    }
    assert differences(after, after) == {}


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("train.steps", True),
        ("train.epochs", True),
        ("optim.generator.lr", True),
        ("optim.discriminators.lr", True),
        ("eval.every", True),
        ("device", True),
        ("data.root", True),
        ("train.ema.enabled", True),
        ("optim.generator.betas", False),
        ("optim.generator.name", False),
        ("generator.width", False),
        ("nets", False),
        ("loss", False),
        ("seed", False),
        ("data.name", False),
        ("data.batch_size", False),
        ("train.n_critic", False),
        ("train.amp", False),
        ("bayes.lr", False),
    ],
)
def test_the_keys_a_resume_may_change(key, allowed):
    assert resumable(key) is allowed
    changes = {key: (1, 2)}
    if allowed:
        check_resume_changes(changes, "runs/x")
    else:
        with pytest.raises(ConfigError, match=f"^{re.escape(key)}=2 would change what run runs/x"):
            check_resume_changes(changes, "runs/x")


def test_a_steps_override_beats_the_files_epochs(tmp_path):
    from gankit.runs.launch import resolve_config

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("method: dcgan\ntrain: {epochs: 5}\n")
    assert resolve_config(None, recipe, []).train.epochs == 5
    cfg = resolve_config(None, recipe, ["train.steps=40"])
    assert cfg.train.epochs is None and cfg.train.steps == 40
    both = resolve_config(None, recipe, ["train.steps=40", "train.epochs=2"])
    assert both.train.epochs == 2


def test_the_last_length_given_wins_on_resume_and_on_the_command_line():
    from gankit.config import apply_overrides

    data = {"train": {"steps": 1000, "epochs": 5}}
    assert apply_overrides(data, ["train.epochs=2", "train.steps=40"])["train"]["epochs"] is None
    data = {"train": {"steps": 1000, "epochs": 5}}
    assert apply_overrides(data, [("train.steps", 40), ("train.epochs", 2)])["train"]["epochs"] == 2


def test_an_image_method_on_a_point_set_gets_mlp_nets_and_no_image_size(capsys):
    from gankit.runs.launch import resolve_config

    cfg = resolve_config("wgan-gp", None, [("data.name", "ring8")])
    assert (cfg.data.image_size, cfg.data.channels, cfg.nets) == (None, None, "mlp")
    assert cfg.discriminator == {}  # the layer norm of the DCGAN critic does not carry over
    assert cfg.loss == "wasserstein" and cfg.train.n_critic == 5  # the method stays itself
    assert "ring8 holds 2-D points, so data.image_size=null, nets=mlp" in capsys.readouterr().err
    kept = resolve_config("wgan", None, [("data.name", "grid25"), "nets=mlp", "generator.width=64"])
    assert kept.generator == {"width": 64}
    images = resolve_config("wgan", None, [("data.name", "mnist")])
    assert images.nets == "dcgan" and images.data.image_size == 32
