"""Adopting what rosa already made: the Pulumi import ids of the resources `rosa-foundation:adopt` names, derived from
the stack's own names (`foundation.names`), so that `pulumi up` imports them instead of stopping at
EntityAlreadyExists. README, "Adopting an account rosa already set up".

Kinds and what each covers (what the rosa command of that name makes, openshift/rosa d80ba25):
  account-roles   the account roles of every topology, their attachments, and the classic account roles' policies
                  (`rosa create account-roles --mode auto`, cmd/create/accountroles/creators.go)
  operator-roles  every cluster's operator roles and their attachments, and the account-wide classic operator policies
                  (`rosa create operator-roles --mode auto`, cmd/create/operatorroles/by_prefix.go)
  oidc-providers  the IAM OIDC provider of every managed OIDC config (`rosa create oidc-provider --mode auto`,
                  cmd/create/oidcprovider/cmd.go). A self-hosted issuer's provider is created, never imported: the
                  stack makes that issuer's bucket and documents too.
  ocm-roles       the OCM role, its profile's policies and their attachments, and every user role
                  (`rosa create ocm-role --mode auto`, internal/ocmrole/core.go `CreateRolesInternal`;
                  `rosa create user-role --mode auto`, cmd/create/userrole/cmd.go `createRoles`)

Import id formats, as pulumi-aws 7.51.1 documents them (the `## Import` section of each resource's docstring):
`aws.iam.Role` the role name, `aws.iam.Policy` the policy ARN, `aws.iam.RolePolicyAttachment`
`<role name>/<policy ARN>`, `aws.iam.OpenIdConnectProvider` the provider ARN.

The ids are the only thing adoption changes: every input is declared the same with or without it, so once imported
the setting can be dropped without a change (Pulumi ignores an import id for a resource already in its state).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from foundation import role_policies
from foundation.catalogue import AccountRoleSpec, OperatorRoleSpec, Topology
from foundation.names import StackNames
from foundation.settings.models import ClusterSettings, ManagedOidc, UserRoleSettings
from foundation.settings.types import AdoptKind


def role_import_id(role_name: str) -> str:
    """`aws.iam.Role`: the role's name (not its ARN, whatever its path)."""
    return role_name


def policy_import_id(policy_arn: str) -> str:
    """`aws.iam.Policy`: the policy's ARN."""
    return policy_arn


def attachment_import_id(role_name: str, policy_arn: str) -> str:
    """`aws.iam.RolePolicyAttachment`: `<role name>/<policy ARN>`."""
    return f"{role_name}/{policy_arn}"


def oidc_provider_import_id(provider_arn: str) -> str:
    """`aws.iam.OpenIdConnectProvider`: the provider's ARN."""
    return provider_arn


@dataclass(frozen=True)
class RoleImport:
    """The import ids of one role and of its one policy attachment."""

    role: str
    attachment: str


@dataclass(frozen=True)
class PolicyImport:
    """The import ids of one managed policy and of its attachment to one role."""

    policy: str
    attachment: str


@dataclass(frozen=True)
class Adoption:
    """Which import ids the stack declares: each method returns None for a kind the settings do not adopt."""

    names: StackNames

    def adopts(self, kind: AdoptKind) -> bool:
        return kind in self.names.settings.adopt

    def account_role(self, topology: Topology, spec: AccountRoleSpec) -> RoleImport | None:
        """The account role and its attachment: AWS's managed policy (HCP) or its own classic policy."""
        if not self.adopts("account-roles"):
            return None
        role = self.names.account_role(topology, spec).name
        policy_arn = role_policies.account_role_policy_arn(self.names, spec)
        return RoleImport(role_import_id(role), attachment_import_id(role, policy_arn))

    def classic_account_policy(self, spec: AccountRoleSpec) -> str | None:
        if not self.adopts("account-roles"):
            return None
        return policy_import_id(self.names.policy_arn(self.names.classic_account_policy(spec).name))

    def classic_operator_policy(self, spec: OperatorRoleSpec) -> str | None:
        """rosa makes these with the operator roles (`GetOperatorPolicyARN`, named by the account role prefix)."""
        if not self.adopts("operator-roles"):
            return None
        return policy_import_id(self.names.policy_arn(self.names.classic_operator_policy(spec).name))

    def operator_role(self, cluster: ClusterSettings, spec: OperatorRoleSpec) -> RoleImport | None:
        """The operator role and its attachment: AWS's managed policy (HCP) or the account-wide classic policy."""
        if not self.adopts("operator-roles"):
            return None
        role = self.names.operator_role(cluster, spec).name
        policy_arn = role_policies.operator_role_policy_arn(self.names, spec)
        return RoleImport(role_import_id(role), attachment_import_id(role, policy_arn))

    def oidc_provider(self, cluster: ClusterSettings) -> str | None:
        """A managed config's provider (its ARN is known from the settings); None for a self-hosted issuer."""
        if not self.adopts("oidc-providers") or not isinstance(cluster.oidc, ManagedOidc):
            return None
        host_path = self.names.issuer_host_path(cluster)
        return oidc_provider_import_id(self.names.oidc_provider_arn(host_path)) if host_path else None

    def ocm_role(self) -> str | None:
        """The OCM role (rosa names its policies after it: `ocm_role_policy`)."""
        if not self.adopts("ocm-roles"):
            return None
        return role_import_id(self.names.ocm.ocm_role().name)

    def ocm_role_policy(self, slug: str) -> PolicyImport | None:
        """One policy of the OCM role's profile, by slug (`standard`, `admin`, `no-console`), on the stack's path as
        rosa puts it on the role's, and its attachment to the OCM role."""
        if not self.adopts("ocm-roles"):
            return None
        policy_arn = self.names.policy_arn(self.names.ocm.ocm_role_policies()[slug].name)
        role = self.names.ocm.ocm_role().name
        return PolicyImport(policy_import_id(policy_arn), attachment_import_id(role, policy_arn))

    def user_role(self, user: UserRoleSettings) -> str | None:
        if not self.adopts("ocm-roles"):
            return None
        return role_import_id(self.names.ocm.user_role(user).name)


# What each kind imports, by the role keys of `StackNames.iam_names`.
_KIND_KEYS: dict[AdoptKind, str] = {
    "account-roles": r"account-(role|policy)/",
    "operator-roles": r"cluster/[^/]+/operator-role/|operator-policy/",
    "ocm-roles": r"ocm/",
}
# What a cluster stack of the split layout names but reads from its account stack.
_READ_FROM_ACCOUNT_STACK = ("account-role/", "account-policy/", "operator-policy/")


def imported_names(names: StackNames) -> dict[str, str]:
    """What the stack imports (`rosa-foundation:adopt`), each as `claim()` names it, with its role key."""
    settings, found = names.settings, {}
    for key, name in names.iam_names().items():
        read = settings.layout == "cluster" and key.startswith(_READ_FROM_ACCOUNT_STACK)
        if not read and any(re.match(_KIND_KEYS[k], key) for k in settings.adopt if k in _KIND_KEYS):
            found[claim(name.kind, name.name)] = key
    if "oidc-providers" in settings.adopt:
        found |= {claim("OIDC provider", arn): arn for arn in _managed_providers(names)}
    return found


def declared_names(names: StackNames) -> set[str]:
    """Every IAM role, policy and OIDC provider the stack manages, as `claim()` names it."""
    skip = _READ_FROM_ACCOUNT_STACK if names.settings.layout == "cluster" else ()
    found = {claim(n.kind, n.name) for key, n in names.iam_names().items() if not key.startswith(skip)}
    return found | {claim("OIDC provider", arn) for arn in _managed_providers(names)}


def claim(kind: str, name: str) -> str:
    """`<kind> '<name>'`, the name lower-cased where IAM compares it so (roles, policies)."""
    return f"{kind} {name!r}" if kind == "OIDC provider" else f"{kind} {name.lower()!r}"


def _managed_providers(names: StackNames) -> set[str]:
    hosts = (names.issuer_host_path(c) for c in names.settings.clusters if isinstance(c.oidc, ManagedOidc))
    return {names.oidc_provider_arn(host) for host in hosts if host}
