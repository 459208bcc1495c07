"""The settings of an HCP cluster's control-plane log forwarding (`clusters[].logForwarding`), in rosa's shape."""

from __future__ import annotations

from pydantic import Field

from foundation.catalogue import load_catalogue
from foundation.settings.base import SettingsModel
from foundation.settings.types import (
    BucketName,
    ControlPlaneLogGroup,
    KubernetesName,
    LogRetentionDays,
    S3KeyPrefix,
)


class CloudWatchLogsSettings(SettingsModel):
    """The CloudWatch log group the control-plane logs go to: made by the stack (`foundation.names`), encrypted with
    the cluster's own `logs` key, kept `retention_days` (one of CloudWatch's values)."""

    retention_days: LogRetentionDays = 365


class S3LogsSettings(SettingsModel):
    """The bucket the control-plane logs go to, under `prefix`: made by the stack and guarded as every bucket is,
    SSE-S3 (the only encryption Red Hat's forwarder supports), objects expiring after `retention_days`."""

    bucket_name: BucketName | None = None  # default: <cluster>-control-plane-logs-<account id>
    prefix: S3KeyPrefix = "control-plane/"
    retention_days: int = Field(default=365, ge=1, le=3650)


class LogForwardingSettings(SettingsModel):
    """HCP control-plane log forwarding (`rosa create cluster --log-fwd-config`), in rosa's shape: the destinations
    (a CloudWatch log group, a bucket, or both; one at least) and what to forward, whole log groups and/or single
    applications (rosa needs at least one of them)."""

    cloudwatch: CloudWatchLogsSettings | None = None
    s3: S3LogsSettings | None = None
    groups: tuple[ControlPlaneLogGroup, ...] = tuple(load_catalogue().log_forwarding.groups)
    applications: tuple[KubernetesName, ...] = ()
