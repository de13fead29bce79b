"""Registrations from user code: `gankit --import MODULE`, a recipe's `imports:`, entry points.

The acceptance test runs gankit in fresh processes, as a user would: a run trained with a
generator and a discriminator registered in the user's own module is sampled and resumed in a
new process that is not told about the module (the run's config recorded it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from gankit import plugins
from gankit.errors import ConfigError

USER_NETS = textwrap.dedent(
    '''
    """A user's own nets, registered under the name "user-mlp"."""
    from torch import nn

    from gankit.nets import DISCRIMINATORS, GENERATORS


    @GENERATORS.register("user-mlp")
    class UserGenerator(nn.Module):
        def __init__(self, z_dim, spec, hidden=16):
            super().__init__()
            self.shape = spec.shape
            self.body = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(),
                                      nn.Linear(hidden, spec.shape[0]), nn.Tanh())

        def forward(self, z):
            return self.body(z)


    @DISCRIMINATORS.register("user-mlp")
    class UserDiscriminator(nn.Module):
        def __init__(self, spec, hidden=16):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(spec.shape[0], hidden), nn.ReLU(),
                                      nn.Linear(hidden, 1))

        def forward(self, x):
            return self.body(x).flatten()
    '''
)


def gankit(*args, cwd, pythonpath=None):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "gankit", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow  # three fresh processes, each importing torch
def test_a_run_with_user_nets_samples_and_resumes_in_a_new_process(tmp_path):
    (tmp_path / "user_nets.py").write_text(USER_NETS)
    train = gankit(
        "--import", "user_nets", "train", "gan", "--data", "ring8", "--steps", 2, "--name", "u",
        "--out", tmp_path / "runs", "nets=user-mlp", "data.options.n_samples=256",
        "train.progress=false",
        cwd=tmp_path, pythonpath=tmp_path,
    )  # fmt: skip
    assert train.returncode == 0, train.stderr
    run = tmp_path / "runs" / "gan" / "u"
    assert "imports: [user_nets]" in (run / "config.yaml").read_text()
    sampled = gankit("sample", run, "-n", 16, "--out", tmp_path / "s.png", cwd=tmp_path,
                     pythonpath=tmp_path)  # fmt: skip
    assert sampled.returncode == 0, sampled.stderr
    assert (tmp_path / "s.png").is_file()
    resumed = gankit("train", "--resume", run, "--steps", 3, cwd=tmp_path, pythonpath=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    (tmp_path / "user_nets.py").unlink()  # the module is gone: one line says which and why
    missing = gankit("sample", run, cwd=tmp_path, pythonpath=tmp_path)
    assert missing.returncode == 2
    assert "Cannot import module 'user_nets' (named by run" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_import_modules_imports_once_and_remembers(tmp_path, monkeypatch):
    (tmp_path / "plugin_counter.py").write_text("import builtins\nbuiltins.plugin_loads = "
                                                 "getattr(builtins, 'plugin_loads', 0) + 1\n")  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "imported", [])
    plugins.import_modules(["plugin_counter"])
    plugins.import_modules(["plugin_counter"])
    import builtins

    assert builtins.plugin_loads == 1 and plugins.imported == ["plugin_counter"]
    del builtins.plugin_loads


def test_a_missing_module_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(plugins, "imported", [])
    with pytest.raises(ConfigError, match=r"Cannot import module 'no_such_gankit_plugin' \(named "
                       r"by --import\).*PYTHONPATH"):  # fmt: skip
        plugins.import_modules(["no_such_gankit_plugin"])
    assert plugins.imported == []


def test_installed_plugins_load_through_their_entry_points(monkeypatch):
    loaded = []

    class Point:
        name, value = "mine", "my_pkg.nets"

        def load(self):
            loaded.append(self.value)

    class Broken(Point):
        name, value = "broken", "bad_pkg.nets"

        def load(self):
            raise RuntimeError("boom")

    monkeypatch.setattr(plugins, "_entry_points_loaded", False)
    monkeypatch.setattr(plugins, "entry_points", lambda group: [Point()])
    plugins.load_entry_points()
    plugins.load_entry_points()  # once per process
    assert loaded == ["my_pkg.nets"]
    monkeypatch.setattr(plugins, "_entry_points_loaded", False)
    monkeypatch.setattr(plugins, "entry_points", lambda group: [Broken()])
    with pytest.raises(ConfigError, match="plugin 'broken' .*failed to load: RuntimeError: boom"):
        plugins.load_entry_points()


def test_a_recipes_imports_are_imported_and_recorded(tmp_path, monkeypatch):
    from gankit.runs.launch import resolve_config

    (tmp_path / "recipe_plugin.py").write_text("LOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "imported", [])
    recipe = tmp_path / "r.yaml"
    recipe.write_text("method: gan\nimports: [recipe_plugin]\n")
    cfg = resolve_config(None, recipe, [])
    assert cfg.imports == ["recipe_plugin"] and "recipe_plugin" in sys.modules


def test_a_plainly_imported_registration_is_recorded_when_the_config_names_it(
    tmp_path, monkeypatch, capsys
):
    from gankit.runs.launch import resolve_config

    (tmp_path / "plain_nets.py").write_text(USER_NETS.replace("user-mlp", "plain-mlp"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "imported", [])
    import plain_nets  # noqa: F401  (as a script would: no --import)

    assert resolve_config("gan", None, ["nets=plain-mlp"]).imports == ["plain_nets"]
    assert resolve_config("gan", None, []).imports == []  # registered, but not named


def test_a_registration_in_main_gets_a_note(monkeypatch, capsys):
    from torch import nn

    from gankit.nets import DISCRIMINATORS, GENERATORS
    from gankit.runs.launch import resolve_config

    class ScriptNet(nn.Module):
        pass

    ScriptNet.__module__ = "__main__"
    monkeypatch.setattr(plugins, "imported", [])
    monkeypatch.setitem(GENERATORS._entries, "script-mlp", ScriptNet)
    monkeypatch.setitem(DISCRIMINATORS._entries, "script-mlp", ScriptNet)
    assert resolve_config("gan", None, ["nets=script-mlp"]).imports == []
    assert "'script-mlp' is registered in your script or notebook (__main__)" in (
        capsys.readouterr().err
    )
