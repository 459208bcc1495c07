"""The policy each of ROSA's account and operator roles holds: AWS's managed policy on HCP, else the stack's own classic
policy (`StackNames.classic_account_policy`, `classic_operator_policy`). One answer for the component that attaches it,
the import ids that adopt the attachment rosa made (`foundation.adoption`) and the rules that count a role's policies.
"""

from __future__ import annotations

from foundation import naming
from foundation.catalogue import AccountRoleSpec, OperatorRoleSpec
from foundation.names import StackNames


def account_role_policy_arn(names: StackNames, spec: AccountRoleSpec) -> str:
    """The ARN of the policy an account role holds: AWS's managed one (HCP) or the stack's classic policy."""
    if spec.managed_policy:
        return naming.aws_managed_policy_arn(names.settings.partition, spec.managed_policy)
    return names.policy_arn(names.classic_account_policy(spec).name)


def operator_role_policy_arn(names: StackNames, spec: OperatorRoleSpec) -> str:
    """The ARN of the policy an operator role holds: AWS's managed one (HCP) or the account-wide classic one."""
    if spec.managed_policy:
        return naming.aws_managed_policy_arn(names.settings.partition, spec.managed_policy)
    return names.policy_arn(names.classic_operator_policy(spec).name)
