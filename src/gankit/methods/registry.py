"""The method registry: ``gankit train NAME`` finds its method class here."""

from __future__ import annotations

from gankit.registry import Registry

METHODS: Registry = Registry("method")
