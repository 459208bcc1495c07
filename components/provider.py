"""The AWS provider every resource of the stack uses: pinned to the stack's account and region."""

from __future__ import annotations

import pulumi_aws as aws

from foundation.settings import StackSettings


def account_provider(settings: StackSettings) -> aws.Provider:
    """Refuses to act on any account but the one in the stack's settings, and tags everything it creates with the
    user's tags.

    A prod stack previewed with dev credentials (or the reverse) fails before the first API call, instead of
    creating prod's roles in the wrong account. The user's tags go on every taggable resource as pulumi-aws's
    default tags; the tags the project adds itself are `foundation.tags.added_tags`.
    """
    return aws.Provider(
        "aws",
        region=settings.region,
        allowed_account_ids=[settings.account_id],
        default_tags={"tags": dict(settings.tags)} if settings.tags else None,
    )
