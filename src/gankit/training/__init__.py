"""The generic training loop and what it keeps: batches, checkpoints, run folders, logs, EMA,
speed options, the memory estimate, and torchrun. It knows the ``Method`` contract of
:mod:`gankit.core.method` and nothing about any particular GAN."""
