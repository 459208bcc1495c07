"""Typed, validated stack settings, read once from the stack's Pulumi config before any resource is registered.

`types` (one rule per value), `models` (the stack file's blocks), `rules` (rules across fields) and `loading` (config
to models, problems to `SettingsError`). Importers use this package's names.
"""

from foundation.settings.loading import SettingsError, load_settings, settings_from_config
from foundation.settings.models import (
    BackupSettings,
    CiIdentitySettings,
    ClusterSettings,
    ManagedOidc,
    NetworkSettings,
    SelfHostedOidc,
    StackSettings,
    WorkloadRoleSettings,
)

__all__ = [
    "BackupSettings",
    "CiIdentitySettings",
    "ClusterSettings",
    "ManagedOidc",
    "NetworkSettings",
    "SelfHostedOidc",
    "SettingsError",
    "StackSettings",
    "WorkloadRoleSettings",
    "load_settings",
    "settings_from_config",
]
