"""The settings rules of the roles beyond ROSA's own: workload roles' presets and the clusters a stack workload role
trusts, per-role permissions boundaries, and the policies attached to ROSA's roles (`rosa attach policy`). Each
problem is one line naming the key as written, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from foundation import naming, role_policies
from foundation.catalogue import load_catalogue
from foundation.iam_actions import ADMIN_MANAGED_POLICIES
from foundation.names import CI_ROLE_KINDS, StackNames
from foundation.project import config_key, shown
from foundation.role_keys import account_role_key, is_rosa_role, operator_role_key, role_keys
from foundation.settings.models import ManagedOidc, StackSettings, WorkloadRoleSettings
from foundation.workload_presets import SCOPE_SETTINGS, load_presets

# Each setting a preset scopes by (as the stack file spells it) -> its field.
_SCOPE_FIELDS = {
    setting: "".join(f"_{c.lower()}" if c.isupper() else c for c in setting)
    for setting in SCOPE_SETTINGS.values()
    if setting
}
_SCOPE_MEANING = {
    "hostedZoneIds": "the Route 53 hosted zones whose records it changes",
    "fileSystemIds": "the EFS file systems it makes access points on",
    "secretArns": "the Secrets Manager secrets it reads",
    "parameterPaths": "the SSM parameters it reads",
}
_SHOWN_KEYS = 8


def workload_entry_problems(
    settings: StackSettings, names: StackNames, here: str, workload: WorkloadRoleSettings
) -> Iterator[str]:
    """One workload entry (a cluster's or the stack's): it grants something, in this partition, as its preset asks."""
    preset = workload.preset_spec
    if not workload.namespace:
        yield f"{here}.namespace is missing: it is required unless a preset names it"
    if not workload.service_account:
        hint = f" ({preset.service_account_hint})" if preset and preset.service_account_hint else ""
        yield f"{here}.serviceAccount is missing: it is required unless a preset names it{hint}"
    if not workload.grants:
        yield f"{here}: grants nothing; give a preset, managedPolicyArns or statements"
    arns = {f"{here}.managedPolicyArns": workload.managed_policy_arns, f"{here}.secretArns": workload.secret_arns}
    arns |= {f"{here}.statements[{k}].resources": s.resources for k, s in enumerate(workload.statements)}
    for key, arn in ((key, arn) for key, listed in arns.items() for arn in listed if arn != "*"):
        if naming.arn_partition(arn) != settings.partition:
            yield f"{key}: {shown(arn)} is not in this stack's partition {settings.partition!r}"
    for k, arn in enumerate(workload.managed_policy_arns):
        if problem := attached_policy_problem(settings, names, arn):
            yield f"{here}.managedPolicyArns[{k}] = {shown(arn)}: {problem}"
    yield from _preset_problems(here, workload)


def _preset_problems(here: str, workload: WorkloadRoleSettings) -> Iterator[str]:
    preset = load_presets()[workload.preset] if workload.preset else None
    reads = set(preset.scope_settings) if preset else set()
    readers = {
        setting: sorted(p.name for p in load_presets().values() if setting in p.scope_settings)
        for setting in _SCOPE_FIELDS
    }
    for setting, field in _SCOPE_FIELDS.items():
        if getattr(workload, field) and setting not in reads:
            yield (
                f"{here}.{setting}: only read by preset {' or '.join(readers[setting])}"
                + (f", not {workload.preset!r}" if workload.preset else "")
                + "; remove it"
            )
    if preset is None:
        return
    if reads == {"secretArns", "parameterPaths"}:
        if not (workload.secret_arns or workload.parameter_paths):
            yield (
                f"{here}: preset {preset.name!r} reads only what it is given; list secretArns "
                f"({_SCOPE_MEANING['secretArns']}) or parameterPaths ({_SCOPE_MEANING['parameterPaths']}), or both"
            )
        return
    for setting in sorted(reads):
        if not getattr(workload, _SCOPE_FIELDS[setting]):
            yield (
                f"{here}.{setting} is missing: preset {preset.name!r} is scoped to {_SCOPE_MEANING[setting]}; "
                "list them (never every one in the account)"
            )


def shared_role_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """The stack's workload roles: each names clusters of the stack, each once, for a service account none of them
    gives another role; clusters sharing an issuer with one not listed need that config's say-so."""
    index = {cluster.name: i for i, cluster in enumerate(settings.clusters)}
    seen: dict[str, int] = {}
    for j, workload in enumerate(settings.workload_roles):
        here = f"{config_key('workloadRoles')}[{j}]"
        yield from workload_entry_problems(settings, names, here, workload)
        if not workload.trusted_clusters:
            yield (
                f"{here}.trustedClusters is missing: a stack workload role names the clusters whose service account "
                f"{workload.slug} may assume it (a cluster's own roles go in its workloadRoles)"
            )
        listed: dict[str, int] = {}
        for k, name in enumerate(workload.trusted_clusters):
            if name not in index:
                known = ", ".join(index) or "none"
                yield (
                    f"{here}.trustedClusters[{k}] = {name!r}: no cluster of this stack has that name (its clusters: "
                    f"{known})"
                )
            elif name in listed:
                yield f"{here}.trustedClusters[{k}] = {name!r}: already listed (trustedClusters[{listed[name]}])"
            listed.setdefault(name, k)
        if workload.slug in seen:
            first = seen[workload.slug]
            yield f"{here}: service account {workload.slug} already has a stack role (workloadRoles[{first}])"
        seen.setdefault(workload.slug, j)
        for name in listed:
            if name not in index:
                continue
            cluster = settings.clusters[index[name]]
            own = [k for k, w in enumerate(cluster.workload_roles) if w.slug == workload.slug]
            if own:
                yield (
                    f"{here}: service account {workload.slug} of cluster {name!r} already has a role "
                    f"({config_key('clusters')}[{index[name]}].workloadRoles[{own[0]}]); one service account, one role"
                )
            oidc = cluster.oidc
            if isinstance(oidc, ManagedOidc) and not oidc.allow_roles_on_shared_issuer:
                others = [c.name for c in names.issuers()[names.issuer_key(cluster)] if c.name not in listed]
                if others:
                    at = f"{config_key('clusters')}[{index[name]}].oidc"
                    yield (
                        f"{here}.trustedClusters: {name!r} shares OIDC config {oidc.config_id!r} with "
                        f"{', '.join(others)}, not listed, whose service account {workload.slug} could assume the role "
                        f"alike; list them too, or set {at}.allowRolesOnSharedIssuer: true to accept it"
                    )


def boundary_override_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """`permissionsBoundaryOverrides`: roles of this stack, in its partition, never the pipeline's boundary's escape.

    IAM gives a role one boundary, so an override replaces the stack's and may allow more than it; with a CI
    identity every role must carry the pipeline's boundary (its denies bind every role the pipeline can write, and
    the pipeline may create only roles carrying it), so no override is taken there."""
    here = config_key("permissionsBoundaryOverrides")
    keys = role_keys(names.iam_names())
    for key, arn in settings.permissions_boundary_overrides.items():
        at = f"{here}.{key}"
        if settings.ci_identity:
            yield (
                f"{at} = {shown(arn)}: with {config_key('ciIdentity')} every role carries the pipeline's boundary "
                f"{settings.permissions_boundary}, whose denies must bind every role the pipeline can write (and the "
                "pipeline may create no role under another); remove the override"
            )
            continue
        if problem := _role_key_problem(settings, keys, key):
            yield f"{at}: {problem}"
            continue
        if naming.arn_partition(arn) != settings.partition:
            yield f"{at} = {shown(arn)}: the ARN must be in this stack's partition {settings.partition!r}"
        if problem := _account_problem(settings, arn):
            yield f"{at} = {shown(arn)}: {problem}"
        if (name := naming.iam_resource_name(arn)) in ADMIN_MANAGED_POLICIES:
            yield f"{at} = {shown(arn)}: a boundary of {name} lifts every ceiling; name a boundary"


def extra_policy_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """`extraPolicyArns`, as `rosa attach policy` takes them (openshift/rosa pkg/policy/policy_service.go): only on
    ROSA's own roles, each policy once, within the managed-policies-per-role quota with the role's own."""
    here = config_key("extraPolicyArns")
    keys = role_keys(names.iam_names())
    own = _own_managed_policies(settings, names)
    quota = settings.quotas.managed_policies_per_role
    for key, arns in settings.extra_policy_arns.items():
        at = f"{here}.{key}"
        if problem := _role_key_problem(settings, keys, key):
            yield f"{at}: {problem}"
            continue
        if not is_rosa_role(key):
            yield (
                f"{at}: extra policies go on ROSA's account and operator roles only, as rosa attach policy takes "
                "roles tagged red-hat-managed; a workload role lists its policies in managedPolicyArns"
            )
            continue
        by_name: dict[str, int] = {}
        for k, arn in enumerate(arns):
            name = naming.iam_resource_name(arn)
            if naming.arn_partition(arn) != settings.partition:
                yield f"{at}[{k}] = {shown(arn)}: not in this stack's partition {settings.partition!r}"
            if problem := attached_policy_problem(settings, names, arn):
                yield f"{at}[{k}] = {shown(arn)}: {problem}"
            if arn in own.get(key, ()):
                yield f"{at}[{k}] = {shown(arn)}: already the role's own policy"
            elif name in by_name:
                yield f"{at}[{k}] = {shown(arn)}: a policy named {name!r} is already listed ({at}[{by_name[name]}])"
            by_name.setdefault(name, k)
        if len(own.get(key, ())) + len(arns) > quota:
            yield (
                f"{at}: {len(arns)} policies beside the role's own {len(own.get(key, ()))}, over the quota of {quota} "
                f"per role (rosa refuses it too); raise it and set {config_key('quotas')}.managedPoliciesPerRole"
            )


def attached_policy_problem(settings: StackSettings, names: StackNames, arn: str) -> str | None:
    """Why managed policy `arn` cannot be attached to a role of this stack, or None. IAM attaches only AWS's policies
    and the role's own account's. AWS's admin-equivalent policies are refused here, before anything is registered
    (the guardrail also judges the render's attachments, and customer policies by their documents). The stack's
    permissions boundaries and the pipeline's own policies are ceilings and the CI identity's grants, which as a
    role's policy would grant all they allow (the pipeline's boundary denies attaching them, so the apply would also
    stop half-way)."""
    if problem := _account_problem(settings, arn):
        return problem
    if naming.arn_account(arn) == "aws" and (name := naming.iam_resource_name(arn)) in ADMIN_MANAGED_POLICIES:
        return (
            f"AWS's {name} hands over the account (the no-admin-permissions guardrail refuses it "
            "too); attach a policy that grants what the role needs"
        )
    boundaries = {settings.permissions_boundary, *settings.permissions_boundary_overrides.values()} - {None}
    if arn in boundaries:
        return (
            "a permissions boundary of this stack's roles; a boundary is a ceiling, and attached as a policy it "
            "grants everything below its denies; attach a policy that grants what the role needs"
        )
    if settings.ci_identity and any(
        fnmatchcase(arn, names.policy_arn(names.ci_policy(kind, "*"))) for kind in CI_ROLE_KINDS
    ):
        return "a policy of the pipeline's own CI roles, which no role of the stack may hold"
    return None


def _account_problem(settings: StackSettings, arn: str) -> str | None:
    account = naming.arn_account(arn)
    if account in ("aws", settings.account_id):
        return None
    return (
        f"a customer managed policy of account {account}; IAM attaches only AWS managed policies (account 'aws') and "
        f"policies of the role's own account {settings.account_id}: make the policy there"
    )


def _role_key_problem(settings: StackSettings, keys: dict, key: str) -> str | None:
    if key not in keys:
        listed = sorted(keys)
        more = f" and {len(listed) - _SHOWN_KEYS} more" if len(listed) > _SHOWN_KEYS else ""
        return f"no role of this stack has that key; its role keys: {', '.join(listed[:_SHOWN_KEYS])}{more}"
    if settings.layout == "cluster" and key.startswith("account-role/"):
        return "the account roles are the account stack's; set it there"
    return None


def _own_managed_policies(settings: StackSettings, names: StackNames) -> dict[str, tuple[str, ...]]:
    """Each ROSA role's own managed policy ARNs, by role key: what it holds before any extra."""
    own: dict[str, tuple[str, ...]] = {}
    for topology in settings.topologies:
        for spec in load_catalogue().topology(topology).account_roles:
            own[account_role_key(topology, spec)] = (role_policies.account_role_policy_arn(names, spec),)
    for cluster in settings.clusters:
        for spec in settings.operator_specs(cluster):
            own[operator_role_key(cluster, spec)] = (role_policies.operator_role_policy_arn(names, spec),)
    return own
