"""gankit: train, evaluate and compare Generative Adversarial Networks."""

__version__ = "0.1.0"
