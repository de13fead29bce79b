"""The run layer: what a user does with a run (refine it, measure it), built on the library.

Each module takes a run folder, loads the trained method and works with it; the commands in
:mod:`gankit.commands` are thin wrappers around these. Nothing below this layer (methods, nets,
metrics, the trainer) imports it.
"""
