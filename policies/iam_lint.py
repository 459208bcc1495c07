"""`python -m policies.iam_lint <stack>`: every IAM document of a render (build/<stack>/iam/) through parliament.

parliament knows AWS's actions, resource ARN formats and condition keys. Findings above LOW fail, and unknown actions
or service prefixes count as MEDIUM here (parliament rates them LOW): a misspelt action is a permission that silently
never works. Each identity policy is also judged for ADMIN_EQUIVALENT grants (`foundation.iam_actions`: permissions
management, credential exposure, sts:Assume* or iam:PassRole on every resource, wildcards expanded with parliament's
action database), HIGH; Red Hat's vendored classic and OCM role documents, which ROSA requires as they are, are
not.
Findings this project accepts are listed in `policies/iam-lint-accepted.yaml`, each with its reason, and printed as
accepted.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from foundation.catalogue import load_catalogue
from foundation.iam import listed
from foundation.iam_actions import admin_grants

with warnings.catch_warnings():  # parliament 1.6.4 still imports pkg_resources
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import parliament

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ACCEPTED_FILE = PROJECT_ROOT / "policies" / "iam-lint-accepted.yaml"
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
RAISED = {"UNKNOWN_ACTION": "MEDIUM", "UNKNOWN_PREFIX": "MEDIUM"}
ADMIN = "ADMIN_EQUIVALENT"
IDENTITY_SUFFIX = ".policy.json"  # render/artefacts.py's label for identity policies (managed and inline)


@dataclass(frozen=True)
class LintFinding:
    document: str
    issue: str
    severity: str
    detail: str
    accepted_because: str | None

    @property
    def fails(self) -> bool:
        return self.accepted_because is None and SEVERITIES.index(self.severity) > 0

    def __str__(self) -> str:
        text = f"[{self.severity}] {self.issue}: {self.document}: {self.detail}"
        return f"{text} -- accepted: {self.accepted_because}" if self.accepted_because else text


def load_accepted(path: Path = ACCEPTED_FILE) -> list[dict[str, str]]:
    entries = yaml.safe_load(path.read_text()) or []
    for entry in entries:
        if set(entry) - {"issue", "documents", "detail", "reason"} or len(entry.get("reason", "")) < 10:
            raise ValueError(f"{path}: {entry} needs issue, documents and a reason (optionally detail), nothing else")
    return entries


def lint_document(name: str, text: str, accepted: list[dict[str, str]]) -> list[LintFinding]:
    findings = []
    for finding in parliament.analyze_policy_string(text, ignore_private_auditors=True).findings:
        finding = parliament.enhance_finding(finding)
        detail = str(finding.detail)
        reason = next(
            (
                entry["reason"]
                for entry in accepted
                if entry["issue"] == finding.issue
                and fnmatch.fnmatchcase(name, entry["documents"])
                and entry.get("detail", "") in detail
            ),
            None,
        )
        severity = RAISED.get(finding.issue, finding.severity)
        findings.append(LintFinding(name, finding.issue, severity, detail[:300], reason))
    return findings + _admin_findings(name, text, accepted)


def _admin_findings(name: str, text: str, accepted: list[dict[str, str]]) -> list[LintFinding]:
    document = json.loads(text)
    if not name.endswith(IDENTITY_SUFFIX) or load_catalogue().is_red_hat_policy(document):
        return []
    findings = []
    for statement in listed(document.get("Statement")):
        if granted := admin_grants(statement):
            detail = f"{statement.get('Sid', 'a statement')} allows {', '.join(granted[:8])} on every resource"
            reason = next(
                (
                    e["reason"]
                    for e in accepted
                    if e["issue"] == ADMIN
                    and fnmatch.fnmatchcase(name, e["documents"])
                    and e.get("detail", "") in detail
                ),
                None,
            )
            findings.append(LintFinding(name, ADMIN, "HIGH", detail[:300], reason))
    return findings


def lint(iam_dir: Path, accepted: list[dict[str, str]]) -> list[LintFinding]:
    return [f for path in sorted(iam_dir.glob("*.json")) for f in lint_document(path.name, path.read_text(), accepted)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.iam_lint", description=__doc__)
    parser.add_argument("stacks", nargs="+", metavar="stack", help="one or more (`make check-all`: every stack)")
    parser.add_argument("--build", type=Path, default=PROJECT_ROOT / "build")
    args = parser.parse_args(argv)
    accepted = load_accepted()
    return max(_lint_stack(stack, args.build, accepted) for stack in args.stacks)


def _lint_stack(stack: str, build: Path, accepted_findings: list[dict[str, str]]) -> int:
    iam_dir = build / stack / "iam"
    if not iam_dir.is_dir():
        print(f"no render at {iam_dir}: run `make render STACK={stack}` first", file=sys.stderr)
        return 2
    findings = lint(iam_dir, accepted_findings)
    failing = [f for f in findings if f.fails]
    accepted = [f for f in findings if f.accepted_because]
    for finding in failing:
        print(finding)
    for (issue, reason), count in sorted(Counter((f.issue, f.accepted_because) for f in accepted).items()):
        print(f"accepted {count} x {issue}: {reason}")
    low = Counter(f.issue for f in findings if not f.fails and not f.accepted_because)
    documents = len(list(iam_dir.glob("*.json")))
    print(
        f"IAM lint of {stack!r}: {documents} documents, {len(failing)} failing, {len(accepted)} accepted, "
        f"LOW (reported, not failing): {dict(sorted(low.items())) or 'none'}"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
