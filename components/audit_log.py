"""HCP audit-log forwarding to CloudWatch: the role the cluster's audit exporter assumes (`rosa create cluster
--audit-log-arn`).

Trusted by exactly `system:serviceaccount:openshift-config-managed:cloudwatch-audit-exporter` through the cluster's
issuer, audience `openshift`; allowed Red Hat's CloudWatch Logs actions in this account and region only, and none on
the log groups the stack keeps (`foundation.irsa.audit_log_role`; sources in foundation/data/SOURCES.md). The
exporter creates and names its own log group.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.oidc_provider import OidcProvider
from components.role import RoleDefaults, service_account_role
from foundation.irsa import IrsaRole
from foundation.project import type_token


@dataclass(frozen=True)
class AuditLogArgs:
    role: IrsaRole
    oidc: OidcProvider
    role_defaults: RoleDefaults


class AuditLog(pulumi.ComponentResource):
    """Outputs: role_arn (`--audit-log-arn`)."""

    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AuditLogArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "AuditLog"), name, None, opts)
        role = service_account_role(
            f"{name}-role", args.role, issuers=[args.oidc], defaults=args.role_defaults, parent=self
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn})
