"""Image grids and plots."""

from gankit.viz.grid import make_grid, save_image_grid, write_png

__all__ = ["make_grid", "save_image_grid", "write_png"]
