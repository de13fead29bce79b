"""``gankit reproduce``: each paper claim as one command, trained over seeds and tabulated.

:mod:`~gankit.runs.reproduce.experiments` holds the experiments as data, :mod:`.measures` what is
measured on a trained run, :mod:`.runner` the training, resuming, measuring and tables.
"""

from gankit.runs.reproduce.experiments import EXPERIMENTS, Budget, Experiment, RunSpec
from gankit.runs.reproduce.runner import reproduce

__all__ = ["EXPERIMENTS", "Budget", "Experiment", "RunSpec", "reproduce"]
