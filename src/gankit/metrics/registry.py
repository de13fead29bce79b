"""The metric registry."""

from __future__ import annotations

from gankit.registry import Registry

METRICS: Registry = Registry("metric")
