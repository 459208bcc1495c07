"""A shared-VPC cluster's side of HCP shared VPC: the cluster account's roles that rosa and the hosted control plane
use may assume the VPC owner's two roles, and nothing else may.

As `rosa create account-roles --route53-role-arn --vpc-endpoint-role-arn` and `rosa create operator-roles` do it
(cmd/create/accountroles/creators.go `attachHcpSharedVpcPolicy`, cmd/create/operatorroles/by_clusterkey.go): one policy
per shared role, `<shared role name>-assume-role`, allowing sts:AssumeRole on exactly that role's ARN and tagged
`red-hat-managed` and `hcp-shared-vpc`; the Route53 one on the Installer, ingress and control-plane operator roles,
the VPC-endpoint one on the Installer and control-plane operator roles. The policies are on this stack's IAM path
(rosa puts them on the shared role's path, which is the owner's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from foundation import naming, shared_vpc, tags
from foundation.catalogue import SHARED_VPC_ROLES, SharedVpcRole, load_catalogue
from foundation.outputs import SharedVpcClusterOutputs
from foundation.project import type_token


@dataclass(frozen=True)
class SharedVpcOwner:
    """What a cluster uses of its VPC owner (`network.sharedVpc`): the owner stack, its two roles' exact ARNs and the
    cluster's base domain (from the owner's stack file), and its share as the owner's outputs give it (None until the
    owner stack is applied: components/vpc_owner_reference.py)."""

    owner_stack: str
    role_arns: Mapping[SharedVpcRole, str]
    base_domain: str
    share: pulumi.Output[SharedVpcClusterOutputs | None]


@dataclass(frozen=True)
class SharedVpcAccessArgs:
    """One cluster's shared roles (their exact ARNs in the owner's account) and the roles that assume them, by slug
    (`installer`, `<namespace>/<operator>`)."""

    cluster: str
    shared_role_arns: Mapping[SharedVpcRole, str]
    assuming_roles: Mapping[str, pulumi.Output[str]]  # slug -> role ARN in this account
    path: str  # the stack's IAM path


class SharedVpcAccess(pulumi.ComponentResource):
    """Outputs: policy_arns (route53 / vpc-endpoint -> the `<shared role>-assume-role` policy's ARN)."""

    policy_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SharedVpcAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "SharedVpcAccess"), name, None, opts)
        rosa_tag = load_catalogue().shared_vpc.assume_role_policy_tag
        self.policy_arns = {}
        for kind in SHARED_VPC_ROLES:
            policy_name = shared_vpc.assume_policy(args.cluster, kind).name
            policy = aws.iam.Policy(
                f"{name}-{kind}",
                name=policy_name,
                path=args.path,
                description=f"Assume the VPC owner's shared VPC {kind} role of ROSA cluster {args.cluster}",
                policy=shared_vpc.assume_document(args.shared_role_arns[kind]).to_json(),
                tags=tags.added_tags(rosa={rosa_tag: "true"}),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for slug in shared_vpc.assumers(kind):
                # By the role's name, from its ARN: the Installer may be the account stack's (the split layout).
                aws.iam.RolePolicyAttachment(
                    f"{name}-{kind}-{slug.replace('/', '-')}",
                    role=args.assuming_roles[slug].apply(naming.iam_resource_name),
                    policy_arn=policy.arn,
                    opts=pulumi.ResourceOptions(parent=self),
                )
            self.policy_arns[kind] = policy.arn
        self.register_outputs({"policy_arns": self.policy_arns})
