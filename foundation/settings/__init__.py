"""Typed, validated stack settings, read once from the stack's Pulumi config before any resource is registered.

`types` (one rule per value), `models` (the stack file's blocks, re-exported here), `rules` (rules across fields,
which read `foundation.names`; with `rosa_rules`, what rosa and OCM would refuse, and `safety_rules`, what keeps
data safe) and `loading` (config to models, problems to `SettingsError`: import it from
`foundation.settings.loading`). This package's own namespace holds only the models, so that `foundation.names`
can read them without running the rules that read it.
"""

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
    "StackSettings",
    "WorkloadRoleSettings",
]
