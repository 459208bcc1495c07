"""Evaluate one AWS request against IAM documents as AWS would, for security tests that judge what a policy allows
rather than how its statements look.

The evaluator is Principal Mapper's local policy simulation (PyPI `principalmapper` 1.1.5, nccgroup/PMapper,
`principalmapper/querying/query_interface.py` `local_check_authorization_full`). Its rules, which these tests rely on:

- an explicit deny in any document wins; otherwise something must allow;
- conditions are matched against the request's context, and a key the request does not carry is absent: `StringLike`
  on it fails, `StringLikeIfExists` passes, `ArnNotEquals` passes; it adds the keys every request carries
  (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:SecureTransport` true, ...);
- in the resource's own account, an identity policy OR a resource policy naming the principal allows (S3);
- but for KMS (and IAM) the resource policy must allow: a key policy statement naming the principal allows by
  itself, one naming the account root delegates to IAM, so the identity policy must then allow, and a key policy
  naming neither denies whatever IAM says. That is AWS's rule: "Every KMS key must have exactly one key policy ...
  no principal has any permissions to a KMS key unless the key policy allows it" and the root statement "allows IAM
  policies ... to allow access" (AWS KMS Developer Guide, "Key policies in AWS KMS" and "Default key policy");
- across accounts both the resource policy and an identity policy must allow.

- a permissions boundary (`boundary`), when given, caps the identity policies: an explicit deny in it wins, and what
  it does not allow is denied, as AWS evaluates a role with a boundary.

One difference from AWS is corrected here: a resource policy statement naming `{"AWS": "*"}` grants every principal
by itself, as `"Principal": "*"` does (AWS treats the two alike), where PMapper would take it for the account root and
ask an identity policy too; `evaluate` hands PMapper the `"*"` form.

Known differences from AWS, which no test here depends on: resource ARNs match case-insensitively (S3 keys are
case-sensitive); `StringNotLike` on an absent key fails (AWS: passes); SCPs and session policies are not passed in.
"""

from __future__ import annotations

import collections
import collections.abc
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from foundation import naming
from foundation.iam import listed
from policies.rules.resource_types import IAM_POLICY, ROLE, ROLE_POLICY, ROLE_POLICY_ATTACHMENT
from render.runtime import Render

# principalmapper 1.1.5 (its last release) imports Mapping and MutableMapping from `collections`, which Python 3.10
# removed (they live in `collections.abc`). Lend them for the import only, so the installed package stays as
# published and nothing else sees the old names.
_REMOVED_IN_310 = ("Mapping", "MutableMapping")
for _name in _REMOVED_IN_310:
    setattr(collections, _name, getattr(collections.abc, _name))
try:
    from principalmapper.common import Node, Policy
    from principalmapper.querying import local_policy_simulation, query_interface
    from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict
finally:
    for _name in _REMOVED_IN_310:
        delattr(collections, _name)

Document = Mapping[str, Any]
_EMPTY: Document = {"Version": "2012-10-17", "Statement": []}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # PMapper's own account of the deciding step


def evaluate(
    identity_policies: Sequence[Document],
    resource_policy: Document | None,
    principal_arn: str,
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
    *,
    resource_account: str | None = None,
    boundary: Document | None = None,
) -> Decision:
    """Whether role `principal_arn`, holding `identity_policies`, may call `action` on `resource` whose resource policy
    (bucket or key policy) is `resource_policy`, in a request carrying exactly the condition keys `context`.
    `resource_account`: the resource's owner (an S3 ARN names none); default, the principal's own account.
    `boundary`: the role's permissions boundary, if it has one.

    No resource policy is passed to PMapper as one that allows nothing: given None, it would skip the resource-policy
    rules (a cross-account request allowed by the caller's policy alone; a KMS key without a key policy). IAM's own
    actions (`iam:*`) are the exception: IAM has no resource policies, so PMapper is given none."""
    node = Node(
        principal_arn,
        "AROAEVALUATEDROLE",
        [Policy(principal_arn, f"policy{i}", dict(doc)) for i, doc in enumerate(identity_policies)],
        None,
        dict(_EMPTY),  # a role's trust policy: PMapper wants one, no request here depends on it
        None,
        0,
        False,
        False,
        Policy(principal_arn, "boundary", dict(boundary)) if boundary is not None else None,
        False,
        {},
    )
    owner = resource_account or principal_arn.split(":")[4]
    _REASONS.lines.clear()
    # IAM's own actions have no resource policy (a role's trust policy governs only assuming it): identity policies
    # and the boundary decide, as PMapper does when given none.
    policy = None if action.startswith("iam:") else _everyone_as_star(resource_policy or _EMPTY)
    allowed = query_interface.local_check_authorization_full(node, action, resource, dict(context or {}), policy, owner)
    default = "an identity policy allows, nothing denies" if allowed else "nothing allows"
    return Decision(allowed, _REASONS.lines[-1] if _REASONS.lines else default)


def _everyone_as_star(policy: Document) -> dict[str, Any]:
    """`policy` with each `"Principal": {"AWS": "*"}` as `"Principal": "*"` (module docstring)."""
    statements = [
        {**statement, "Principal": "*"} if statement.get("Principal") == {"AWS": "*"} else dict(statement)
        for statement in listed(policy.get("Statement"))
    ]
    return {**policy, "Statement": statements}


class _Reasons(logging.Handler):
    """PMapper logs why it decided, at debug level: keep those lines (not its echo of the request)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith("Testing authorization"):
            self.lines.append(message)


_REASONS = _Reasons()
_LOG = logging.getLogger(query_interface.__name__)
_LOG.addHandler(_REASONS)
_LOG.setLevel(logging.DEBUG)
_LOG.propagate = False  # its echo of every request, whole policies included, stays out of test reports


def role_policies(render: Render, partition: str, account_id: str) -> dict[str, list[Document]]:
    """Every role the render creates, by ARN, with the identity documents the render holds for it: inline policies
    and attached customer-managed policies. AWS-managed policies (HCP's `ROSA*`) are not in a render and not here."""

    def arn(kind: str, inputs: Mapping[str, Any]) -> str:
        return naming.iam_arn(partition, account_id, kind, inputs.get("path", "/"), inputs["name"])

    managed = {arn("policy", p.inputs): json.loads(p.inputs["policy"]) for p in render.of_type(IAM_POLICY)}
    by_name = {r.inputs["name"]: arn("role", r.inputs) for r in render.of_type(ROLE)}
    documents: dict[str, list[Document]] = {role: [] for role in by_name.values()}
    for inline in render.of_type(ROLE_POLICY):
        documents[by_name[inline.inputs["role"]]].append(json.loads(inline.inputs["policy"]))
    for attachment in render.of_type(ROLE_POLICY_ATTACHMENT):
        if attachment.inputs["policyArn"] in managed:
            documents[by_name[attachment.inputs["role"]]].append(managed[attachment.inputs["policyArn"]])
    return documents


def assumable_with_web_identity(trust: Document, provider_arn: str, claims: Mapping[str, str]) -> bool:
    """Whether a token from the issuer of IAM OIDC provider `provider_arn`, carrying `claims` as STS names them
    (`<issuer host/path>:sub`, `:aud`), may assume a role with trust policy `trust` (sts:AssumeRoleWithWebIdentity):
    a statement naming that Federated principal and the action, whose conditions PMapper matches against the claims,
    allows; a matching Deny wins. PMapper models no Federated principal, so the principal is matched here and the
    action and conditions by its own matchers (`local_policy_simulation`)."""
    context = CaseInsensitiveDict(dict(claims))
    action = "sts:AssumeRoleWithWebIdentity"
    decided = []
    for statement in listed(trust.get("Statement")):
        federated = listed((statement.get("Principal") or {}).get("Federated"))
        if provider_arn not in federated or not local_policy_simulation._statement_matches_action(statement, action):
            continue
        if local_policy_simulation._get_condition_match(statement.get("Condition", {}), context):
            decided.append(statement.get("Effect"))
    return "Allow" in decided and "Deny" not in decided
