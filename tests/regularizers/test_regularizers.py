"""build_regularizers, in the package's __init__: names, renamed names and options."""

import pytest

from gankit.errors import ConfigError, UnknownNameError
from gankit.regularizers import build_regularizers


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_old_l1_l2_names_say_what_they_were_renamed_to(name):
    for item in (name, {"name": name, "weight": 1.0}):
        with pytest.raises(UnknownNameError, match=f"weight_{name}.*pixel_{name}"):
            build_regularizers([item])


def test_regularizer_names_and_options_are_checked():
    with pytest.raises(UnknownNameError, match="Did you mean 'gradient_penalty'"):
        build_regularizers(["gradient_penalti"])
    with pytest.raises(UnknownNameError, match="Did you mean 'weight'"):
        build_regularizers([{"name": "r1", "wieght": 1}])
    with pytest.raises(ConfigError, match="give a name"):
        build_regularizers([3])
