"""The names of an HCP cluster's control-plane log destinations, audit-log role and AutoNode role and policy. Part of
the stack's tables of IAM names and buckets (`foundation.names.StackNames`); sources in data/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from foundation import naming
from foundation.catalogue import load_catalogue
from foundation.naming import IamName
from foundation.project import config_key
from foundation.settings.models import ClusterSettings, StackSettings


@dataclass(frozen=True)
class ClusterIdentityNames:
    """Shapes: `IamName`s; log group and bucket names as plain strings; ARNs of the stack's account and region."""

    settings: StackSettings

    def iam_names(self, cluster: ClusterSettings) -> Iterator[tuple[str, IamName]]:
        """`cluster`'s roles and policies of these kinds, by slug under the cluster's."""
        if cluster.log_forwarding and cluster.log_forwarding.cloudwatch:
            yield "log-distribution-role", self.log_distribution_role(cluster)
        if cluster.audit_log:
            yield "audit-log-role", self.audit_log_role(cluster)
        if cluster.auto_node:
            yield "auto-node-role", self.auto_node_role(cluster)
            yield "auto-node-policy", self.auto_node_policy(cluster)

    def log_distribution_role(self, cluster: ClusterSettings) -> IamName:
        """`CustomerLogDistribution-<operator prefix>`: the role Red Hat's log distribution role assumes to write the
        cluster's control-plane logs. Red Hat requires the name to start so, on the IAM path `/` (its role may assume
        only `role/CustomerLogDistribution-*`), whatever the stack's path: `log_distribution_role_arn`."""
        prefix = load_catalogue().log_forwarding.role_name_prefix.removesuffix("-")
        return IamName("role", (prefix, cluster.operator_prefix), f"cluster {cluster.name!r} log distribution role")

    def log_distribution_role_arn(self, cluster: ClusterSettings) -> str:
        settings = self.settings
        name = self.log_distribution_role(cluster).name
        return naming.iam_arn(settings.partition, settings.account_id, "role", "/", name)

    def audit_log_role(self, cluster: ClusterSettings) -> IamName:
        """`<operator prefix>-audit-log-forwarder`: the audit exporter's role (`--audit-log-arn`)."""
        parts = (cluster.operator_prefix, "audit-log-forwarder")
        return IamName("role", parts, f"cluster {cluster.name!r} audit log role")

    def auto_node_role(self, cluster: ClusterSettings) -> IamName:
        """`<operator prefix>-<namespace>-karpenter`, an operator role's name for Karpenter (AutoNode)."""
        spec = load_catalogue().auto_node
        parts = (cluster.operator_prefix, spec.namespace, *spec.service_accounts)
        return IamName("role", parts, f"cluster {cluster.name!r} AutoNode role")

    def auto_node_policy(self, cluster: ClusterSettings) -> IamName:
        """The AutoNode role's customer-managed policy, named as the role (Red Hat's document, no AWS-managed one)."""
        role = self.auto_node_role(cluster)
        return IamName("policy", role.parts, f"cluster {cluster.name!r} AutoNode policy")

    def log_buckets(self) -> list[tuple[str, str]]:
        """Every control-plane log bucket, with the settings key that names it or whose default it is."""
        return [
            (f"{config_key('clusters')}[{i}].logForwarding.s3.bucketName", bucket)
            for i, cluster in enumerate(self.settings.clusters)
            if (bucket := self.control_plane_log_bucket(cluster))
        ]

    def control_plane_log_bucket(self, cluster: ClusterSettings) -> str | None:
        """The bucket of a cluster's forwarded control-plane logs: the settings' `bucketName`, else
        `<cluster>-control-plane-logs-<account id>`; None without an S3 destination."""
        forwarding = cluster.log_forwarding
        if not forwarding or not forwarding.s3:
            return None
        return forwarding.s3.bucket_name or f"{cluster.name}-control-plane-logs-{self.settings.account_id}"

    @staticmethod
    def control_plane_log_group(cluster: ClusterSettings) -> str:
        """`/rosa/<cluster>/control-plane`: the CloudWatch log group of the cluster's forwarded control-plane logs."""
        return f"/rosa/{cluster.name}/control-plane"

    def log_group_arn(self, log_group: str) -> str:
        """`arn:<partition>:logs:<region>:<account>:log-group:<name>`; `log_group` may be a pattern."""
        settings = self.settings
        return naming.arn(
            settings.partition, "logs", f"log-group:{log_group}", account=settings.account_id, region=settings.region
        )

    def log_groups(self) -> list[str]:
        """The table of every log group the stack creates."""
        return [
            self.control_plane_log_group(c)
            for c in self.settings.clusters
            if c.log_forwarding and c.log_forwarding.cloudwatch
        ]
