import collections
import os

import pytest

from gankit.errors import ConfigError, UnknownNameError
from gankit.registry import Registry, import_path, is_import_path


def test_register_get_and_describe():
    things = Registry("thing")

    @things.register("alpha")
    class Alpha:
        """First line is the description.

        More text that `gankit list` does not show.
        """

    assert things.get("alpha") is Alpha
    assert things.describe("alpha") == "First line is the description."
    assert things.names() == ["alpha"] and "alpha" in things


def test_unknown_name_lists_valid_names_and_suggests_the_closest():
    things = Registry("method")
    for name in ("dcgan", "gan", "wgan"):
        things.register(name, "x")(object())
    with pytest.raises(UnknownNameError) as caught:
        things.get("dcgna")
    message = str(caught.value)
    assert "Unknown method 'dcgna'" in message
    assert "Did you mean 'dcgan'?" in message
    assert "dcgan, gan, wgan" in message


def test_registering_a_name_twice_is_refused():
    things = Registry("thing")
    things.register("a", "x")(object())
    with pytest.raises(ValueError, match="registered twice"):
        things.register("a", "y")(object())


def test_the_same_definition_again_is_accepted_and_replaces_the_old_one():
    things = Registry("thing")

    def make():
        class Softplus:  # one definition, run twice as a notebook cell would run it
            pass

        return Softplus

    first, second = make(), make()
    things.register("softplus")(first)
    things.register("softplus")(first)  # the same object: nothing happens
    assert things.get("softplus") is first
    things.register("softplus")(second)  # the cell run again: the new class wins
    assert things.get("softplus") is second


def test_another_object_under_a_taken_name_says_which_is_there():
    things = Registry("loss")

    class Hinge:
        pass

    class Other:
        pass

    things.register("hinge")(Hinge)
    with pytest.raises(
        ValueError,
        match=r"loss 'hinge' is registered twice: it is already .*Hinge, so .*Other needs another name",
    ):
        things.register("hinge")(Other)


def test_unknown_name_message_uses_the_right_plural():
    from gankit.errors import UnknownNameError

    assert "Valid losses: hinge." in str(UnknownNameError("loss", "softplus", ["hinge"]))
    assert "Valid methods: gan." in str(UnknownNameError("method", "gam", ["gan"]))
    # a phrase's head noun takes the plural, not its last word
    option = UnknownNameError("option of generator 'dcgan'", "widht", ["width"])
    assert "Valid options of generator 'dcgan': width." in str(option)


def test_an_import_path_finds_a_class_without_registering_it():
    registry = Registry("generator")
    found = registry.get("collections:OrderedDict")
    assert found is collections.OrderedDict
    assert "collections:OrderedDict" not in registry  # nothing was registered
    assert registry.describe("collections:OrderedDict").startswith("Dictionary that remembers")
    assert registry.get("os.path:join") is os.path.join  # a factory function works too


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("no_such_module_xyz:G", "cannot import module 'no_such_module_xyz'"),
        ("collections:NoSuchClass", "module 'collections' has no 'NoSuchClass'"),
        ("math:pi", "is not a class or function"),
        ("__main__:Gone", "a class of a script, which another process cannot import"),
    ],
)
def test_an_import_path_that_leads_nowhere_is_one_clear_line(path, message):
    with pytest.raises(ConfigError, match=message) as error:
        Registry("generator").get(path)
    assert str(error.value).startswith(f"generator {path!r}")
    assert "\n" not in str(error.value)


def test_only_top_level_classes_and_functions_have_an_import_path():
    class Local:
        pass

    assert import_path(collections.OrderedDict, "generator") == "collections:OrderedDict"
    for obj in (Local, lambda z: z, collections.OrderedDict()):
        with pytest.raises(ConfigError, match="cannot be recorded by its import path"):
            import_path(obj, "generator")
    assert is_import_path("my_pkg.nets:G") and not is_import_path("dcgan")
    assert not is_import_path("a:b:c") and not is_import_path(":G")


def test_a_mistyped_name_with_a_colon_still_lists_the_registered_names():
    registry = Registry("dataset")
    registry.register("mnist")(collections.OrderedDict)
    with pytest.raises(UnknownNameError) as error:
        registry.get("mnsit:train")
    message = str(error.value)
    assert "Valid datasets: mnist." in message and "cannot import module 'mnsit'" in message
    assert not is_import_path("C:\\data\\images") and not is_import_path(".rel:G")
