"""AWS quotas and document size limits, checked against what the settings will create, before anything is
registered: a quota hit half-way through an apply is the most expensive place to find it.

Counts are this stack's own (other stacks and hand-made resources in the account share the same quotas: leave
headroom). Sizes are measured on the documents the stack will send, built by the same builders, with resource
ARNs the program cannot know yet (a CloudFront domain) at their longest.
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation import ci_permissions, iam, naming
from foundation.catalogue import load_catalogue
from foundation.settings import PROJECT, SelfHostedOidc, StackSettings

MANAGED_POLICY_SIZE = 6144  # fixed by IAM
INLINE_POLICIES_PER_ROLE_SIZE = 10240  # fixed by IAM, all inline policies of a role together
CLOUDFRONT_HOST = "d" + "x" * 13 + ".cloudfront.net"  # d<13 characters>.cloudfront.net


def quota_problems(settings: StackSettings) -> list[str]:
    return list(_counts(settings)) + list(_sizes(settings))


def _quota(key: str, what: str, needed: int, limit: int, where: str) -> str:
    return (
        f"{PROJECT}:quotas.{key}: the stack needs {needed} {what}, over the quota of {limit}; raise it in Service "
        f"Quotas ({where}) and set {PROJECT}:quotas.{key} to the new value, or split the fleet across accounts"
    )


def _counts(settings: StackSettings) -> Iterator[str]:
    quotas = settings.quotas
    names = list(settings._iam_names())
    roles = sum(kind == "role" for kind, _, _ in names) + (2 if settings.ci_identity else 0)
    if roles > quotas.roles_per_account:
        yield _quota("rolesPerAccount", "IAM roles", roles, quotas.roles_per_account, "IAM: Roles per account")
    providers = len(settings.clusters) + bool(
        settings.ci_identity and not settings.ci_identity.github_oidc_provider_arn
    )
    if providers > quotas.oidc_providers_per_account:
        yield _quota(
            "oidcProvidersPerAccount",
            "IAM OIDC providers (one per cluster, and GitHub's)",
            providers,
            quotas.oidc_providers_per_account,
            "IAM: OpenId connect providers per account",
        )
    policies = sum(kind == "policy" for kind, _, _ in names)
    policies += len(ci_permissions.deploy_policies(settings)) + 1 if settings.ci_identity else 0
    if policies > quotas.customer_managed_policies_per_account:
        yield _quota(
            "customerManagedPoliciesPerAccount",
            "customer managed policies",
            policies,
            quotas.customer_managed_policies_per_account,
            "IAM: Customer managed policies per account",
        )
    for i, cluster in enumerate(settings.clusters):
        for j, workload in enumerate(cluster.workload_roles):
            if len(workload.managed_policy_arns) > quotas.managed_policies_per_role:
                count = len(workload.managed_policy_arns)
                yield (
                    f"{PROJECT}:clusters[{i}].workloadRoles[{j}].managedPolicyArns: {count} policies, over the quota "
                    f"of {quotas.managed_policies_per_role} per role; raise it (IAM: Managed policies per role) and "
                    f"set {PROJECT}:quotas.managedPoliciesPerRole, or merge them into statements"
                )
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
    buckets = len(settings.bucket_names())
    if buckets > quotas.buckets_per_account:
        yield _quota(
            "bucketsPerAccount", "S3 buckets", buckets, quotas.buckets_per_account, "S3: General purpose buckets"
        )


def _sizes(settings: StackSettings) -> Iterator[str]:
    quotas = settings.quotas
    for owner, document in _trust_documents(settings):
        size = len(document.to_json())
        if size > quotas.role_trust_policy_size:
            yield (
                f"{owner}: its trust policy is {size} characters, over the quota of {quotas.role_trust_policy_size}; "
                f"raise it (IAM: Role trust policy length, up to 4096) and set {PROJECT}:quotas.roleTrustPolicySize"
            )
    for owner, text in _managed_documents(settings):
        if len(text) > MANAGED_POLICY_SIZE:
            yield (
                f"{owner}: {len(text)} characters, over IAM's fixed {MANAGED_POLICY_SIZE} for a managed policy; "
                "give the stack an IAM path of its own (one pattern for all its roles), shorten the names it lists, "
                "or split the stack"
            )
    for owner, text in _inline_documents(settings):
        if len(text) > INLINE_POLICIES_PER_ROLE_SIZE:
            yield (
                f"{owner}: {len(text)} characters of inline policy, over IAM's fixed {INLINE_POLICIES_PER_ROLE_SIZE} "
                "per role; use managedPolicyArns for part of it"
            )


def _issuer_host_path(settings: StackSettings, index: int) -> str:
    cluster = settings.clusters[index]
    if isinstance(cluster.oidc, SelfHostedOidc):
        if cluster.oidc.public_access == "cloudfront":
            return CLOUDFRONT_HOST
        return f"{settings.self_hosted_bucket(cluster)}.s3.{settings.region}.amazonaws.com"
    return naming.issuer_host_path(cluster.oidc.issuer)


def _trust_documents(settings: StackSettings) -> Iterator[tuple[str, iam.PolicyDocument]]:
    catalogue = load_catalogue()
    for i, cluster in enumerate(settings.clusters):
        host = _issuer_host_path(settings, i)
        provider = naming.oidc_provider_arn(settings.partition, settings.account_id, host)
        where = f"{PROJECT}:clusters[{i}]"
        for spec in cluster.operator_specs:
            yield f"{where} operator role {spec.slug}", iam.web_identity_trust(provider, host, spec.subjects)
        for j, workload in enumerate(cluster.workload_roles):
            document = iam.web_identity_trust(provider, host, (workload.subject,), catalogue.workload_token_audience)
            yield f"{where}.workloadRoles[{j}]", document
        if settings.backup:
            oadp = catalogue.backup.oadp
            yield f"{where} backup role", iam.web_identity_trust(provider, host, oadp.subjects, oadp.token_audience)


def _managed_documents(settings: StackSettings) -> Iterator[tuple[str, str]]:
    catalogue = load_catalogue()
    if "classic" in settings.topologies and settings.classic_version:
        for spec in (*catalogue.classic.account_roles, *catalogue.classic.operator_roles):
            assert spec.policy
            text = iam.document_json(catalogue.classic_policy(settings.classic_version, spec.policy))
            yield f"classic policy {spec.policy} ({settings.classic_version})", text
    if settings.ci_identity:
        for concern, document in ci_permissions.deploy_policies(settings).items():
            yield f"{PROJECT}:ciIdentity deploy policy {concern!r}", document.to_json()


def _inline_documents(settings: StackSettings) -> Iterator[tuple[str, str]]:
    for i, cluster in enumerate(settings.clusters):
        for j, workload in enumerate(cluster.workload_roles):
            if workload.statements:
                document = iam.PolicyDocument(tuple(s.to_statement() for s in workload.statements))
                yield f"{PROJECT}:clusters[{i}].workloadRoles[{j}].statements", document.to_json()
