"""What a change would do to protected resources, judged from two renders (before and after) as the engine would.

A protected resource whose URN no resource of the new render answers to (its own or an alias) would be deleted; one
whose replace-on-change inputs differ would be replaced. `pulumi up` refuses both for protected resources, half-way
through an apply; this check says so before, offline. `python -m render.protection <before dir> <after dir>`: exit 0
when every protected resource is kept, 1 when one would be deleted or replaced, 2 when the renders cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
TLS_PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
# Inputs whose change makes the provider replace the resource (its "ForceNew" properties we set).
REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:s3/bucket:Bucket": ("bucket", "objectLockEnabled", "region"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion", "region"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url",),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "region"),
    "aws:route53/zone:Zone": ("name", "delegationSetId"),
}
# Replace-on-change inputs the provider computes when the program gives none: dropping one keeps the value.
KEPT_WHEN_DROPPED: dict[str, tuple[str, ...]] = {"aws:s3/bucket:Bucket": ("objectLockEnabled",)}
OUT_OF_STATE = 'README, "Moving an issuer\'s key out of Pulumi state"'


def protection_problems(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """One line per protected resource of `before` that `after` would delete or replace."""
    answering: dict[str, dict[str, Any]] = {}
    for resource in after:
        answering[resource["urn"]] = resource
        for alias in resource["options"]["aliases"]:
            answering.setdefault(alias, resource)
    problems = []
    for old in before:
        if not old["options"]["protect"]:
            continue
        new = answering.get(old["urn"])
        what = f"protected {old['type']} {old['name']!r}"
        if new is None:
            how = _issuer_key_left_state(old, before) or (
                f"nothing in the new graph has its URN {old['urn']}; if it was renamed, alias the old name "
                "(components.renames.renamed_from); if it must go, unprotect it on purpose"
            )
            problems.append(f"{what} would be deleted: {how}")
            continue
        for key in REPLACE_ON_CHANGE.get(old["type"], ()):
            was, becomes = old["inputs"].get(key), new["inputs"].get(key)
            if was != becomes and not (becomes is None and key in KEPT_WHEN_DROPPED.get(old["type"], ())):
                how = (
                    OBJECT_LOCK
                    if key == "objectLockEnabled"
                    else "keep the old value, or migrate the data and retire it on purpose"
                )
                problems.append(f"{what} would be replaced: {key} changes from {was!r} to {becomes!r}; {how}")
    return problems


KEEP_OR_MIGRATE = "keep the old value, or migrate the data and retire it on purpose"
OBJECT_LOCK = (
    "leave objectLockEnabled unset: a vault's object lock is turned on by its BucketObjectLockConfiguration, which S3 "
    "applies to an existing versioned bucket in place, and is never turned off (S3 cannot; objectLock: null only "
    "drops the default retention, an administrator's change)"
)


def _issuer_key_left_state(old: dict[str, Any], before: list[dict[str, Any]]) -> str | None:
    """How a self-hosted issuer's private key and its secret, which earlier versions of the stack held, leave the
    state without anything changing in AWS; None for any other resource."""
    if old["type"] == TLS_PRIVATE_KEY:
        return (
            "it is the issuer's private key, which the stack no longer keeps in its state. Its public half goes into "
            "the cluster's oidc.publicKey (python -m tools.issuer_key prints it from the issuer's secret and refuses "
            f"any key the issuer does not publish); then `pulumi state unprotect '{old['urn']}'` and `pulumi up` "
            "forget it, changing nothing in AWS (the backend's older checkpoints still hold it: purge them; "
            f"{OUT_OF_STATE})"
        )
    if old["type"] != SECRET:
        return None
    versions = [r["urn"] for r in before if r["type"] == SECRET_VERSION and old["urn"] in _depends_on(r)]
    forget = [*(f"`pulumi state delete '{urn}'`" for urn in versions), f"`pulumi state delete --force '{old['urn']}'`"]
    return (
        "it holds the issuer's private key, made outside the stack now, and OCM's registration names its ARN: keep "
        "it. Adopt it as your break-glass role with python -m tools.issuer_key (same key and ARN, now under a KMS key "
        "of its own and a policy only the Installer roles and break-glass read by), set oidc.publicKey and "
        f"oidc.privateKeySecretArn to what it prints, then forget it without deleting it: {' and '.join(forget)} "
        f"({OUT_OF_STATE})"
    )


def _depends_on(resource: dict[str, Any]) -> set[str]:
    return {urn for urns in resource.get("dependencies", {}).values() for urn in urns}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print("usage: python -m render.protection <before render dir> <after render dir>", file=sys.stderr)
        return 2
    renders = []
    for folder in args:
        path = Path(folder) / "resources.json"
        try:
            renders.append(json.loads(path.read_text()))
        except (OSError, ValueError) as unreadable:
            reason = getattr(unreadable, "strerror", None) or unreadable
            print(f"cannot read the render {path}: {reason}", file=sys.stderr)
            return 2
    before, after = renders
    problems = protection_problems(before, after)
    for problem in problems:
        print(f"- {problem}")
    print(
        f"{len(problems)} protected resources would be deleted or replaced" if problems else "protected resources: kept"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
