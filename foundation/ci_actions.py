"""The IAM actions on roles the pipeline's policies and boundary are built from (`foundation.ci_permissions`,
`foundation.ci_logs`, `foundation.pipeline_boundary`)."""

from __future__ import annotations

ROLE_READ = ("iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:GetRolePolicy",
             "iam:ListRoleTags", "iam:ListInstanceProfilesForRole")  # fmt: skip
# The writes IAM can condition on the role's permissions boundary (`iam:PermissionsBoundary`): allowed on bounded
# roles only, so whatever they put there stays under the boundary.
BOUNDED_ROLE_WRITES = ("iam:CreateRole", "iam:PutRolePermissionsBoundary")
INLINE_POLICY_WRITES = ("iam:PutRolePolicy", "iam:DeleteRolePolicy")
ATTACH = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")
# The writes IAM cannot condition on the boundary: allowed on the stack's role names, every one of which carries it
# (the boundary refuses creating a role without it and removing it).
ROLE_WRITES = ("iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
               "iam:TagRole", "iam:UntagRole")  # fmt: skip
