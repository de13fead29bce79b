"""What the trainer, the methods, the nets and the metrics share, owned by none of them.

- :mod:`.method`: the :class:`~gankit.core.method.Method` contract between a GAN method and the
  generic trainer (and the capabilities a method may declare);
- :mod:`.spec`: :class:`~gankit.core.spec.DataSpec`, the shape of a sample;
- :mod:`.optim`: optimizers and learning-rate schedules built from config.

These modules import only :mod:`gankit.config`, :mod:`gankit.registry` and :mod:`gankit.errors`,
so that ``train/`` and ``methods/`` can both depend on them without depending on each other.
"""
