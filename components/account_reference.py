"""The account stack's roles as a cluster stack sees them, through a StackReference (the split layout).

Gives ClusterFoundation exactly what `AccountRoles` gives it in the single layout (`AccountRoleArns`), so a cluster
stack registers the same components with the same inputs; a role the account stack does not have fails the update
with a message naming both stacks.
"""

from __future__ import annotations

from typing import Any

import pulumi

from foundation import outputs
from foundation.catalogue import OperatorRoleSpec, Topology, load_catalogue


class AccountRolesReference:
    """The account roles of `account_stack` (`<stack>`, `<project>/<stack>` or `<org>/<project>/<stack>`) for the
    `topologies` this stack's clusters use, and the account-wide policies of `classic_operator_specs`."""

    role_arns: dict[Topology, dict[str, pulumi.Output[str]]]
    classic_operator_policy_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        account_stack: str,
        topologies: tuple[Topology, ...],
        classic_operator_specs: tuple[OperatorRoleSpec, ...],
        opts: pulumi.ResourceOptions | None = None,
    ):
        reference = pulumi.StackReference(name, stack_name=account_stack, opts=opts)
        role_arns = reference.get_output(outputs.ACCOUNT_ROLE_ARNS)
        self.role_arns = {
            topology: {
                spec.slug: role_arns.apply(
                    lambda arns, t=topology, s=spec.slug: _pick(arns, (t, s), account_stack, outputs.ACCOUNT_ROLE_ARNS)
                )
                for spec in load_catalogue().topology(topology).account_roles
            }
            for topology in topologies
        }
        policy_arns = reference.get_output(outputs.CLASSIC_OPERATOR_POLICY_ARNS)
        self.classic_operator_policy_arns = (
            {
                spec.slug: policy_arns.apply(
                    lambda arns, s=spec.slug: _pick(arns, (s,), account_stack, outputs.CLASSIC_OPERATOR_POLICY_ARNS)
                )
                for spec in classic_operator_specs
            }
            if "classic" in topologies
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
