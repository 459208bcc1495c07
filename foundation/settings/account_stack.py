"""The rule between a cluster stack of the split layout and the account stack it names: what rosa needs of them
together. Checked (by `loading.check_account_stack`) against the account stack's file before anything registers."""

from __future__ import annotations

from collections.abc import Iterator

from foundation.catalogue import version_key
from foundation.project import config_key, shown
from foundation.settings.models import StackSettings


def account_stack_problems(settings: StackSettings, account: StackSettings) -> Iterator[str]:
    """Where a cluster stack of the split layout and its account stack disagree on what rosa needs of them together:
    one account and partition, the account roles of each topology, and operator roles on the Installer role's path
    (rosa create operator-roles puts them there, and `rosa create cluster` refuses operator roles elsewhere)."""
    here = f"{config_key('accountStack')} = {shown(settings.account_stack)}"
    if account.layout == "cluster":
        yield f"{here}: is itself a cluster stack; name the account stack (layout 'account') its clusters share"
        return
    for key, ours, theirs in (
        ("accountId", settings.account_id, account.account_id),
        ("partition", settings.partition, account.partition),
        ("iamPath", settings.iam_path, account.iam_path),
        ("accountRolePrefix", settings.account_role_prefix, account.account_role_prefix),
        ("ocmEnvironment", settings.ocm_environment, account.ocm_environment),
        # `rosa create cluster --external-id` must name the id the account roles' trust requires.
        ("trustExternalId", settings.trust_external_id, account.trust_external_id),
    ):
        if ours != theirs:
            yield (
                f"{config_key(key)} = {shown(ours)}: the account stack has {shown(theirs)}; a cluster's operator roles "
                "must be in the account, partition and IAM path of the account roles they work with"
            )
    for i, cluster in enumerate(settings.clusters):
        where = f"{config_key('clusters')}[{i}]"
        if cluster.topology not in account.topologies:
            yield (
                f"{where}.topology = {cluster.topology!r}: the account stack has no {cluster.topology} account roles "
                f"(its accountRoleTopologies: {list(account.topologies)})"
            )
        newer = (
            cluster.topology == "classic"
            and cluster.openshift_minor
            and account.classic_version
            and version_key(cluster.openshift_minor) > version_key(account.classic_version)
        )
        if newer:
            yield (
                f"{where}.openshiftVersion = {cluster.openshift_version!r}: newer than the account stack's classic "
                f"policies ({account.classic_version}); update the account stack's classicPolicyVersion first"
            )
