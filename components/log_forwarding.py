"""HCP control-plane log forwarding to CloudWatch: the log group Red Hat's forwarder writes into, its own KMS key, and
the role Red Hat's log distribution role assumes to write it.

Red Hat's forwarder runs outside the cluster (`rosa create cluster --log-fwd-config`, or `rosa create log-forwarder`
for a cluster that exists): its central role assumes `CustomerLogDistribution-*` in this account and writes streams
into the named log group. Red Hat documents the role, its trust and its CloudWatch policy in "Forwarding control plane
logs" (foundation/data/SOURCES.md); here the policy is narrowed to this one log group, which the stack makes,
protects, encrypts with a customer-managed key and expires after a bounded retention.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyDefaults, KeyGrant, KeySpec
from components.role import RoleDefaults, stack_role
from foundation import iam
from foundation.catalogue import load_catalogue
from foundation.names import StackNames
from foundation.project import type_token
from foundation.settings import ClusterSettings
from foundation.tags import added_tags

# What CloudWatch Logs does with a log group's key on the group's behalf (CloudWatch Logs User Guide,
# "Encrypt log data in CloudWatch Logs using AWS KMS", the key policy's statement for logs.<region>.amazonaws.com).
# The guide adds kms:Describe*, which its own encryption-context condition never lets through (a describe carries no
# context): left out.
LOGS_KEY_ACTIONS = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*")
LOGS_ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:logs:arn"


@dataclass(frozen=True)
class LogForwardingArgs:
    """One cluster's control-plane log destination: the log group (name, ARN, retention in days), its key, and the
    role Red Hat's central role (`central_role_arn`) assumes, with its policy."""

    log_group: str
    log_group_arn: str
    retention_days: int
    key: KeySpec
    key_defaults: KeyDefaults
    role_name: str
    role_arn: str  # on the IAM path `/`, as Red Hat requires
    central_role_arn: str
    policy: iam.PolicyDocument
    role_defaults: RoleDefaults

    @classmethod
    def of(
        cls, names: StackNames, cluster: ClusterSettings, role_defaults: RoleDefaults, key_defaults: KeyDefaults
    ) -> LogForwardingArgs:
        """`cluster`'s slice; its settings must have `logForwarding` (and the rules a published central role)."""
        settings, spec = names.settings, load_catalogue().log_forwarding
        forwarding = cluster.log_forwarding
        central = spec.central_role_arn(settings.partition, settings.ocm_environment)
        if forwarding is None or central is None:
            raise ValueError(f"cluster {cluster.name!r} forwards no control-plane logs Red Hat can deliver here")
        log_group = names.control_plane_log_group(cluster)
        log_group_arn = names.log_group_arn(log_group)
        return cls(
            log_group=log_group,
            log_group_arn=log_group_arn,
            retention_days=forwarding.cloudwatch.retention_days,
            key=log_key_spec(cluster.name, names.cluster_key_alias(cluster, "logs"), settings.region, log_group_arn),
            key_defaults=key_defaults,
            role_name=names.log_distribution_role(cluster).name,
            role_arn=names.log_distribution_role_arn(cluster),
            central_role_arn=central,
            policy=log_distribution_policy(names, log_group),
            role_defaults=role_defaults,
        )


class LogForwarding(pulumi.ComponentResource):
    """Outputs: log_group_arn, kms_key_arn, role_arn (the role named in rosa's `cloudwatch_log_role_arn`)."""

    log_group_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: LogForwardingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("logs", "LogForwarding"), name, None, opts)
        key = EncryptionKeys(
            f"{name}-key", EncryptionKeysArgs((args.key,), args.key_defaults), pulumi.ResourceOptions(parent=self)
        )
        self.kms_key_arn = key.key_arns[args.key.purpose]
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=args.log_group,
            retention_in_days=args.retention_days,
            kms_key_id=self.kms_key_arn,
            tags=added_tags(scope=args.key_defaults.scope),
            # A cluster's control-plane logs (its audit trail among them) outlive any change to the stack.
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=args.key_defaults.retain_on_delete),
        )
        self.log_group_arn = log_group.arn
        role = stack_role(
            f"{name}-role",
            role_name=args.role_name,
            description=f"Red Hat's control-plane log forwarder writes {args.log_group}",
            trust_policy=iam.assume_role_trust(iam.Principal.aws(args.central_role_arn)).to_json(),
            # Red Hat's central role may assume `role/CustomerLogDistribution-*` only: on the path `/`.
            defaults=dataclasses.replace(args.role_defaults, path="/"),
            tags=None,  # the user's tags come with the provider's default tags
            parent=self,
        )
        aws.iam.RolePolicy(
            f"{name}-role-inline",
            role=role.name,
            name="permissions",
            policy=args.policy.to_json(),
            opts=pulumi.ResourceOptions(parent=role, depends_on=[log_group]),
        )
        self.role_arn = role.arn
        self.register_outputs(
            {"log_group_arn": self.log_group_arn, "kms_key_arn": self.kms_key_arn, "role_arn": self.role_arn}
        )


def log_key_spec(cluster: str, alias: str, region: str, log_group_arn: str) -> KeySpec:
    """The key of `cluster`'s control-plane log group: CloudWatch Logs in `region` may use it for that group only."""
    grant = KeyGrant(
        sid="CloudWatchLogs",
        principals=(),
        actions=LOGS_KEY_ACTIONS,
        conditions=(iam.Condition("StringEquals", LOGS_ENCRYPTION_CONTEXT, (log_group_arn,)),),
        service=f"logs.{region}.amazonaws.com",
    )
    return KeySpec(
        purpose="logs", description=f"ROSA cluster {cluster}: control-plane logs", alias=alias, grants=(grant,)
    )


def log_distribution_policy(names: StackNames, log_group: str) -> iam.PolicyDocument:
    """Red Hat's CloudWatch policy for the log distribution role, narrowed: streams written and described in
    `log_group` only; log groups described (the call names none)."""
    spec = load_catalogue().log_forwarding
    streams = f"{names.log_group_arn(log_group)}:*"  # IAM's form of a log group and its streams
    return iam.PolicyDocument(
        (
            iam.Statement("Allow", spec.log_group_actions, resources=(streams,), sid="WriteItsLogGroup"),
            iam.Statement("Allow", spec.unscoped_actions, resources=("*",), sid="DescribeLogGroups"),
        )
    )


def log_forwarder_config(cluster: ClusterSettings, log_group: str, role_arn: str) -> dict[str, Any]:
    """rosa's `--log-fwd-config` document for `cluster` (openshift/rosa pkg/logforwarding/helpers.go
    `LogForwarderYaml`): JSON, which rosa's YAML reader takes as it is."""
    forwarding = cluster.log_forwarding
    if forwarding is None:
        raise ValueError(f"cluster {cluster.name!r} forwards no control-plane logs")
    config: dict[str, Any] = {"cloudwatch_log_role_arn": role_arn, "cloudwatch_log_group_name": log_group}
    if forwarding.applications:
        config["applications"] = list(forwarding.applications)
    if forwarding.groups:
        config["groups"] = list(forwarding.groups)
    return {"cloudwatch": config}
