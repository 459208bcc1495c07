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

from foundation.catalogue import load_catalogue

SECRET = "aws:secretsmanager/secret:Secret"
# Inputs whose change makes the provider replace the resource (its "ForceNew" properties we set).
REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:s3/bucket:Bucket": ("bucket", "objectLockEnabled", "region"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion", "region"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url",),
    "aws:secretsmanager/secret:Secret": ("name", "region"),
    "tls:index/privateKey:PrivateKey": ("algorithm", "rsaBits"),
}


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
            problems.append(
                f"{what} would be deleted: nothing in the new graph has its URN {old['urn']}; if it was renamed, "
                "alias the old name (components.renames.renamed_from); if it must go, unprotect it on purpose"
            )
            continue
        for key in REPLACE_ON_CHANGE.get(old["type"], ()):
            before, after = old["inputs"].get(key), new["inputs"].get(key)
            if before != after:
                how = _private_key_secret_rename(old, key, after) or (
                    "keep the old value, or migrate the data and retire it on purpose"
                )
                problems.append(f"{what} would be replaced: {key} changes from {before!r} to {after!r}; {how}")
    return problems


def _private_key_secret_rename(old: dict[str, Any], key: str, after: Any) -> str | None:
    """How to migrate a self-hosted issuer's private-key secret to the name rosa's tools read (README, "Renaming the
    issuer's private-key secret"), when that is the change; None for any other."""
    prefix = load_catalogue().oidc.private_key_secret_prefix
    if old["type"] != SECRET or key != "name" or not str(after).startswith(prefix):
        return None
    registered = "an OIDC config registered with OCM before names the old secret's ARN"
    if old["options"]["retainOnDelete"]:
        fate = f"the old secret stays in AWS (retainOnDelete; {registered}: delete it once no cluster is created on it)"
    else:
        fate = (
            f"the old secret is scheduled for deletion with its recovery window ({registered}: register the issuer "
            "again, rosaRegisterOidcConfigCommand, before creating clusters on it)"
        )
    return (
        "that is rosa's name for it (rosa finds the issuer's bucket from it). The private key does not change: it "
        "lives in the signing key's (tls.PrivateKey) state and the new secret gets the same key. Migrate on purpose: "
        f"`pulumi state unprotect` the secret ({old['name']!r}; its URN from `pulumi stack --show-urns`), then "
        f"`pulumi up` creates the new secret and {fate}"
    )


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
