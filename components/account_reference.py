"""The account stack's roles as a cluster stack sees them, through a StackReference (the split layout).

Gives ClusterFoundation exactly what `AccountRoles` gives it in the single layout (`AccountRoleArns`), so a cluster
stack registers the same components with the same inputs; a role the account stack does not have fails the update
with a message naming both stacks.
"""

from __future__ import annotations

from typing import Any

import pulumi

from foundation.catalogue import load_catalogue
from foundation.settings import StackSettings


class AccountRolesReference:
    role_arns: dict[str, dict[str, pulumi.Output[str]]]
    classic_operator_policy_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None):
        assert settings.account_stack
        account_stack = settings.account_stack
        reference = pulumi.StackReference(name, stack_name=account_stack, opts=opts)
        role_arns = reference.get_output("accountRoleArns")
        self.role_arns = {
            topology: {
                spec.slug: role_arns.apply(
                    lambda arns, t=topology, s=spec.slug: _pick(arns, (t, s), account_stack, "accountRoleArns")
                )
                for spec in load_catalogue().topology(topology).account_roles
            }
            for topology in settings.topologies
        }
        policy_arns = reference.get_output("classicOperatorPolicyArns")
        self.classic_operator_policy_arns = (
            {
                spec.slug: policy_arns.apply(
                    lambda arns, s=spec.slug: _pick(arns, (s,), account_stack, "classicOperatorPolicyArns")
                )
                for spec in load_catalogue().classic.operator_roles
            }
            if "classic" in settings.topologies
            else {}
        )


def _pick(outputs: Any, path: tuple[str, ...], account_stack: str, output: str) -> str:
    value = outputs
    for key in path:
        if not isinstance(value, dict) or key not in value:
            raise pulumi.RunError(
                f"account stack {account_stack!r} has no {output} {'/'.join(path)}: add the topology to its "
                "accountRoleTopologies and update it first"
            )
        value = value[key]
    return value
