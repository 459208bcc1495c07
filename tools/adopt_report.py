"""`python -m tools.adopt_report <stack>` (`make adopt-report STACK=<stack>`): before adopting what rosa made, compare
what exists in the account with what the stack declares, read-only, with the account's own credentials.

For every resource the stack imports (`options.import` in the render, `build/<stack>/resources.json`; README,
"Adopting an account rosa already set up") it reads the resource from IAM and compares what Pulumi's import compares:
a role's trust, path, permissions boundary, session cap and tags (the provider's default tags included), a
policy's document and tags, an attachment's existence, an OIDC provider's URL, client ids, thumbprints and tags.
Pulumi refuses an import whose inputs differ from the resource ("inputs to import do not match the existing
resource"), so each difference is printed with the AWS CLI command that makes the resource what the stack declares;
the report itself changes nothing. A role whose trust or path differs is refused instead: it is not the role the
stack declares, and importing it would hand the stack a role trusted by someone else (or one it must replace). So is
a role, policy or provider that another stack rendered under `build/` for this account declares: that stack owns it.
Descriptions are not compared: rosa sets none, and the stack leaves a rosa-made role's or policy's description as it
finds it.

Then it lists the roles tagged `red-hat-managed=true` and the IAM OIDC providers that no stack of this project
declares (every render under `build/` of a stack in this account), what rosa left behind for clusters gone or never
in a stack.

Exit codes: 0 every resource to import exists and matches (the import changes nothing); 1 some resource to import is
missing or differs in what the printed commands align; 2 the report cannot be made (no render, credentials of
another account, an AWS error); 3 refused: a role's trust or path differs from what the stack declares, or another
stack of the account declares what it would import (never import it). Leftovers are listed whatever the exit code.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

import boto3
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from foundation import naming
from foundation.iam import canonical
from foundation.stack_files import PROJECT_ROOT
from foundation.tags import RED_HAT_MANAGED

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INLINE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
PROVIDER = "pulumi:providers:aws"

Verdict = Literal["ok", "differs", "missing", "refused"]
EXIT_CODES: dict[Verdict, int] = {"ok": 0, "differs": 1, "missing": 1, "refused": 3}


class ReportError(Exception):
    """The report cannot be made (exit 2)."""


@dataclass(frozen=True)
class Fix:
    """One call that makes an existing resource what the stack declares: the boto3 IAM operation and its parameters,
    and the same as an AWS CLI command to run (the report runs neither)."""

    operation: str
    params: Mapping[str, Any]
    cli: str


@dataclass
class Finding:
    """What the report found of one resource the stack imports."""

    type: str
    import_id: str
    logical_name: str
    verdict: Verdict = "ok"
    problems: list[str] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)

    def differs(self, problem: str, fix: Fix | None = None) -> None:
        self.problems.append(problem)
        self.fixes += [fix] if fix else []
        if self.verdict == "ok":
            self.verdict = "differs"

    def refuse(self, problem: str) -> None:
        self.problems.append(problem)
        self.verdict = "refused"


@dataclass(frozen=True)
class Report:
    stack: str
    account: str
    findings: list[Finding]
    leftovers: list[str]  # ARNs of red-hat-managed roles and OIDC providers no stack declares
    stacks_read: list[str]

    @property
    def exit_code(self) -> int:
        return max((EXIT_CODES[f.verdict] for f in self.findings), default=0)


# --- reading the render -------------------------------------------------------------------------------------------


def read_render(build: Path, stack: str) -> list[dict[str, Any]]:
    path = build / stack / "resources.json"
    if not path.is_file():
        raise ReportError(f"no render of stack {stack!r} at {path}: run `make render STACK={stack}` first")
    return json.loads(path.read_text())


def stack_account(resources: list[dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """The account the stack's AWS provider is pinned to, and the provider's default tags."""
    provider = next((r for r in resources if r["type"] == PROVIDER and r["name"] == "aws"), None)
    if provider is None:
        raise ReportError("the render has no AWS provider: render it with this project's `make render`")
    inputs = provider["inputs"]
    (account,) = json.loads(inputs["allowedAccountIds"])
    return account, json.loads(inputs.get("defaultTags") or "{}").get("tags") or {}


# --- comparing ------------------------------------------------------------------------------------------------------


def _one_line(document: Any) -> str:
    return json.dumps(canonical(document), sort_keys=True, separators=(",", ":"))


def _cli(operation: str, params: Mapping[str, Any], shown: Mapping[str, str] | None = None) -> str:
    """`aws iam <operation> --<param> <value> ...`, values quoted for a POSIX shell; `shown` overrides a value's text
    (a document as `file://...`)."""
    words = ["aws", "iam", operation.replace("_", "-")]
    for key, value in params.items():
        words.append("--" + xform_name(key).replace("_", "-"))  # boto3's parameter names, as the CLI spells them
        if value is True:
            continue  # a switch: --set-as-default
        if shown and key in shown:
            words.append(shown[key])
        elif key == "Tags":
            words += [shlex.quote(f"Key={t['Key']},Value={t['Value']}") for t in value]
        elif isinstance(value, list):
            words += [shlex.quote(str(v)) for v in value]
        else:
            words.append(shlex.quote(str(value)))
    return " ".join(words)


def _fix(operation: str, shown: Mapping[str, str] | None = None, **params: Any) -> Fix:
    return Fix(operation, params, _cli(operation, params, shown))


def _tag_fixes(
    finding: Finding, what: str, exists: Mapping[str, str], declared: Mapping[str, str], target: dict[str, str]
) -> None:
    """Differences between two tag sets, with the tag and untag calls that align them. `target`: the operation
    suffix and the parameter naming the resource, e.g. {"suffix": "role", "RoleName": "x"}."""
    suffix = target.pop("suffix")
    wrong = {k: v for k, v in declared.items() if exists.get(k) != v}
    extra = sorted(set(exists) - set(declared))
    if wrong:
        shown = ", ".join(f"{k}={v!r} ({_exists(exists, k)})" for k, v in sorted(wrong.items()))
        tags = [{"Key": k, "Value": v} for k, v in sorted(wrong.items())]
        finding.differs(f"{what} tags: declares {shown}", _fix(f"tag_{suffix}", **target, Tags=tags))
    if extra:
        shown = ", ".join(f"{k}={exists[k]!r}" for k in extra)
        finding.differs(
            f"{what} tags: {shown} exist and the stack does not declare them",
            _fix(f"untag_{suffix}", **target, TagKeys=extra),
        )


def _exists(tags: Mapping[str, str], key: str) -> str:
    return f"exists: {tags[key]!r}" if key in tags else "missing"


def _tags(tag_list: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_list or []}


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "NoSuchEntity"


class _Account:
    """The account, read through one IAM client."""

    def __init__(self, iam: Any, stack: str, resources: list[dict[str, Any]], build: Path):
        self.iam, self.stack, self.build = iam, stack, build
        self.default_tags = stack_account(resources)[1]
        # role name -> the policy ARNs the stack attaches to it
        self.attachments: dict[str, set[str]] = {}
        # role name -> the names of the inline policies the stack puts on it
        self.inline_policies: dict[str, set[str]] = {}
        for r in resources:
            if r["type"] == ATTACHMENT:
                self.attachments.setdefault(r["inputs"]["role"], set()).add(r["inputs"]["policyArn"])
            elif r["type"] == INLINE_POLICY:
                self.inline_policies.setdefault(r["inputs"]["role"], set()).add(r["inputs"].get("name"))

    def check(self, resource: dict[str, Any]) -> Finding:
        finding = Finding(resource["type"], resource["options"]["import"], resource["name"])
        check = {ROLE: self._role, POLICY: self._policy, ATTACHMENT: self._attachment, OIDC_PROVIDER: self._oidc}
        try:
            check[resource["type"]](finding, resource["inputs"])
        except ClientError as error:
            if not _missing(error):
                raise
            finding.verdict = "missing"
            finding.problems.append(
                "does not exist: the import would fail; make it with rosa first, or drop its kind from "
                "rosa-foundation:adopt so that the stack creates it"
            )
        return finding

    def _declared_tags(self, inputs: Mapping[str, Any]) -> dict[str, str]:
        return {**self.default_tags, **(inputs.get("tags") or {})}

    def _role(self, finding: Finding, inputs: dict[str, Any]) -> None:
        name = finding.import_id
        role = self.iam.get_role(RoleName=name)["Role"]
        if role["Path"] != inputs["path"]:
            finding.refuse(
                f"path {role['Path']!r}, the stack declares {inputs['path']!r}: IAM cannot move a role; set "
                "rosa-foundation:iamPath to the path rosa used, or leave this role out of the stack"
            )
        trust, declared_trust = role["AssumeRolePolicyDocument"], inputs["assumeRolePolicy"]
        if isinstance(trust, str):  # URL-encoded when a client does not decode it
            trust = json.loads(unquote(trust))
        if canonical(trust) != canonical(declared_trust):
            finding.refuse(
                f"trust differs: exists {_one_line(trust)}; the stack declares {_one_line(declared_trust)}. Never "
                "import a role others may assume: find out who changed it, and why, first"
            )
        boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        declared_boundary = inputs.get("permissionsBoundary")
        if boundary != declared_boundary:
            if declared_boundary:
                fix = _fix("put_role_permissions_boundary", RoleName=name, PermissionsBoundary=declared_boundary)
            else:
                fix = _fix("delete_role_permissions_boundary", RoleName=name)
            finding.differs(f"permissions boundary {boundary!r}, the stack declares {declared_boundary!r}", fix)
        if role["MaxSessionDuration"] != inputs["maxSessionDuration"]:
            finding.differs(
                f"session cap {role['MaxSessionDuration']} s, the stack declares {inputs['maxSessionDuration']} s",
                _fix("update_role", RoleName=name, MaxSessionDuration=inputs["maxSessionDuration"]),
            )
        _tag_fixes(
            finding, "role", _tags(role.get("Tags")), self._declared_tags(inputs), {"suffix": "role", "RoleName": name}
        )
        declared = self.attachments.get(name, set())
        attached = {
            p["PolicyArn"]
            for page in self.iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
            for p in page["AttachedPolicies"]
        }
        # What the stack does not declare would stay on the role unseen (Pulumi manages only the attachments it
        # declares): an adopted role must hold exactly what its reviewers see, so each is a difference to remove, or
        # to declare (`extraPolicyArns` on ROSA's roles).
        for arn in sorted(attached - declared):
            finding.differs(
                f"also attached: {arn}, which the stack does not declare; detach it, or declare it in "
                "rosa-foundation:extraPolicyArns",
                _fix("detach_role_policy", RoleName=name, PolicyArn=arn),
            )
        for page in self.iam.get_paginator("list_role_policies").paginate(RoleName=name):
            for policy in page["PolicyNames"]:
                if policy not in self.inline_policies.get(name, set()):
                    finding.differs(
                        f"inline policy {policy!r}, which the stack does not declare; remove it",
                        _fix("delete_role_policy", RoleName=name, PolicyName=policy),
                    )

    def _policy(self, finding: Finding, inputs: dict[str, Any]) -> None:
        arn = finding.import_id
        policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
        version = self.iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        if canonical(version["Document"]) != canonical(inputs["policy"]):
            document = self.build / self.stack / "iam" / f"{finding.logical_name}.policy.json"
            finding.differs(
                f"document (version {policy['DefaultVersionId']}) differs from the stack's",
                _fix(
                    "create_policy_version",
                    {"PolicyDocument": f"file://{document}"},
                    PolicyArn=arn,
                    PolicyDocument=inputs["policy"],
                    SetAsDefault=True,
                ),
            )
        tags = _tags(self.iam.list_policy_tags(PolicyArn=arn).get("Tags"))
        _tag_fixes(finding, "policy", tags, self._declared_tags(inputs), {"suffix": "policy", "PolicyArn": arn})

    def _attachment(self, finding: Finding, inputs: dict[str, Any]) -> None:
        role, arn = inputs["role"], inputs["policyArn"]
        attached = {
            p["PolicyArn"]
            for page in self.iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)
            for p in page["AttachedPolicies"]
        }
        if arn not in attached:
            finding.verdict = "missing"
            finding.problems.append(f"{arn} is not attached to {role}: the import would fail")
            finding.fixes.append(_fix("attach_role_policy", RoleName=role, PolicyArn=arn))

    def _oidc(self, finding: Finding, inputs: dict[str, Any]) -> None:
        arn = finding.import_id
        provider = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        declared_url = naming.issuer_host_path(inputs["url"])
        if provider["Url"].removeprefix("https://") != declared_url:
            finding.refuse(f"URL {provider['Url']!r}, the stack declares {declared_url!r}")
        clients, declared_clients = set(provider["ClientIDList"]), set(inputs["clientIdLists"])
        for client in sorted(declared_clients - clients):
            finding.differs(
                f"client id {client!r} is missing",
                _fix("add_client_id_to_open_id_connect_provider", OpenIDConnectProviderArn=arn, ClientID=client),
            )
        for client in sorted(clients - declared_clients):
            finding.differs(
                f"client id {client!r} exists and the stack does not declare it",
                _fix("remove_client_id_from_open_id_connect_provider", OpenIDConnectProviderArn=arn, ClientID=client),
            )
        declared_prints = inputs.get("thumbprintLists")
        if declared_prints and sorted(declared_prints) != sorted(t.lower() for t in provider["ThumbprintList"]):
            finding.differs(
                f"thumbprints {provider['ThumbprintList']}, the stack declares {declared_prints}",
                _fix(
                    "update_open_id_connect_provider_thumbprint",
                    OpenIDConnectProviderArn=arn,
                    ThumbprintList=declared_prints,
                ),
            )
        _tag_fixes(
            finding,
            "provider",
            _tags(provider.get("Tags")),
            self._declared_tags(inputs),
            {"suffix": "open_id_connect_provider", "OpenIDConnectProviderArn": arn},
        )


# --- leftovers ----------------------------------------------------------------------------------------------------


def _declared_in(build: Path, account: str) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """The stacks rendered under `build` that are pinned to `account`, and which of them declare each role, policy
    and OIDC provider, by `_owned_key`."""
    stacks, owners = [], {}
    for path in sorted(build.glob("*/resources.json")):
        resources = json.loads(path.read_text())
        try:
            if stack_account(resources)[0] != account:
                continue
        except (ReportError, ValueError, KeyError):
            continue
        stacks.append(path.parent.name)
        for resource in resources:
            if key := _owned_key(resource["type"], resource["inputs"]):
                owners.setdefault(key, []).append(path.parent.name)
    return stacks, owners


def _owned_key(type_: str, inputs: Mapping[str, Any]) -> tuple[str, str] | None:
    """What names a role, policy or OIDC provider in its account whatever the stack: a role's or policy's name (IAM
    takes one of each name, whatever its path), a provider's `<host>[/<path>]`; None for anything else."""
    if type_ in (ROLE, POLICY) and inputs.get("name"):
        return type_, inputs["name"]
    if type_ == OIDC_PROVIDER:
        return type_, naming.issuer_host_path(inputs["url"])
    return None


def _refuse_what_others_declare(
    findings: list[Finding], resources: list[dict[str, Any]], stack: str, owners: Mapping[tuple[str, str], list[str]]
) -> None:
    """Refuse importing what another stack of this account declares too: two stacks would manage one resource, and
    the next destroy or rename in either deletes it from under the other. Without adopt, the second stack's create
    stops at EntityAlreadyExists; with it, the import would succeed silently."""
    declared = {(r["type"], r["name"]): r["inputs"] for r in resources}
    for finding in findings:
        key = _owned_key(finding.type, declared[finding.type, finding.logical_name])
        others = sorted(set(owners.get(key, ())) - {stack}) if key else []
        if others:
            finding.refuse(
                f"stack {', '.join(repr(o) for o in others)} declares it too: two stacks would manage it, and either's "
                "destroy deletes it from under the other; leave it to that stack, or give this one other names"
            )


def leftovers(iam: Any, owners: Mapping[tuple[str, str], list[str]]) -> Iterator[str]:
    """The ARNs of roles tagged red-hat-managed=true and of OIDC providers that no stack declares."""
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if (ROLE, role["RoleName"]) in owners:
                continue
            tags = _tags(iam.list_role_tags(RoleName=role["RoleName"]).get("Tags"))
            if tags.get(RED_HAT_MANAGED) == "true":
                yield role["Arn"]
    for provider in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
        if (OIDC_PROVIDER, provider["Arn"].split(":oidc-provider/", 1)[-1]) not in owners:
            yield provider["Arn"]


# --- the report -----------------------------------------------------------------------------------------------------


def report(session: boto3.Session, stack: str, build: Path) -> Report:
    """Compare stack `stack`'s render under `build` with the account `session` reaches; raise ReportError where it
    cannot (no render, another account)."""
    resources = read_render(build, stack)
    account = stack_account(resources)[0]
    # The stack's region, so that IAM and STS are those of its partition (GovCloud's are not the commercial ones).
    region = next(r["inputs"]["region"] for r in resources if r["type"] == PROVIDER and r["name"] == "aws")
    caller = session.client("sts", region_name=region).get_caller_identity()["Account"]
    if caller != account:
        raise ReportError(f"the credentials are of account {caller}; stack {stack!r} is pinned to {account}")
    iam = session.client("iam", region_name=region)
    reader = _Account(iam, stack, resources, build)
    findings = [reader.check(r) for r in resources if r["options"].get("import")]
    stacks, owners = _declared_in(build, account)
    _refuse_what_others_declare(findings, resources, stack, owners)
    return Report(stack, account, findings, sorted(leftovers(iam, owners)), stacks)


def render_text(result: Report) -> str:
    lines = [f"adopt report: stack {result.stack!r}, account {result.account}"]
    if not result.findings:
        lines.append("  the stack imports nothing (rosa-foundation:adopt is not set)")
    for finding in result.findings:
        kind = finding.type.rsplit(":", 1)[-1]
        lines.append(f"  {finding.verdict.upper():8} {kind} {finding.import_id}")
        lines += [f"           {problem}" for problem in finding.problems]
        lines += [f"           fix: {fix.cli}" for fix in finding.fixes]
    counts = {v: sum(f.verdict == v for f in result.findings) for v in EXIT_CODES}
    lines.append("to import: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    lines.append(
        f"red-hat-managed roles and OIDC providers that no stack declares (renders read: "
        f"{', '.join(result.stacks_read) or 'none'}):"
    )
    lines += [f"  {arn}" for arn in result.leftovers] or ["  none"]
    verdicts = {
        0: "every resource to import matches: `pulumi preview` shows each as an import, with no change",
        1: "some resources to import are missing or differ: run the fixes above (or change the settings), then "
        "report again",
        3: "refused: a role's trust or path differs from what the stack declares, or another stack declares it; do "
        "not adopt it",
    }
    lines.append(f"exit {result.exit_code}: {verdicts[result.exit_code]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.adopt_report", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="the stack whose render (build/<stack>/) to compare with the account")
    parser.add_argument("--build", type=Path, default=PROJECT_ROOT / "build", help="renders (default: build/)")
    args = parser.parse_args(argv)
    try:
        result = report(boto3.Session(), args.stack, args.build)
    except (ReportError, ClientError, BotoCoreError) as failed:
        # The report reads the account: without credentials say whose it needs, not only botocore's words.
        hint = "; run it with read access to the stack's account (AWS_PROFILE or the AWS_* variables)"
        print(f"python -m tools.adopt_report: {failed}{hint if isinstance(failed, NoCredentialsError) else ''}",
              file=sys.stderr)  # fmt: skip
        print("exit 2: no report", file=sys.stderr)  # the last line names the code, as every report's does
        return 2
    print(render_text(result), end="")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
