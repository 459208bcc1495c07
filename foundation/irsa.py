"""IAM roles for service accounts (IRSA) as plain specs: a cluster's operator and workload roles, and its backup role
(`foundation.backup_plan`), each trusted by exactly its service accounts through the cluster's OIDC provider.

The components register these specs and the preflight sizes them (`foundation.preflight`): one builder for both, so
the document measured is the document sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from foundation import iam, naming
from foundation.catalogue import load_catalogue
from foundation.names import StackNames
from foundation.role_keys import operator_role_key
from foundation.settings.models import ClusterSettings, WorkloadRoleSettings
from foundation.workload_presets import PresetScope, preset_statements


@dataclass(frozen=True)
class IrsaRole:
    """One role for service accounts: its key (in outputs and logical names), IAM name, who may assume it (subjects
    `system:serviceaccount:<namespace>:<name>`, optionally an `aud`) and what it may do."""

    key: str  # `<namespace>/<service account or operator>`
    name: str
    description: str
    subjects: tuple[str, ...]
    audience: str | None = None
    managed_policy_arns: tuple[str, ...] = ()
    statements: tuple[iam.Statement, ...] = ()
    # Managed policies attached beside its own (`extraPolicyArns`, what `rosa attach policy` adds to ROSA's roles).
    extra_policy_arns: tuple[str, ...] = ()
    # A role several clusters trust (the stack's `workloadRoles`): those clusters, by name; () for a cluster's own.
    clusters: tuple[str, ...] = ()

    def trust(self, provider_arn: str, issuer_host_path: str) -> iam.PolicyDocument:
        """The trust document once the cluster's provider ARN and issuer `<host>[/<path>]` are known."""
        return iam.web_identity_trust(provider_arn, issuer_host_path, self.subjects, self.audience)

    def trust_of_issuers(self, issuers: tuple[tuple[str, str], ...]) -> iam.PolicyDocument:
        """The trust document of a role several clusters trust: one statement per `(provider ARN, issuer
        <host>[/<path>])` of `clusters`, in their order."""
        return iam.web_identity_trust_of_issuers(issuers, self.subjects, self.audience)

    def inline_policy(self) -> iam.PolicyDocument | None:
        return iam.PolicyDocument(self.statements) if self.statements else None


def operator_roles(names: StackNames, cluster: ClusterSettings) -> tuple[IrsaRole, ...]:
    """The cluster's operator roles (rosa create operator-roles). HCP roles carry their AWS-managed policy; classic
    roles attach the account-wide operator policies, which `AccountRoles` creates."""
    partition = names.settings.partition
    return tuple(
        IrsaRole(
            key=spec.slug,
            name=names.operator_role(cluster, spec).name,
            description=f"ROSA operator {spec.slug} of cluster {cluster.name}",
            subjects=spec.subjects,
            managed_policy_arns=(
                (naming.aws_managed_policy_arn(partition, spec.managed_policy),) if spec.managed_policy else ()
            ),
            extra_policy_arns=names.settings.extra_policy_arns.get(operator_role_key(cluster, spec), ()),
        )
        for spec in names.settings.operator_specs(cluster)
    )


def application_roles(names: StackNames, cluster: ClusterSettings) -> tuple[IrsaRole, ...]:
    """The cluster's workload roles from its settings (seed 004: token audience `sts.amazonaws.com` unless the
    entry or its preset says `openshift`): its preset's scoped statements, then its own."""
    return tuple(_workload_role(names, workload, cluster, (cluster,)) for workload in cluster.workload_roles)


def audit_log_role(names: StackNames, cluster: ClusterSettings) -> IrsaRole | None:
    """The audit exporter's role (`auditLog: true`), None without it: trusted by exactly
    `system:serviceaccount:openshift-config-managed:cloudwatch-audit-exporter` with audience `openshift`, allowed Red
    Hat's CloudWatch Logs actions (the exporter makes and names its own log group) in this account and region only,
    and none on the log groups the stack keeps (`StackNames.log_groups`). Sources: data/SOURCES.md."""
    if not cluster.audit_log:
        return None
    catalogue, log_groups = load_catalogue(), names.identities.log_groups()
    spec, unscoped = catalogue.audit_log, catalogue.log_forwarding.unscoped_actions
    scoped = tuple(a for a in spec.actions if a not in unscoped)
    described = tuple(a for a in spec.actions if a in unscoped)
    statements = [
        iam.Statement("Allow", scoped, resources=(names.identities.log_group_arn("*"),), sid="AuditLogsInThisRegion"),
        iam.Statement("Allow", described, resources=("*",), sid="DescribeLogGroups"),
    ]
    if log_groups:
        kept = tuple(
            arn
            for group in log_groups
            for arn in (names.identities.log_group_arn(group), names.identities.log_group_arn(f"{group}:*"))
        )
        statements.append(iam.Statement("Deny", ("logs:*",), resources=kept, sid="NotTheStacksLogGroups"))
    return IrsaRole(
        key=f"{spec.namespace}/{spec.service_accounts[0]}",
        name=names.identities.audit_log_role(cluster).name,
        description=f"Audit log forwarding to CloudWatch of ROSA cluster {cluster.name}",
        subjects=spec.subjects,
        audience=spec.token_audience,
        statements=tuple(statements),
    )


def auto_node_role(names: StackNames, cluster: ClusterSettings) -> IrsaRole | None:
    """Karpenter's role (`autoNode: true`), None without it: trusted by exactly
    `system:serviceaccount:kube-system:karpenter` with audience `openshift` (HyperShift's token minter); its
    permissions are Red Hat's document, attached as the stack's own policy (`StackNames.auto_node_policy`)."""
    if not cluster.auto_node:
        return None
    spec = load_catalogue().auto_node
    return IrsaRole(
        key=f"{spec.namespace}/{spec.service_accounts[0]}",
        name=names.identities.auto_node_role(cluster).name,
        description=f"AutoNode (Karpenter) of ROSA cluster {cluster.name}",
        subjects=spec.subjects,
        audience=spec.token_audience,
    )


def shared_roles(names: StackNames) -> tuple[IrsaRole, ...]:
    """The stack's workload roles, each trusted by the same service account of every cluster it lists
    (`trustedClusters`, which the settings rules hold to the stack's clusters)."""
    by_name = {c.name: c for c in names.settings.clusters}
    return tuple(
        _workload_role(names, workload, None, tuple(by_name[name] for name in workload.trusted_clusters))
        for workload in names.settings.workload_roles
    )


def _workload_role(
    names: StackNames,
    workload: WorkloadRoleSettings,
    own: ClusterSettings | None,
    clusters: tuple[ClusterSettings, ...],
) -> IrsaRole:
    """The role of one workload entry, trusted by `clusters`: `own`'s, or the stack's (`own` None)."""
    of = f"cluster {own.name}" if own else f"clusters {', '.join(c.name for c in clusters)}"
    return IrsaRole(
        key=workload.slug,
        name=names.workload_role(own, workload).name,
        description=f"Service account {workload.slug} of ROSA {of}",
        subjects=(workload.subject,),
        audience=workload.token_audience,
        managed_policy_arns=workload.managed_policy_arns,
        statements=_statements(names, workload, clusters),
        clusters=() if own else tuple(c.name for c in clusters),
    )


def _statements(
    names: StackNames, workload: WorkloadRoleSettings, clusters: tuple[ClusterSettings, ...]
) -> tuple[iam.Statement, ...]:
    """The preset's statements scoped to what the entry and its clusters name, then the entry's own."""
    own = tuple(s.to_statement() for s in workload.statements)
    if not workload.preset:
        return own
    settings = names.settings
    # The load balancer operator tags its cluster's subnets: those listed, unless a cluster lists none (its VPC's
    # subnets then are not known here, and the account's in the region stay in reach, as published).
    listed_subnets = [c.network.subnet_ids if c.network else () for c in clusters]
    subnets = () if not all(listed_subnets) else tuple(dict.fromkeys(s for ids in listed_subnets for s in ids))
    scope = PresetScope(
        partition=settings.partition,
        region=settings.region,
        account=settings.account_id,
        subnet_ids=subnets,
        hosted_zone_ids=workload.hosted_zone_ids,
        file_system_ids=workload.file_system_ids,
        secret_arns=workload.secret_arns,
        parameter_paths=workload.parameter_paths,
    )
    return preset_statements(workload.preset, scope) + own
