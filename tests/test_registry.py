import pytest

from gankit.errors import UnknownNameError
from gankit.registry import Registry


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
