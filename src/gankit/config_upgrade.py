"""The image-translation configs' former net keys: saved runs read in today's layout, new use refused.

pix2pix, CycleGAN and StarGAN once named their nets with ``generator`` / ``discriminator`` and
took their options as ``generator_options`` / ``discriminator_options`` (StarGAN's D its width
as ``discriminator_width``). They now have the GAN family's keys (:class:`gankit.config.NetChoice`):
``generator_net`` / ``discriminator_net`` name the nets, ``generator`` / ``discriminator`` hold
their options. A config a run saved then (its checkpoint, config.yaml, an export) is rewritten
by :func:`upgrade_net_keys` wherever it is read back, so the run loads, samples and resumes as
before; a config written today with the old keys is refused by :func:`refuse_old_net_keys` in
one line naming the new key. No torch here: the early checks of ``gankit train`` use it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gankit.config_checks import show
from gankit.errors import ConfigError

ROLES = ("generator", "discriminator")
OLD_OPTIONS = {f"{role}_options": role for role in ROLES}


def upgrade_net_keys(data: dict[str, Any]) -> dict[str, Any]:
    """A whole saved config ``data`` with the old net keys renamed, in their order; ``data``
    itself when it has none (``generator_options`` was in every old translation config, in
    no config of another method, nor in any saved since)."""
    if "generator_options" not in data:
        return data
    upgraded: dict[str, Any] = {}
    for key, value in data.items():
        upgraded.update(_renamed(key, value))
    return upgraded


def _renamed(key: str, value: Any) -> dict[str, Any]:
    if key in ROLES and isinstance(value, str):
        return {f"{key}_net": value}
    if key in OLD_OPTIONS:
        return {OLD_OPTIONS[key]: value}
    if key == "discriminator_width":
        return {"discriminator": {"width": value}}
    return {key: value}


def refuse_old_net_keys(given: dict[str, Any], named: Iterable[str]) -> None:
    """Refuse a config a user writes (a file, or the overrides) with an old net key: the name of
    a net as one of the roles in ``named`` (those with a ``ROLE_net``), ``ROLE_options`` or
    ``discriminator_width``."""
    for role in named:
        value = given.get(role)
        if isinstance(value, str):
            raise ConfigError(
                f"{role}={value} names a net: the {role}'s net is now {role}_net={value}, and "
                f"{role} holds its options (what {role}_options held)."
            )
    for old, role in OLD_OPTIONS.items():
        if old in given:
            raise ConfigError(
                f"{old} is now {role}: write {role}={show(given[old])} ({role} holds the "
                f"{role}'s options, as in every method)."
            )
    if "discriminator_width" in given:
        width = show(given["discriminator_width"])
        raise ConfigError(
            f"discriminator_width={width} is now discriminator.width={width} (discriminator "
            "holds the discriminator's options)."
        )
