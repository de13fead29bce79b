import pytest

from gankit.errors import ConfigError
from gankit.nets.dcgan import BASES
from gankit.nets.shapes import pyramid


def test_pyramid_sizes():
    assert pyramid(16, BASES, "DCGAN") == (4, 2)
    assert pyramid(28, BASES, "DCGAN") == (7, 2) and pyramid(64, BASES, "DCGAN") == (4, 4)
    with pytest.raises(ConfigError, match="data.image_size"):
        pyramid(17, BASES, "DCGAN")
