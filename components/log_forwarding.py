"""HCP control-plane log forwarding: where Red Hat's forwarder writes a cluster's control-plane logs, a CloudWatch log
group (with its own KMS key and the role Red Hat assumes to write it), a prefix of a bucket, or both.

Red Hat's forwarder runs outside the cluster (`rosa create cluster --log-fwd-config`, or `rosa create log-forwarder`
for a cluster that exists). For CloudWatch its central role assumes `CustomerLogDistribution-*` in this account and
writes streams into the named log group; for S3 it writes objects itself, under the prefix, with the bucket owner's
ACL. Red Hat documents both in "Forwarding control plane logs" (foundation/data/SOURCES.md); here the role's policy is
narrowed to the one log group and the bucket's grant to the one prefix, and the stack makes, protects and expires
both destinations: the log group encrypted with a customer-managed key, the bucket with SSE-S3, the only encryption
the forwarder supports.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.bucket import guard_bucket
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyDefaults, KeyGrant, KeySpec
from components.role import RoleDefaults, inline_policy, stack_role
from foundation import iam
from foundation.backup_plan import ABORT_INCOMPLETE_UPLOADS_DAYS
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
NONCURRENT_LOG_DAYS = 7  # an overwritten or deleted log object stays recoverable a week


@dataclass(frozen=True)
class CloudWatchDestination:
    """A log group (name, ARN, retention in days), its key, and the role Red Hat's central role assumes to write it."""

    log_group: str
    log_group_arn: str
    retention_days: int
    key: KeySpec
    role_name: str
    role_arn: str  # on the IAM path `/`, as Red Hat requires
    central_role_arn: str
    policy: iam.PolicyDocument


@dataclass(frozen=True)
class S3Destination:
    """A bucket and the prefix Red Hat's central role writes under; objects expire after `retention_days`."""

    bucket: str
    prefix: str
    retention_days: int
    central_role_arn: str


@dataclass(frozen=True)
class LogForwardingArgs:
    """One cluster's control-plane log destinations (one at least) and what their resources share."""

    cloudwatch: CloudWatchDestination | None
    s3: S3Destination | None
    key_defaults: KeyDefaults
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
        cloudwatch = s3 = None
        if forwarding.cloudwatch:
            log_group = names.identities.control_plane_log_group(cluster)
            log_group_arn = names.identities.log_group_arn(log_group)
            alias = names.cluster_key_alias(cluster, "logs")
            cloudwatch = CloudWatchDestination(
                log_group=log_group,
                log_group_arn=log_group_arn,
                retention_days=forwarding.cloudwatch.retention_days,
                key=log_key_spec(cluster.name, alias, settings.region, log_group_arn),
                role_name=names.identities.log_distribution_role(cluster).name,
                role_arn=names.identities.log_distribution_role_arn(cluster),
                central_role_arn=central,
                policy=log_distribution_policy(names, log_group),
            )
        if forwarding.s3 and (bucket := names.identities.control_plane_log_bucket(cluster)):
            s3 = S3Destination(bucket, forwarding.s3.prefix, forwarding.s3.retention_days, central)
        return cls(cloudwatch=cloudwatch, s3=s3, key_defaults=key_defaults, role_defaults=role_defaults)


class LogForwarding(pulumi.ComponentResource):
    """Outputs, each None without its destination: log_group_arn, kms_key_arn, role_arn (rosa's
    `cloudwatch_log_role_arn`), bucket_arn."""

    log_group_arn: pulumi.Output[str] | None
    kms_key_arn: pulumi.Output[str] | None
    role_arn: pulumi.Output[str] | None
    bucket_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: LogForwardingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("logs", "LogForwarding"), name, None, opts)
        self.log_group_arn = self.kms_key_arn = self.role_arn = self.bucket_arn = None
        if args.cloudwatch:
            self._cloudwatch(name, args.cloudwatch, args)
        if args.s3:
            self._bucket(name, args.s3, args)
        self.register_outputs(
            {
                "log_group_arn": self.log_group_arn,
                "kms_key_arn": self.kms_key_arn,
                "role_arn": self.role_arn,
                "bucket_arn": self.bucket_arn,
            }
        )

    def _cloudwatch(self, name: str, destination: CloudWatchDestination, args: LogForwardingArgs) -> None:
        key = EncryptionKeys(
            f"{name}-key",
            EncryptionKeysArgs((destination.key,), args.key_defaults),
            pulumi.ResourceOptions(parent=self),
        )
        self.kms_key_arn = key.key_arns[destination.key.purpose]
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=destination.log_group,
            retention_in_days=destination.retention_days,
            kms_key_id=self.kms_key_arn,
            tags=added_tags(scope=args.key_defaults.scope),
            # A cluster's control-plane logs (its audit trail among them) outlive any change to the stack.
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=args.key_defaults.retain_on_delete),
        )
        self.log_group_arn = log_group.arn
        role = stack_role(
            f"{name}-role",
            role_name=destination.role_name,
            description=f"Red Hat's control-plane log forwarder writes {destination.log_group}",
            trust_policy=iam.assume_role_trust(iam.Principal.aws(destination.central_role_arn)).to_json(),
            # Red Hat's central role may assume `role/CustomerLogDistribution-*` only: on the path `/`.
            defaults=dataclasses.replace(args.role_defaults, path="/"),
            tags=None,  # the user's tags come with the provider's default tags
            parent=self,
        )
        inline_policy(f"{name}-role", role, destination.policy.to_json(), depends_on=[log_group])
        self.role_arn = role.arn

    def _bucket(self, name: str, destination: S3Destination, args: LogForwardingArgs) -> None:
        logical = f"{name}-bucket"
        bucket = aws.s3.Bucket(
            logical,
            bucket=destination.bucket,
            force_destroy=False,  # a bucket holding a cluster's logs is never emptied to delete it
            tags=added_tags(scope=args.key_defaults.scope),
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=args.key_defaults.retain_on_delete),
        )

        def grants(arn: pulumi.Output[str]) -> pulumi.Output[tuple[iam.Statement, ...]]:
            return arn.apply(lambda bucket_arn: (central_role_writes(bucket_arn, destination),))

        # SSE-S3: the forwarder supports no other default encryption (no kms_key_arn).
        guarded = guard_bucket(logical, bucket, parent=self, grants=grants)
        aws.s3.BucketLifecycleConfiguration(
            f"{logical}-lifecycle",
            bucket=bucket.id,
            rules=log_bucket_lifecycle(destination),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[guarded.versioning]),
        )
        self.bucket_arn = bucket.arn


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
    streams = f"{names.identities.log_group_arn(log_group)}:*"  # IAM's form of a log group and its streams
    return iam.PolicyDocument(
        (
            iam.Statement("Allow", spec.log_group_actions, resources=(streams,), sid="WriteItsLogGroup"),
            iam.Statement("Allow", spec.unscoped_actions, resources=("*",), sid="DescribeLogGroups"),
        )
    )


def central_role_writes(bucket_arn: str, destination: S3Destination) -> iam.Statement:
    """Red Hat's bucket policy statement for its forwarder, narrowed to the prefix: objects written with the bucket
    owner's ACL (the bucket enforces owner ownership, so the object is the account's)."""
    spec = load_catalogue().log_forwarding
    return iam.Statement(
        "Allow",
        spec.bucket_write_actions,
        resources=(f"{bucket_arn}/{destination.prefix}*",),
        principal=iam.Principal.aws(destination.central_role_arn),
        conditions=(iam.Condition("StringEquals", "s3:x-amz-acl", (spec.bucket_object_acl,)),),
        sid="AllowCentralLogDistributionWrite",
    )


def log_bucket_lifecycle(destination: S3Destination) -> list[dict[str, Any]]:
    """The prefix's logs expire after the retention asked; replaced or deleted ones a week later; uploads left
    incomplete are cleaned."""
    return [
        {
            "id": "expire-control-plane-logs",
            "status": "Enabled",
            "filter": {"prefix": destination.prefix},
            "expiration": {"days": destination.retention_days},
        },
        {
            "id": "housekeeping",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_LOG_DAYS},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
            "expiration": {"expired_object_delete_marker": True},
        },
    ]


def log_forwarder_config(
    cluster: ClusterSettings, log_group: str | None, role_arn: str | None, bucket: str | None
) -> dict[str, Any]:
    """rosa's `--log-fwd-config` document for `cluster` (openshift/rosa pkg/logforwarding/helpers.go
    `LogForwarderYaml`): JSON, which rosa's YAML reader takes as it is. `log_group`, `role_arn`: the CloudWatch
    destination's; `bucket`: the S3 destination's; each None without it."""
    forwarding = cluster.log_forwarding
    if forwarding is None:
        raise ValueError(f"cluster {cluster.name!r} forwards no control-plane logs")
    what: dict[str, Any] = {}
    if forwarding.applications:
        what["applications"] = list(forwarding.applications)
    if forwarding.groups:
        what["groups"] = list(forwarding.groups)
    config: dict[str, Any] = {}
    if forwarding.cloudwatch and log_group and role_arn:
        config["cloudwatch"] = {"cloudwatch_log_role_arn": role_arn, "cloudwatch_log_group_name": log_group, **what}
    if forwarding.s3 and bucket:
        config["s3"] = {"s3_config_bucket_name": bucket, "s3_config_bucket_prefix": forwarding.s3.prefix, **what}
    return config
