"""The names of the roles that link an AWS account to Red Hat's OCM, as rosa makes them: the organisation's OCM role
and its policies (`rosa create ocm-role`), each user's user role (`rosa create user-role`). Part of the stack's table
of IAM names (`foundation.names.StackNames.iam_names`); sources in data/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from foundation import naming
from foundation.catalogue import load_catalogue
from foundation.naming import IamName
from foundation.settings.models import StackSettings, UserRoleSettings


@dataclass(frozen=True)
class OcmNames:
    """Shapes: `IamName`s, in the stack's account role prefix (rosa's `--prefix`, `ManagedOpenShift` by default)."""

    settings: StackSettings

    def ocm_role(self) -> IamName:
        """`<prefix>-OCM-Role-<organisation external id>`, cut to 64 as a whole (rosa `GetOCMRoleName`; Red Hat's
        Terraform module cuts the prefix instead, which differs only past 64 characters: rosa's cut is followed)."""
        ocm = self.settings.ocm_role
        org = ocm.organization_external_id if ocm else ""
        parts = (self.settings.account_role_prefix, load_catalogue().ocm_roles.ocm_role_type, "Role", org)
        return IamName("role", parts, "OCM role")

    def ocm_role_policies(self) -> dict[str, IamName]:
        """The OCM role's policies as its profile has them, by slug (`standard`, `admin`, `no-console`):
        `<OCM role name>-Policy`, `-Admin-Policy`, `-NoConsole-Policy`, after the role's name as cut and never cut
        themselves (rosa `GetPolicyName`, `GetAdminPolicyName`, `GetNoConsolePolicyName`). None without an OCM role."""
        ocm, role = self.settings.ocm_role, self.ocm_role().name
        policies = load_catalogue().ocm_roles.profiles[ocm.profile].policies if ocm else ()
        return {
            p.slug: IamName("policy", (role, p.name_suffix), f"OCM role policy {p.slug}", naming.IAM_POLICY_NAME_MAX)
            for p in policies
        }

    def user_role(self, user: UserRoleSettings) -> IamName:
        """`<prefix>-User-<OCM username>-Role`, cut to 64 (rosa `GetUserRoleName`)."""
        role_type = load_catalogue().ocm_roles.user_role_type
        parts = (self.settings.account_role_prefix, role_type, user.ocm_username, "Role")
        return IamName("role", parts, f"user role of {user.ocm_username!r}")

    def iam_names(self) -> Iterator[tuple[str, IamName]]:
        """The rows of the stack's IAM name table: `ocm/ocm-role`, `ocm/ocm-role-policy/<slug>`,
        `ocm/user-role/<OCM username>`."""
        if self.settings.ocm_role:
            yield "ocm/ocm-role", self.ocm_role()
        for slug, policy in self.ocm_role_policies().items():
            yield f"ocm/ocm-role-policy/{slug}", policy
        for user in self.settings.user_roles:
            yield f"ocm/user-role/{user.ocm_username}", self.user_role(user)
