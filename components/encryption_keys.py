"""Customer-managed KMS keys: rotation on, a deletion window, an alias, and a key policy that names who may use them.

The key policy keeps the account root as administrator (AWS's default statement, so IAM policies in the account keep
working and the key can never be locked out) and grants use only to the roles listed for each key. Grants that let
a role hand the key on (`kms:CreateGrant`) carry `kms:GrantIsForAWSResource`, so only AWS services (EBS, EC2) can be
the grantee. ROSA's documented grants per topology live in the catalogue (`kms`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from foundation import iam, naming
from foundation.catalogue import Topology, load_catalogue
from foundation.ci_permissions import KEY_ADMINISTRATION
from foundation.project import type_token
from foundation.settings import StackSettings
from foundation.tags import added_tags

GRANTS_FOR_AWS_RESOURCES = iam.Condition("Bool", "kms:GrantIsForAWSResource", ("true",))
# What only a key's administrator may do, where it has one: whatever IAM or the key policy's other statements allow.
ADMINISTRATOR_ONLY = ("kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion")


@dataclass(frozen=True)
class KeyGrant:
    """One key policy statement: these principals (role ARNs), or the AWS service `service`, may call these actions on
    the key, under these conditions."""

    sid: str
    principals: Sequence[pulumi.Input[str]]
    actions: tuple[str, ...]
    conditions: tuple[iam.Condition, ...] = ()
    service: str | None = None  # e.g. logs.<region>.amazonaws.com, in place of principals


@dataclass(frozen=True)
class KeySpec:
    purpose: str  # the key's name in outputs: volumes, etcd, backups, ...
    description: str
    alias: str  # `alias/rosa/...` (foundation.names)
    grants: tuple[KeyGrant, ...]
    rosa_tags: Mapping[str, str] | None = None  # ROSA's tags, on keys rosa's clusters use (foundation.tags)
    region: str | None = None  # default: the stack's region
    # What the pipeline's deploy role may do with the key, granted in its key policy (foundation.ci_permissions).
    pipeline_actions: tuple[str, ...] = KEY_ADMINISTRATION
    # The one role that may change the key's policy, disable it or schedule its deletion (`ADMINISTRATOR_ONLY`).
    # Such a key's policy denies its own creator (the pipeline) those calls, which KMS's lockout check would refuse
    # to accept: it is sent with the check bypassed, on purpose, and the administrator keeps the key.
    administrator: str | None = None


@dataclass(frozen=True)
class KeyDefaults:
    """What every key of the stack shares."""

    account_root_arn: str  # `arn:<partition>:iam::<account>:root`, the keys' administrator
    deletion_window_days: int  # 7 to 30
    scope: str  # the scope tag's value (the account role prefix)
    retain_on_delete: bool  # keep the key in AWS when the stack is destroyed
    pipeline_role_arn: pulumi.Input[str] | None = None  # the CI identity's deploy role, where the stack has one

    @classmethod
    def of(cls, settings: StackSettings, pipeline_role_arn: pulumi.Input[str] | None = None) -> KeyDefaults:
        return cls(
            account_root_arn=naming.arn(settings.partition, "iam", "root", account=settings.account_id),
            deletion_window_days=settings.encryption.deletion_window_days,
            scope=settings.account_role_prefix,
            retain_on_delete=settings.retain_stateful_on_delete,
            pipeline_role_arn=pipeline_role_arn,
        )

    def grants(self, spec: KeySpec) -> tuple[KeyGrant, ...]:
        """`spec`'s grants, and the pipeline's: key administration lives in each key's own policy, never in a tag the
        pipeline could put on another key."""
        if self.pipeline_role_arn is None:
            return spec.grants
        return (*spec.grants, KeyGrant("Pipeline", [self.pipeline_role_arn], spec.pipeline_actions))


@dataclass(frozen=True)
class EncryptionKeysArgs:
    keys: tuple[KeySpec, ...]
    defaults: KeyDefaults


class EncryptionKeys(pulumi.ComponentResource):
    """Outputs: key_arns (purpose -> key ARN), alias_names (purpose -> `alias/...`)."""

    key_arns: dict[str, pulumi.Output[str]]
    alias_names: dict[str, str]

    def __init__(self, name: str, args: EncryptionKeysArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("kms", "EncryptionKeys"), name, None, opts)
        self.key_arns, self.alias_names = {}, {}
        defaults = args.defaults
        for spec in args.keys:
            key = aws.kms.Key(
                f"{name}-{spec.purpose}",
                description=spec.description,
                enable_key_rotation=True,
                deletion_window_in_days=defaults.deletion_window_days,
                policy=key_policy_output(defaults.account_root_arn, defaults.grants(spec), spec.administrator),
                bypass_policy_lockout_safety_check=True if spec.administrator else None,
                region=spec.region,
                tags=added_tags(rosa=spec.rosa_tags, scope=defaults.scope),
                # Data encrypted with a deleted key is lost for good: never delete one by accident.
                opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=defaults.retain_on_delete),
            )
            aws.kms.Alias(
                f"{name}-{spec.purpose}-alias",
                name=spec.alias,
                target_key_id=key.key_id,
                region=spec.region,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.key_arns[spec.purpose] = key.arn
            self.alias_names[spec.purpose] = spec.alias
        self.register_outputs({"key_arns": self.key_arns, "alias_names": self.alias_names})


def key_policy_output(root: str, grants: Sequence[KeyGrant], administrator: str | None = None) -> pulumi.Output[str]:
    """The key policy once every principal ARN is known (KMS refuses principals that do not exist yet)."""
    principals = [p for grant in grants for p in grant.principals]
    return pulumi.Output.all(*principals).apply(lambda arns: key_policy(root, grants, arns, administrator))


def key_policy(
    root: str, grants: Sequence[KeyGrant], principal_arns: Sequence[str], administrator: str | None = None
) -> str:
    """The account root `root` administers; `principal_arns` are the grants' principals, resolved, in order. With an
    `administrator`, nobody else may change the policy, disable the key or schedule its deletion."""
    statements = [
        iam.Statement(
            "Allow", ("kms:*",), resources=("*",), principal=iam.Principal.aws(root), sid="AccountRootAdministers"
        )
    ]
    remaining = list(principal_arns)
    for grant in grants:
        arns, remaining = remaining[: len(grant.principals)], remaining[len(grant.principals) :]
        principal = iam.Principal.service(grant.service) if grant.service else iam.Principal.aws(*sorted(set(arns)))
        statements.append(
            iam.Statement(
                "Allow",
                grant.actions,
                resources=("*",),  # in a key policy, "*" is this key
                principal=principal,
                conditions=grant.conditions,
                sid=grant.sid,
            )
        )
    if administrator:
        statements.append(
            iam.Statement(
                "Deny",
                ADMINISTRATOR_ONLY,
                resources=("*",),
                principal=iam.Principal.aws("*"),
                conditions=(iam.Condition("ArnNotEquals", "aws:PrincipalArn", (administrator,)),),
                sid="OnlyTheAdministratorChangesTheKey",
            )
        )
    return iam.PolicyDocument(tuple(statements), use="resource").to_json()


def cluster_key_specs(
    cluster: str,
    topology: Topology,
    aliases: Mapping[str, str],
    account_role_arns: Mapping[str, pulumi.Output[str]],
    operator_role_arns: Mapping[str, pulumi.Output[str]],
) -> tuple[KeySpec, ...]:
    """The keys `rosa create cluster` takes for `cluster`, with the grants ROSA documents for its topology;
    `aliases`: purpose (volumes, etcd) -> alias name."""
    keys = load_catalogue().kms.topology(topology)
    uses = {"volumes": "EBS volumes (--kms-key-arn)", "etcd": "etcd (--etcd-encryption-kms-arn)"}
    specs = []
    for purpose, documented in (("volumes", keys.volumes), ("etcd", keys.etcd)):
        if not documented:
            continue
        grants = tuple(
            KeyGrant(
                sid=grant.sid,
                principals=[account_role_arns[slug] for slug in grant.account_roles]
                + [operator_role_arns[slug] for slug in grant.operator_roles],
                actions=grant.actions,
                conditions=(GRANTS_FOR_AWS_RESOURCES,) if grant.aws_resource_grants_only else (),
            )
            for grant in documented
        )
        specs.append(
            KeySpec(
                purpose=purpose,
                description=f"ROSA cluster {cluster}: {uses[purpose]}",
                alias=aliases[purpose],
                grants=grants,
                rosa_tags=keys.key_tags,
            )
        )
    return tuple(specs)
