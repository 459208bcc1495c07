"""Renaming or moving a component without losing what it protects.

Children here are named after their component (`<component>-bucket`, ...), so renaming a component renames every
child: without aliases the engine would delete the old resources and create new ones, which for a protected bucket,
key or OIDC provider stops the update half-way. `renamed_from` aliases the component and every child named after it
to their old names, so the rename is a no-op in AWS. A component moved to another parent answers to its old parent
too; its children follow it (the engine crosses their names with every URN their parent answers to).
"""

from __future__ import annotations

import pulumi


def renamed_from(
    old_name: str, new_name: str, old_parent_urn: pulumi.Input[str] | None = None
) -> pulumi.ResourceOptions:
    """Options for a component now called `new_name` that was `old_name` (under `old_parent_urn`, where it moved):
    it and its children keep their URNs."""

    def alias_old_name(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.name == new_name:
            old = (
                pulumi.Alias(name=old_name) if old_parent_urn is None else pulumi.Alias(old_name, parent=old_parent_urn)
            )
        elif args.name.startswith(f"{new_name}-") and old_name != new_name:
            old = pulumi.Alias(name=old_name + args.name.removeprefix(new_name))
        else:
            return None
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(aliases=[old]))
        )

    # SDK-side transformations: applied to the component and inherited by every descendant it registers.
    return pulumi.ResourceOptions(transformations=[alias_old_name])
