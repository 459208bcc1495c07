"""IAM guardrails: who a role trusts, what a policy allows, how long a session lasts."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from foundation import naming
from foundation.catalogue import load_catalogue
from foundation.iam import listed
from foundation.iam_actions import ADMIN_MANAGED_POLICIES, admin_grants
from foundation.workload_presets import is_published_on_every_resource
from policies.graph import Graph, Resource, Rule, document_statements, is_known, statement_principals
from policies.rules.resource_types import BUCKET_POLICY, IAM_POLICY, KMS_KEY, ROLE, ROLE_POLICY

GRANT_ACTIONS = ("*", "*:*", "iam:*")
# The input holding each resource type's policy document.
DOCUMENT_INPUTS = {IAM_POLICY: "policy", ROLE_POLICY: "policy", BUCKET_POLICY: "policy", KMS_KEY: "policy"}


def federated_trust_pins_exact_sub(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for role in graph.of_type(ROLE):
        for statement in document_statements(role.inputs.get("assumeRolePolicy")):
            if statement.get("Effect") != "Allow" or not statement_principals(statement, "Federated"):
                continue
            conditions = statement.get("Condition", {})
            exact = {k: listed(v) for k, v in conditions.get("StringEquals", {}).items() if k.endswith(":sub")}
            patterns = [k for op, keys in conditions.items() if "Like" in op for k in keys if k.endswith(":sub")]
            if patterns:
                yield role, f"matches {patterns[0]} with a pattern operator; any matching service account may assume it"
            elif not exact:
                yield role, "trusts a federated principal without a StringEquals condition on the token's :sub"
            elif any("*" in v or "?" in v for values in exact.values() for v in values):
                yield role, f"pins :sub with a wildcard: {exact}"


FEDERATED_TRUST_PINS_EXACT_SUB = Rule(
    name="federated-trust-pins-exact-sub",
    description=(
        "A role trusted by an OIDC provider names the exact service accounts (StringEquals on :sub, no wildcard)."
    ),
    remediation="Build the trust with foundation.iam.web_identity_trust and the service accounts' exact subjects.",
    level="mandatory",
    severity="critical",  # a pattern or wildcard :sub lets any workload on the issuer assume the role
    check=federated_trust_pins_exact_sub,
)


def trust_principals_documented(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    # Red Hat's OCM accounts, each with the partition it serves: any role there is Red Hat's (the Support principal
    # may be an organisation's own SRE role, OCM's sts_support_rh_sre_role); the same account in another partition is
    # somebody else's.
    catalogue = load_catalogue()
    red_hat = {
        naming.arn(partition, "iam", "root", account=account)
        for partition, spec in catalogue.partitions.items()
        for account in spec.ocm_account_ids.values()
    }
    # Red Hat's control-plane log forwarder, by its exact ARN: it lives outside the OCM accounts.
    log_forwarders = {arn for envs in catalogue.log_forwarding.central_role_arns.values() for arn in envs.values()}
    allowed = set(config.get("allowedPrincipals", ())) | log_forwarders
    for role in graph.of_type(ROLE):
        for statement in document_statements(role.inputs.get("assumeRolePolicy")):
            if statement.get("Effect") != "Allow":
                continue
            for principal in statement_principals(statement, "AWS"):
                if principal not in allowed and not _red_hat_role(str(principal), red_hat):
                    yield (
                        role,
                        f"trusts AWS principal {principal!r}, which is neither Red Hat's documented role nor approved",
                    )
            for service in statement_principals(statement, "Service"):
                if not str(service).endswith(".amazonaws.com"):
                    yield role, f"trusts {service!r}, which is not an AWS service principal"


def _red_hat_role(principal: str, red_hat_roots: set[str]) -> bool:
    """Whether `principal` is a role ARN in one of Red Hat's OCM accounts, in the partition that account serves."""
    head, _, _ = principal.partition(":role/")
    return principal != head and f"{head}:root" in red_hat_roots


TRUST_PRINCIPALS_DOCUMENTED = Rule(
    name="trust-principals-documented",
    description=(
        "Roles trust only Red Hat's documented OCM roles and log forwarder, AWS services, or principals this stack "
        "approves."
    ),
    remediation=(
        "Trust Red Hat through AccountRoles, or list the principal under allowedPrincipals with a reviewer's consent."
    ),
    level="mandatory",
    severity="critical",  # an unlisted principal hands the role to another account
    check=trust_principals_documented,
    config_schema={"allowedPrincipals": {"type": "array", "items": {"type": "string"}}},
)


def no_admin_permissions(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    boundaries = {str(role.inputs.get("permissionsBoundary")) for role in graph.of_type(ROLE)}
    for resource in graph.resources:
        key = DOCUMENT_INPUTS.get(resource.type)
        documents = [resource.inputs.get(key)] if key else []
        if resource.type == ROLE:  # inline policies declared on the role itself
            documents += [p.get("policy") for p in resource.inputs.get("inlinePolicies") or []]
        identity = resource.type in (IAM_POLICY, ROLE_POLICY, ROLE)
        if resource.type == IAM_POLICY and _is_boundary(resource, boundaries):
            continue  # a permissions boundary is a ceiling: it grants nothing by itself
        for document in documents:
            if identity and isinstance(document, str) and load_catalogue().is_red_hat_policy(json.loads(document)):
                continue  # Red Hat's classic, OCM role and AutoNode documents, which ROSA requires as they are
            for statement in document_statements(document):
                if statement.get("Effect") != "Allow":
                    continue
                # A resource policy's `*` is the resource itself (a key policy's own `kms:*` for the account root is
                # AWS's default): only the wildcards that give away everything count there.
                literal = [a for a in listed(statement.get("Action")) if str(a).lower() in GRANT_ACTIONS]
                granted = admin_grants(statement) if identity else literal
                if granted and identity and is_published_on_every_resource(statement):
                    continue  # an add-on's own published statement, which it needs on `*` as it is (presets)
                if granted:
                    yield resource, f"allows {_summary(granted)} on every resource"
        arns = listed(resource.inputs.get("policyArn")) + listed(resource.inputs.get("managedPolicyArns"))
        for arn in arns:
            if isinstance(arn, str) and naming.iam_resource_name(arn) in ADMIN_MANAGED_POLICIES:
                yield resource, f"attaches {arn}"
            elif arn in boundaries:  # a ceiling: as a policy it grants everything below its denies
                yield resource, f"attaches {arn}, a permissions boundary, as a policy"


def _is_boundary(policy: Resource, boundaries: set[str]) -> bool:
    path, name = policy.inputs.get("path", "/"), policy.inputs.get("name")
    return any(b.endswith(f":policy{path}{name}") for b in boundaries)


def _summary(actions: Sequence[str]) -> str:
    shown = ", ".join(actions[:6])
    return shown + (f" and {len(actions) - 6} more admin-equivalent actions" if len(actions) > 6 else "")


NO_ADMIN_PERMISSIONS = Rule(
    name="no-admin-permissions",
    description=(
        "No identity policy allows an admin-equivalent action (permissions management, credential exposure, "
        "sts:Assume*, iam:PassRole; wildcards expanded with parliament's IAM action database) on every resource, no "
        "resource policy allows *, *:* or iam:*, and no role gets AdministratorAccess, IAMFullAccess, PowerUserAccess "
        "or a permissions boundary as a policy."
    ),
    remediation=(
        "Grant the actions the workload calls on the resources it uses: name the roles, policies, buckets or keys."
    ),
    level="mandatory",
    severity="critical",  # any of these grants the whole account, IAM included
    check=no_admin_permissions,
)


def session_at_most_one_hour(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    limit = int(config.get("maxSeconds", 3600))
    for role in graph.of_type(ROLE):
        seconds = role.inputs.get("maxSessionDuration", 3600)
        if is_known(seconds) and int(seconds) > limit:
            yield role, f"lets sessions last {int(seconds)} s (at most {limit})"


SESSION_AT_MOST_ONE_HOUR = Rule(
    name="session-at-most-one-hour",
    description="Role sessions last at most one hour, as ROSA's own credentials do.",
    remediation="Create roles with components.role.stack_role (maxSessionDuration 3600).",
    level="mandatory",
    severity="medium",  # a leaked session stays valid longer; it grants nothing more
    check=session_at_most_one_hour,
    config_schema={"maxSeconds": {"type": "integer", "minimum": 900, "maximum": 43200}},
)

RULES = (
    FEDERATED_TRUST_PINS_EXACT_SUB,
    TRUST_PRINCIPALS_DOCUMENTED,
    NO_ADMIN_PERMISSIONS,
    SESSION_AT_MOST_ONE_HOUR,
)
