"""Names and ARNs: the one place where IAM names are cut and ARNs are spelt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

IAM_NAME_MAX = 64
IAM_POLICY_NAME_MAX = 128  # IAM's own limit for a policy name, which rosa never reaches for the OCM role's


def iam_name(*parts: str, limit: int = IAM_NAME_MAX) -> str:
    """Join name parts with '-' and cut to `limit` characters (IAM's 64 by default), exactly as `rosa` and Red Hat's
    modules do.

    Cutting can make two names equal; settings validation refuses that before anything is registered.
    """
    return "-".join(parts)[:limit]


@dataclass(frozen=True)
class IamName:
    """One IAM role or policy name the stack creates, uncut in `parts` and cut in `name` (`foundation.names`)."""

    kind: Literal["role", "policy"]
    parts: tuple[str, ...]
    owner: str  # what it belongs to, as a message names it: "cluster 'a' operator role x/y"
    limit: int = IAM_NAME_MAX  # where the name is cut

    @property
    def name(self) -> str:
        return iam_name(*self.parts, limit=self.limit)

    @property
    def uncut(self) -> str:
        return "-".join(self.parts)


def account_role_parts(prefix: str, role: str) -> tuple[str, ...]:
    """`<prefix>-<role>-Role` (rosa create account-roles), e.g. role `HCP-ROSA-Installer`."""
    return (prefix, role, "Role")


def operator_role_parts(prefix: str, namespace: str, operator: str) -> tuple[str, ...]:
    """`<operator prefix>-<namespace>-<operator>` (rosa create operator-roles)."""
    return (prefix, namespace, operator)


def arn(partition: str, service: str, resource: str, *, account: str = "", region: str = "") -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{resource}"


def arn_partition(arn: str) -> str:
    """`arn:<partition>:...` -> its partition (`aws`, `aws-us-gov`)."""
    return arn.split(":")[1]


def arn_account(arn: str) -> str:
    """`arn:<partition>:<service>:<region>:<account>:...` -> its account (`aws` for AWS's managed policies)."""
    return arn.split(":")[4]


def iam_resource_name(arn: str) -> str:
    """An IAM role's or policy's ARN -> its name, the part after its path."""
    return arn.rsplit("/", 1)[-1]


def iam_arn(partition: str, account: str, kind: str, path: str, name: str) -> str:
    """ARN of an IAM role or policy: `arn:<partition>:iam::<account>:<kind><path><name>`."""
    return arn(partition, "iam", f"{kind}{path}{name}", account=account)


def aws_managed_policy_arn(partition: str, name: str) -> str:
    return arn(partition, "iam", f"policy/service-role/{name}", account="aws")


def oidc_provider_arn(partition: str, account: str, issuer_host_path: str) -> str:
    return arn(partition, "iam", f"oidc-provider/{issuer_host_path}", account=account)


def issuer_host_path(issuer_url: str) -> str:
    """`https://oidc.example.com/abc` -> `oidc.example.com/abc`: how IAM names an OIDC provider and its claims."""
    return issuer_url.removeprefix("https://")


def service_account_subject(namespace: str, service_account: str) -> str:
    """The `sub` claim of a Kubernetes service account's token: what IRSA and operator trusts pin."""
    return f"system:serviceaccount:{namespace}:{service_account}"
