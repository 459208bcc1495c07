"""HCP AutoNode: the role Karpenter, running in the hosted control plane, assumes to provision the cluster's nodes.

Trusted by exactly Karpenter's service account through the cluster's issuer (HyperShift mints its token for
`system:serviceaccount:kube-system:karpenter`, audience `openshift`); its permissions are Red Hat's published
document, attached as the stack's own customer-managed policy as classic operator policies are (no AWS-managed
policy carries it). Karpenter launches encrypted volumes, so the cluster's volumes key grants this role its use
(`volume_key_grants`). Turned on after the cluster exists: `rosa edit cluster --autonode enabled
--autonode-iam-role-arn` (foundation/data/SOURCES.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.encryption_keys import GRANTS_FOR_AWS_RESOURCES, KeyGrant
from components.oidc_provider import OidcProvider
from components.role import RoleDefaults, attach_policy, service_account_role
from foundation import iam
from foundation.catalogue import load_catalogue
from foundation.irsa import IrsaRole
from foundation.project import type_token


@dataclass(frozen=True)
class AutoNodeArgs:
    """Karpenter's role (`foundation.irsa.auto_node_role`), the issuer it trusts, and its policy's name."""

    role: IrsaRole
    oidc: OidcProvider
    role_defaults: RoleDefaults
    policy_name: str


class AutoNode(pulumi.ComponentResource):
    """Outputs: role_arn (`--autonode-iam-role-arn`), policy_arn."""

    role_arn: pulumi.Output[str]
    policy_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AutoNodeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "AutoNode"), name, None, opts)
        catalogue = load_catalogue()
        policy = aws.iam.Policy(
            f"{name}-policy",
            name=args.policy_name,
            path=args.role_defaults.path,
            description="ROSA HCP AutoNode (Karpenter) permissions, Red Hat's document",
            policy=iam.document_json(catalogue.hcp_policy(catalogue.auto_node.policy)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        role = service_account_role(
            f"{name}-role", args.role, issuers=[args.oidc], defaults=args.role_defaults, parent=self
        )
        attach_policy(f"{name}-role-policy", role, policy.arn)
        self.role_arn, self.policy_arn = role.arn, policy.arn
        self.register_outputs({"role_arn": self.role_arn, "policy_arn": self.policy_arn})


def volume_key_grants(role_arn: pulumi.Input[str], region: str) -> tuple[KeyGrant, ...]:
    """What the volumes key's policy grants Karpenter's role: the key operations Red Hat's document asks of EBS
    encryption, through EC2 in the cluster's region only (its document's `kms:ViaService` condition, to the region),
    and grants for AWS resources only (EC2 attaching the volumes it launches)."""
    actions = load_catalogue().auto_node.volume_key_actions
    through_ec2 = iam.Condition("StringEquals", "kms:ViaService", (f"ec2.{region}.amazonaws.com",))
    return (
        KeyGrant("AutoNode", [role_arn], actions, (through_ec2,)),
        KeyGrant("AutoNodeGrants", [role_arn], ("kms:CreateGrant",), (GRANTS_FOR_AWS_RESOURCES, through_ec2)),
    )
