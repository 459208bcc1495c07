"""Renaming a component without losing what it protects.

Children here are named after their component (`<component>-bucket`, ...), so renaming a component renames every
child: without aliases the engine would delete the old resources and create new ones, which for a protected bucket,
key or OIDC provider stops the update half-way. `renamed_from` aliases the component and every child named after it
to their old names, so the rename is a no-op in AWS.
"""

from __future__ import annotations

import pulumi


def renamed_from(old_name: str, new_name: str) -> pulumi.ResourceOptions:
    """Options for a component now called `new_name` that was `old_name`: it and its children keep their URNs."""

    def alias_old_name(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.name != new_name and not args.name.startswith(f"{new_name}-"):
            return None
        old = pulumi.Alias(name=old_name + args.name.removeprefix(new_name))
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(aliases=[old]))
        )

    # SDK-side transformations: applied to the component and inherited by every descendant it registers.
    return pulumi.ResourceOptions(transformations=[alias_old_name])
