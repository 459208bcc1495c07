"""The preflight: AWS quotas and document size limits, checked against what the settings will create, after the
settings load and before anything is registered: a quota hit half-way through an apply is the most expensive place
to find it.

Counts come from the name tables (`foundation.names`) the components create from; they are this stack's own (other
stacks and hand-made resources in the account share the same quotas: leave headroom). Sizes are measured on the
specs the components register (`foundation.irsa`, `foundation.backup_plan`, `foundation.ci_permissions`), with
values the program cannot know yet (a CloudFront domain) at their longest.
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation import ci_permissions, iam, irsa, pipeline_boundary
from foundation.backup_plan import vault_plans
from foundation.catalogue import load_catalogue
from foundation.names import StackNames
from foundation.project import PROJECT
from foundation.settings.loading import SettingsError
from foundation.settings.models import StackSettings

MANAGED_POLICY_SIZE = 6144  # fixed by IAM
INLINE_POLICIES_PER_ROLE_SIZE = 10240  # fixed by IAM, all inline policies of a role together
CLOUDFRONT_HOST = "d" + "x" * 13 + ".cloudfront.net"  # d<13 characters>.cloudfront.net


def preflight(settings: StackSettings) -> None:
    """Raise `SettingsError` naming every quota or size the stack would exceed."""
    if problems := quota_problems(StackNames(settings)):
        raise SettingsError(problems)


def quota_problems(names: StackNames) -> list[str]:
    return list(_counts(names)) + list(_sizes(names))


def _quota(key: str, what: str, needed: int, limit: int, where: str) -> str:
    return (
        f"{PROJECT}:quotas.{key}: the stack needs {needed} {what}, over the quota of {limit}; raise it in Service "
        f"Quotas ({where}) and set {PROJECT}:quotas.{key} to the new value, or split the fleet across accounts"
    )


def _counts(names: StackNames) -> Iterator[str]:
    settings = names.settings
    quotas = settings.quotas
    table = names.iam_names().values()
    roles = sum(n.kind == "role" for n in table)
    if roles > quotas.roles_per_account:
        yield _quota("rolesPerAccount", "IAM roles", roles, quotas.roles_per_account, "IAM: Roles per account")
    # One per issuer: clusters on one OIDC config share its provider.
    providers = len(names.issuers()) + bool(settings.ci_identity and not settings.ci_identity.github_oidc_provider_arn)
    if providers > quotas.oidc_providers_per_account:
        yield _quota(
            "oidcProvidersPerAccount",
            "IAM OIDC providers (one per OIDC issuer, and GitHub's)",
            providers,
            quotas.oidc_providers_per_account,
            "IAM: OpenId connect providers per account",
        )
    policies = sum(n.kind == "policy" for n in table)
    deploy_policies = len(ci_permissions.deploy_policies(names)) if settings.ci_identity else 0
    policies += deploy_policies + 2 if settings.ci_identity else 0  # and the preview role's, and the boundary
    if deploy_policies > quotas.managed_policies_per_role:
        yield _quota(
            "managedPoliciesPerRole",
            "managed policies on the CI deploy role",
            deploy_policies,
            quotas.managed_policies_per_role,
            "IAM: Managed policies per role",
        )
    if policies > quotas.customer_managed_policies_per_account:
        yield _quota(
            "customerManagedPoliciesPerAccount",
            "customer managed policies",
            policies,
            quotas.customer_managed_policies_per_account,
            "IAM: Customer managed policies per account",
        )
    for here, workload in settings.workload_role_entries():
        if len(workload.managed_policy_arns) > quotas.managed_policies_per_role:
            count = len(workload.managed_policy_arns)
            yield (
                f"{here}.managedPolicyArns: {count} policies, over the quota "
                f"of {quotas.managed_policies_per_role} per role; raise it (IAM: Managed policies per role) and "
                f"set {PROJECT}:quotas.managedPoliciesPerRole, or merge them into statements"
            )
    for cluster in settings.clusters:
        if cluster.network:
            for field in ("api_allowed_cidrs", "ingress_allowed_cidrs", "egress_cidrs"):
                cidrs = getattr(cluster.network, field)
                for version in (4, 6):
                    count = sum((":" in c) == (version == 6) for c in cidrs)
                    if count > quotas.rules_per_security_group:
                        yield _quota(
                            "rulesPerSecurityGroup",
                            f"IPv{version} rules in one security group of cluster {cluster.name!r} ({field})",
                            count,
                            quotas.rules_per_security_group,
                            "VPC: Inbound or outbound rules per security group",
                        )
    buckets = len(names.buckets())
    if buckets > quotas.buckets_per_account:
        yield _quota(
            "bucketsPerAccount", "S3 buckets", buckets, quotas.buckets_per_account, "S3: General purpose buckets"
        )


def _sizes(names: StackNames) -> Iterator[str]:
    quotas = names.settings.quotas
    for owner, document in _trust_documents(names):
        size = len(document.to_json())
        if size > quotas.role_trust_policy_size:
            yield (
                f"{owner}: its trust policy is {size} characters, over the quota of {quotas.role_trust_policy_size}; "
                f"raise it (IAM: Role trust policy length, up to 4096) and set {PROJECT}:quotas.roleTrustPolicySize"
            )
    # A stack on an IAM path of its own already names all its roles with one pattern: the advice is the rest.
    own_path = names.settings.iam_path != "/"
    path_advice = "" if own_path else "give the stack an IAM path of its own (one pattern for all its roles), "
    for owner, text in _managed_documents(names):
        if len(text) > MANAGED_POLICY_SIZE:
            yield (
                f"{owner}: {len(text)} characters, over IAM's fixed {MANAGED_POLICY_SIZE} for a managed policy; "
                f"{path_advice}shorten the names it lists (buckets, operator role prefixes), or split the stack"
            )
    for owner, text in _inline_documents(names):
        if len(text) > INLINE_POLICIES_PER_ROLE_SIZE:
            yield (
                f"{owner}: {len(text)} characters of inline policy, over IAM's fixed {INLINE_POLICIES_PER_ROLE_SIZE} "
                "per role; use managedPolicyArns for part of it"
            )


def _trust_documents(names: StackNames) -> Iterator[tuple[str, iam.PolicyDocument]]:
    plans = vault_plans(names)
    for i, cluster in enumerate(names.settings.clusters):
        host = names.issuer_host_path(cluster) or CLOUDFRONT_HOST
        provider = names.oidc_provider_arn(host)
        where = f"{PROJECT}:clusters[{i}]"
        for role in irsa.operator_roles(names, cluster):
            yield f"{where} operator role {role.key}", role.trust(provider, host)
        for j, role in enumerate(irsa.application_roles(names, cluster)):
            yield f"{where}.workloadRoles[{j}]", role.trust(provider, host)
        if (vault := names.vault_of(cluster)) is not None:
            yield f"{where} backup role", plans[vault].backup_role(names, cluster).trust(provider, host)
    by_name = {cluster.name: cluster for cluster in names.settings.clusters}
    for j, role in enumerate(irsa.shared_roles(names)):
        hosts = [names.issuer_host_path(by_name[c]) or CLOUDFRONT_HOST for c in role.clusters]
        issuers = tuple((names.oidc_provider_arn(host), host) for host in hosts)
        yield f"{PROJECT}:workloadRoles[{j}]", role.trust_of_issuers(issuers)


def _managed_documents(names: StackNames) -> Iterator[tuple[str, str]]:
    settings, catalogue = names.settings, load_catalogue()
    if "classic" in settings.topologies and settings.classic_version:
        for spec in (*catalogue.classic.account_roles, *settings.classic_operator_specs):
            if spec.policy:  # every classic entry names its document (the catalogue checks it when it loads)
                text = iam.document_json(catalogue.classic_policy(settings.classic_version, spec.policy))
                yield f"classic policy {spec.policy} ({settings.classic_version})", text
    if settings.ci_identity:
        for concern, document in ci_permissions.deploy_policies(names).items():
            yield f"{PROJECT}:ciIdentity deploy policy {concern!r}", document.to_json()
        if settings.permissions_boundary:
            yield f"{PROJECT}:permissionsBoundary", pipeline_boundary.boundary_policy(names).to_json()


def _inline_documents(names: StackNames) -> Iterator[tuple[str, str]]:
    for i, cluster in enumerate(names.settings.clusters):
        for j, role in enumerate(irsa.application_roles(names, cluster)):
            if policy := role.inline_policy():
                yield f"{PROJECT}:clusters[{i}].workloadRoles[{j}] (preset and statements)", policy.to_json()
    for j, role in enumerate(irsa.shared_roles(names)):
        if policy := role.inline_policy():
            yield f"{PROJECT}:workloadRoles[{j}] (preset and statements)", policy.to_json()
