"""KMS guardrails: customer-managed keys rotate and cannot be deleted in a hurry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from policies.graph import Graph, Resource, Rule, is_known
from policies.rules.resource_types import KMS_KEY


def kms_key_rotation_enabled(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for key in graph.of_type(KMS_KEY):
        symmetric = key.inputs.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        if symmetric and key.inputs.get("enableKeyRotation") is not True:
            yield key, "does not rotate its key material"


KMS_KEY_ROTATION_ENABLED = Rule(
    name="kms-key-rotation-enabled",
    description="Every symmetric KMS key rotates its key material.",
    remediation="Create keys with components.encryption_keys (enable_key_rotation=True).",
    level="mandatory",
    severity="low",  # key material never leaves KMS; rotation is a compliance control, not a barrier
    check=kms_key_rotation_enabled,
)


def kms_deletion_window(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    minimum = int(config.get("minimumDays", 7))
    for key in graph.of_type(KMS_KEY):
        days = key.inputs.get("deletionWindowInDays", 30)  # AWS's default
        if is_known(days) and int(days) < minimum:
            yield key, f"can be deleted {int(days)} days after it is scheduled (at least {minimum})"


KMS_DELETION_WINDOW = Rule(
    name="kms-deletion-window",
    description="A KMS key scheduled for deletion can be recovered for at least a week.",
    remediation="Set encryption.deletionWindowDays to 7-30 (default 30).",
    level="mandatory",
    severity="high",  # a deleted key makes every volume, etcd and backup it encrypts unreadable for good
    check=kms_deletion_window,
    config_schema={"minimumDays": {"type": "integer", "minimum": 7, "maximum": 30}},
)

RULES = (KMS_KEY_ROTATION_ENABLED, KMS_DELETION_WINDOW)
