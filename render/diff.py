"""`python -m render.diff <stack> --base <git ref>`: what a change does to a stack, as a reviewer needs to see it.

Renders the stack at BASE (in a temporary git worktree, with BASE's own code and settings) and in the working tree,
then reports per resource what was added, removed or changed. IAM documents are compared as permissions, not text:
(effect, action, resource, condition) tuples and trust principals added or removed, so a document whose keys were
only reordered shows no change. Protected resources the change would delete or replace are called out first, then
every principal of another AWS account that the change lets assume a role (Red Hat's OCM accounts named as such):
each trust principal names its account.
Writes Markdown (for a pull-request comment) and JSON to build/diff/<stack>.{md,json} and prints the Markdown.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from foundation.catalogue import load_catalogue
from foundation.iam import listed
from foundation.settings.loading import SettingsError
from foundation.stack_files import StackFileError
from render.artefacts import IAM_DOCUMENT_INPUTS
from render.protection import protection_problems
from render.runtime import PROJECT_ROOT, render_stack, stack_file

# Inputs a reviewer needs to see on an added or removed resource besides its IAM documents.
REVIEW_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:iam/role:Role": ("permissionsBoundary",),  # the ceiling of what it may be granted
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("fromPort", "cidrIpv4", "cidrIpv6"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("ipProtocol", "cidrIpv4", "cidrIpv6"),
    "aws:s3/bucket:Bucket": ("bucket", "region"),
}
Permission = tuple[str, str, str, str]  # effect, action, resource, condition (canonical JSON)
TrustPrincipal = tuple[str, str, str]  # effect, principal kind, principal


@dataclass
class DocumentChange:
    input: str
    permissions_added: list[Permission] = field(default_factory=list)
    permissions_removed: list[Permission] = field(default_factory=list)
    principals_added: list[TrustPrincipal] = field(default_factory=list)
    principals_removed: list[TrustPrincipal] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.permissions_added, self.permissions_removed, self.principals_added, self.principals_removed))


@dataclass
class ResourceChange:
    name: str
    type: str
    change: str  # added, removed, changed, renamed
    inputs: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # non-IAM input -> (before, after)
    options: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    documents: list[DocumentChange] = field(default_factory=list)
    renamed_from: str | None = None


@dataclass
class StackDiff:
    stack: str
    base: str
    resources: list[ResourceChange]
    protection: list[str]
    account: str | None = None  # the stack's own account (its AWS provider's allowedAccountIds), if the render says
    # Principals of other accounts the change lets assume a role: (role resource, principal, whose account).
    cross_account: list[tuple[str, str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {kind: sum(r.change == kind for r in self.resources) for kind in ("added", "removed", "changed")}
        documents = [d for r in self.resources for d in r.documents]
        counts["permissionsAdded"] = sum(len(d.permissions_added) for d in documents)
        counts["permissionsRemoved"] = sum(len(d.permissions_removed) for d in documents)
        counts["principalsAdded"] = sum(len(d.principals_added) for d in documents)
        counts["principalsRemoved"] = sum(len(d.principals_removed) for d in documents)
        counts["crossAccountPrincipalsAdded"] = len(self.cross_account)
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "base": self.base, "counts": self.counts(), "protection": self.protection,
                "account": self.account,
                "crossAccount": [{"resource": r, "principal": p, "account": a} for r, p, a in self.cross_account],
                "resources": [asdict(r) for r in self.resources]}  # fmt: skip


# --- comparing two renders --------------------------------------------------------------------------------------


def permissions(document: dict[str, Any]) -> set[Permission]:
    out = set()
    for statement in _statements(document):
        condition = json.dumps(statement.get("Condition", {}), sort_keys=True)
        actions = listed(statement.get("Action")) or [f"NOT {a}" for a in listed(statement.get("NotAction"))]
        resources = listed(statement.get("Resource")) or [f"NOT {r}" for r in listed(statement.get("NotResource"))]
        for action in actions:
            for resource in resources or ["(the role itself)"]:  # trust policies name no resource
                out.add((statement.get("Effect", ""), action, resource, condition))
    return out


def trust_principals(document: dict[str, Any]) -> set[TrustPrincipal]:
    out = set()
    for statement in _statements(document):
        principal = statement.get("Principal")
        if principal == "*":
            out.add((statement.get("Effect", ""), "AWS", "*"))
            continue
        for kind, values in (principal or {}).items():
            out |= {(statement.get("Effect", ""), kind, value) for value in listed(values)}
    return out


def diff_renders(before: list[dict[str, Any]], after: list[dict[str, Any]], stack: str, base: str) -> StackDiff:
    key = _key_function(before, after)
    old = {key(r): r for r in before}
    new = {key(r): r for r in after}
    aliases = {alias: r for r in after for alias in r["options"].get("aliases", [])}
    changes = []
    for k, resource in new.items():
        if k in old:
            change = _compare(old[k], resource)
            if change:
                changes.append(change)
        elif (previous := _renamed_from(resource, old, key)) is not None:
            change = _compare(previous, resource) or ResourceChange(resource["name"], resource["type"], "changed")
            change.change, change.renamed_from = "renamed", previous["name"]
            changes.append(change)
        else:
            changes.append(_whole(resource, "added"))
    for k, resource in old.items():
        if k not in new and resource.get("urn") not in aliases:
            changes.append(_whole(resource, "removed"))
    order = {"removed": 0, "added": 1, "renamed": 2, "changed": 3}
    changes.sort(key=lambda c: (order[c.change], c.type, c.name))
    account = stack_account(after) or stack_account(before)
    cross = [
        (change.name, principal, owner)
        for change in changes
        for document in change.documents
        if document.input == "assumeRolePolicy"
        for _effect, kind, principal in document.principals_added
        if kind == "AWS" and (owner := account_of(principal, account))
    ]
    return StackDiff(stack, base, changes, protection_problems(_with_urns(before), _with_urns(after)), account, cross)


def stack_account(resources: list[dict[str, Any]]) -> str | None:
    """The account a render's AWS provider is pinned to (`allowedAccountIds`), None if it names none."""
    for resource in resources:
        if resource["type"] == "pulumi:providers:aws":
            allowed = resource["inputs"].get("allowedAccountIds")
            accounts = json.loads(allowed) if isinstance(allowed, str) else allowed
            return accounts[0] if accounts else None
    return None


def account_of(principal: str, own_account: str | None) -> str | None:
    """Whose account an AWS trust principal is in, when it is not the stack's own: `Red Hat's OCM account <id>
    (<environment>)`, `another account <id>`, or `any account` for `*`; None for the stack's own account."""
    if principal == "*":
        return "any account"
    account = principal if principal.isdigit() else (principal.split(":")[4] if principal.count(":") >= 5 else "")
    if not account or account == own_account:
        return None
    for partition, spec in load_catalogue().partitions.items():
        for environment, ocm_account in spec.ocm_account_ids.items():
            if account == ocm_account:
                return f"Red Hat's OCM account {account} ({partition}, {environment})"
    return f"another account {account}"


def _key_function(before: list[dict[str, Any]], after: list[dict[str, Any]]):
    """By URN; by type and name when one side is a render from before URNs were recorded."""
    if all("urn" in r for r in (*before, *after)):
        return lambda r: r["urn"]
    return lambda r: f"{r['type']}::{r['name']}"


def _with_urns(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r if "urn" in r else {**r, "urn": f"{r['type']}::{r['name']}"} for r in resources]


def _renamed_from(resource: dict[str, Any], old: dict[str, dict[str, Any]], key) -> dict[str, Any] | None:
    for alias in resource["options"].get("aliases", []):
        match = next((r for r in old.values() if r.get("urn") == alias), None)
        if match is not None and key(match) not in {key(resource)}:
            return match
    return None


def _documents(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for key, _label in IAM_DOCUMENT_INPUTS.get(resource["type"], ()):
        text = resource["inputs"].get(key)
        if isinstance(text, str) and text:
            found[key] = json.loads(text)
    return found


def _whole(resource: dict[str, Any], change: str) -> ResourceChange:
    """An added or removed resource: every permission and principal it brings or takes away."""
    result = ResourceChange(resource["name"], resource["type"], change)
    for key in REVIEW_INPUTS.get(resource["type"], ()):
        if key in resource["inputs"]:
            value = resource["inputs"][key]
            result.inputs[key] = (None, value) if change == "added" else (value, None)
    for key, document in _documents(resource).items():
        perms, principals = sorted(permissions(document)), sorted(trust_principals(document))
        if change == "added":
            result.documents.append(DocumentChange(key, perms, [], principals, []))
        else:
            result.documents.append(DocumentChange(key, [], perms, [], principals))
    return result


def _compare(before: dict[str, Any], after: dict[str, Any]) -> ResourceChange | None:
    result = ResourceChange(after["name"], after["type"], "changed")
    old_docs, new_docs = _documents(before), _documents(after)
    for key in sorted(set(old_docs) | set(new_docs)):
        old_doc, new_doc = old_docs.get(key, {}), new_docs.get(key, {})
        change = DocumentChange(
            key,
            sorted(permissions(new_doc) - permissions(old_doc)),
            sorted(permissions(old_doc) - permissions(new_doc)),
            sorted(trust_principals(new_doc) - trust_principals(old_doc)),
            sorted(trust_principals(old_doc) - trust_principals(new_doc)),
        )
        if change:
            result.documents.append(change)
    for key in sorted((set(before["inputs"]) | set(after["inputs"])) - set(old_docs) - set(new_docs)):
        if before["inputs"].get(key) != after["inputs"].get(key):
            result.inputs[key] = (before["inputs"].get(key), after["inputs"].get(key))
    for key in ("protect", "retainOnDelete"):
        if before["options"].get(key) != after["options"].get(key):
            result.options[key] = (before["options"].get(key), after["options"].get(key))
    return result if (result.documents or result.inputs or result.options) else None


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return listed(document.get("Statement"))


# --- Markdown -----------------------------------------------------------------------------------------------------


def markdown(diff: StackDiff) -> str:
    counts = diff.counts()
    lines = [f"## Stack `{diff.stack}`: `{diff.base}` → working tree", ""]
    if not diff.resources:
        return "\n".join([*lines, "No change to any resource or IAM document.", ""])
    lines.append(
        f"**{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed** resources; "
        f"permissions **+{counts['permissionsAdded']} / -{counts['permissionsRemoved']}**, trust principals "
        f"**+{counts['principalsAdded']} / -{counts['principalsRemoved']}**."
    )
    lines.append("")
    if diff.protection:
        lines += ["> [!CAUTION]", "> This change would delete or replace protected resources:"]
        lines += [f"> - {problem}" for problem in diff.protection]
        lines.append("")
    others = [(r, p, a) for r, p, a in diff.cross_account if not a.startswith("Red Hat's")]
    if others:
        lines += ["> [!WARNING]", "> This change lets principals of other AWS accounts assume roles of this stack:"]
        lines += [f"> - `{resource}` trusts `{principal}`: {owner}" for resource, principal, owner in others]
        lines.append("")
    for change in diff.resources:
        title = f"`{change.name}` ({_short(change.type)})"
        if change.renamed_from:
            title += f", renamed from `{change.renamed_from}`"
        lines.append(f"### {change.change}: {title}")
        lines += list(_change_lines(change, diff.account))
        lines.append("")
    return "\n".join(lines)


def _change_lines(change: ResourceChange, account: str | None = None) -> Iterator[str]:
    for key, (old, new) in change.inputs.items():
        if change.change in ("added", "removed"):
            yield f"- `{key}`: {_value(new if change.change == 'added' else old)}"
        elif isinstance(old, dict) and isinstance(new, dict):  # tags and other maps: only the entries that changed
            for entry in sorted(set(old) | set(new)):
                if old.get(entry) != new.get(entry):
                    yield f"- `{key}.{entry}`: {_value(old.get(entry))} → {_value(new.get(entry))}"
        else:
            yield f"- `{key}`: {_value(old)} → {_value(new)}"
    for key, (old, new) in change.options.items():
        yield f"- option `{key}`: {old} → {new}"
    for document in change.documents:
        what = "trust" if document.input == "assumeRolePolicy" else "principal"
        for sign, principals in (("+", document.principals_added), ("-", document.principals_removed)):
            for effect, kind, principal in principals:
                owner = account_of(principal, account) if kind == "AWS" else None
                whose = f" ({'**' + owner + '**' if owner.startswith(('another', 'any')) else owner})" if owner else ""
                yield f"- {sign} {what} ({document.input}): {effect} {kind} `{principal}`{whose}"
        rows = [("+", p) for p in document.permissions_added] + [("-", p) for p in document.permissions_removed]
        if rows:
            yield ""
            yield f"| | effect | action | resource | condition ({document.input}) |"
            yield "|---|---|---|---|---|"
            for sign, (effect, action, resource, condition) in rows:
                shown = "" if condition == "{}" else f"`{condition}`"
                yield f"| {sign} | {effect} | `{action}` | `{resource}` | {shown} |"


def _short(type_token: str) -> str:
    return type_token.rsplit(":", 1)[-1]


def _value(value: Any) -> str:
    text = json.dumps(value, sort_keys=True) if not isinstance(value, str) else value
    return f"`{text if len(text) <= 80 else text[:77] + '...'}`"


# --- rendering BASE -----------------------------------------------------------------------------------------------


def render_at(ref: str, stack: str) -> list[dict[str, Any]]:
    """The stack rendered by the project as it was at `ref` (its code, its settings), or [] if it had no such stack."""
    with tempfile.TemporaryDirectory(prefix="rosa-foundation-base-") as scratch:
        tree, out = Path(scratch) / "tree", Path(scratch) / "out"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), ref], cwd=PROJECT_ROOT, check=True,
                       capture_output=True, text=True)  # fmt: skip
        try:
            if not stack_file(stack, tree / "stacks").is_file():
                return []
            subprocess.run([sys.executable, "-m", "render", stack, "--out", str(out)], cwd=tree, check=True,
                           capture_output=True, text=True)  # fmt: skip
            return json.loads((out / stack / "resources.json").read_text())
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=PROJECT_ROOT, check=False,
                           capture_output=True)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m render.diff", description=__doc__)
    parser.add_argument("stack")
    parser.add_argument("--base", required=True, help="git ref to compare with, e.g. origin/main")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "diff")
    args = parser.parse_args(argv)
    try:
        before = render_at(args.base, args.stack)
    except subprocess.CalledProcessError as failed:
        print(f"could not render {args.stack!r} at {args.base!r}:\n{failed.stderr}", file=sys.stderr)
        return 2
    try:
        after = (
            [r.to_json() for r in render_stack(args.stack).in_tree_order()] if stack_file(args.stack).is_file() else []
        )
    except (SettingsError, StackFileError) as invalid:
        print(f"stack {args.stack!r} in the working tree: {invalid}", file=sys.stderr)
        return 2
    diff = diff_renders(before, after, args.stack, args.base)
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(diff)
    (args.out / f"{args.stack}.md").write_text(text)
    (args.out / f"{args.stack}.json").write_text(json.dumps(diff.to_json(), indent=2) + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
