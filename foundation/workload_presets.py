"""Ready-made workload roles for the add-ons ROSA's documentation tells teams to give an IAM role by hand
(`workloadRoles[].preset`): the service account each add-on runs as on ROSA, the token audience it presents, and
the permission document its own project publishes, scoped to what the settings name.

The documents are vendored byte for byte under `data/policies/workload/` (sources, with commits, in
`data/SOURCES.md`); `data/workload_presets.json` says which service account and audience each add-on uses. Scoping
only ever narrows a published statement's resources, never adds an action or drops a condition:

- every `arn:aws:<service>:*:*:...` becomes the stack's partition, region and account (the add-on runs in the
  cluster, which lives there), and every other `arn:aws:` the stack's partition;
- `hosted-zones`: Route 53's `hostedzone/*` becomes the zones listed (`hostedZoneIds`);
- `subnets`: EC2's `subnet/*` becomes the cluster's subnets (`network.subnetIds`, the trusted clusters' for a role
  several clusters trust) where the settings list them;
- `file-systems`: the EFS driver's writes on `*` become the file systems listed (`fileSystemIds`) for creating
  access points, and the account's access points in the region for tagging and deleting them (an access point's ARN
  names no file system); its reads stay on `*`, as EFS's describe calls list;
- `secrets` / `parameters`: the example secret or parameter of the external-secrets documents becomes the secrets
  (`secretArns`) or parameter paths (`parameterPaths`) listed; each document is used only when its list is given.

Resources a service cannot scope (`ec2:Describe*`, `route53:ListHostedZones`, the load balancer controller's creates,
which it scopes by the `elbv2.k8s.aws/cluster` tag conditions instead) stay `*` as published.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from foundation import iam, naming
from foundation.catalogue import DATA_DIR
from foundation.iam import listed

PRESETS_FILE = DATA_DIR / "workload_presets.json"
WORKLOAD_POLICY_DIR = DATA_DIR / "policies" / "workload"
PresetName = Literal[
    "aws-load-balancer-operator",
    "aws-load-balancer-controller",
    "external-dns",
    "cert-manager",
    "efs-csi",
    "external-secrets",
]
TokenAudience = Literal["sts.amazonaws.com", "openshift"]
ScopeKind = Literal["account", "subnets", "hosted-zones", "file-systems", "secrets", "parameters"]
# The settings each scope reads, as the stack file spells them (the rules ask for them by these names).
SCOPE_SETTINGS: dict[ScopeKind, str | None] = {
    "account": None,
    "subnets": None,
    "hosted-zones": "hostedZoneIds",
    "file-systems": "fileSystemIds",
    "secrets": "secretArns",
    "parameters": "parameterPaths",
}
# The EFS CSI driver's writes published on `*`, by what each acts on (EFS's Service Authorization Reference:
# CreateAccessPoint on the file system, TagResource and DeleteAccessPoint on the access point it made).
_EFS_WRITES = {
    "elasticfilesystem:CreateAccessPoint": "file-system",
    "elasticfilesystem:TagResource": "access-point",
    "elasticfilesystem:DeleteAccessPoint": "access-point",
}
_REGIONAL = re.compile(r"arn:aws:([a-z0-9-]+):\*:\*:(.+)")
# The documents' example secret and parameter (the parameter's example account has 13 digits, as published).
_EXAMPLE_SECRET = re.compile(r"arn:aws:secretsmanager:[a-z0-9-]+:\d+:secret:.+")
_EXAMPLE_PARAMETER = re.compile(r"arn:aws:ssm:[a-z0-9-]+:\d+:parameter/.+")


@dataclass(frozen=True)
class PresetDocument:
    file: str  # under data/policies/workload/
    scope: ScopeKind

    def published(self) -> dict[str, Any]:
        """The document as its project publishes it."""
        return json.loads((WORKLOAD_POLICY_DIR / self.file).read_text())


@dataclass(frozen=True)
class Preset:
    """One add-on: where it runs on ROSA (namespace, service account or None where its operator names it after a
    resource the user makes), the audience of the token it presents, and its published documents."""

    name: str
    namespace: str
    service_account: str | None
    service_account_hint: str | None
    audience: TokenAudience
    documents: tuple[PresetDocument, ...]

    @property
    def scope_settings(self) -> tuple[str, ...]:
        """The settings this preset scopes by (`hostedZoneIds`, ...), as the stack file spells them."""
        return tuple(s for d in self.documents if (s := SCOPE_SETTINGS[d.scope]))


@dataclass(frozen=True)
class PresetScope:
    """What the settings name for one role: the stack's partition, region and account, and the lists it scopes by."""

    partition: str
    region: str
    account: str
    subnet_ids: tuple[str, ...] = ()
    hosted_zone_ids: tuple[str, ...] = ()
    file_system_ids: tuple[str, ...] = ()
    secret_arns: tuple[str, ...] = ()
    parameter_paths: tuple[str, ...] = ()


@cache
def load_presets() -> dict[str, Preset]:
    raw = json.loads(PRESETS_FILE.read_text())
    return {
        name: Preset(
            name=name,
            namespace=entry["namespace"],
            service_account=entry["service_account"],
            service_account_hint=entry.get("service_account_hint"),
            audience=entry["audience"],
            documents=tuple(PresetDocument(d["file"], d["scope"]) for d in entry["documents"]),
        )
        for name, entry in raw.items()
    }


def preset_statements(name: str, scope: PresetScope) -> tuple[iam.Statement, ...]:
    """The statements of preset `name`'s documents, scoped (module docstring); a `secrets` or `parameters` document
    only when the scope lists some."""
    statements: list[iam.Statement] = []
    for document in load_presets()[name].documents:
        if (document.scope == "secrets" and not scope.secret_arns) or (
            document.scope == "parameters" and not scope.parameter_paths
        ):
            continue
        for statement in listed(document.published().get("Statement")):
            statements.append(_statement(statement, document.scope, scope))
    return tuple(statements)


def published_statements(name: str) -> tuple[dict[str, Any], ...]:
    """Every statement preset `name`'s projects publish, unscoped (what a scoped statement must stay within)."""
    return tuple(s for d in load_presets()[name].documents for s in listed(d.published().get("Statement")))


def is_published_on_every_resource(statement: dict[str, Any]) -> bool:
    """Whether `statement` is one a preset's project publishes on `*` (effect, actions and conditions as published):
    what the add-on needs as it is, such as the load balancer controller's `cognito-idp:DescribeUserPoolClient`,
    which no resource narrows (the guardrail `no-admin-permissions` accepts these, as it does Red Hat's classic
    documents)."""
    if listed(statement.get("Resource")) != ["*"]:
        return False
    wanted = (statement.get("Effect"), sorted(listed(statement.get("Action"))), _conditions(statement))
    return any(
        wanted == (published.get("Effect"), sorted(listed(published.get("Action"))), _conditions(published))
        and listed(published.get("Resource")) == ["*"]
        for name in load_presets()
        for published in published_statements(name)
    )


def _conditions(statement: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    return {
        operator: {key: sorted(str(v) for v in listed(values)) for key, values in keys.items()}
        for operator, keys in statement.get("Condition", {}).items()
    }


def _statement(published: dict[str, Any], kind: ScopeKind, scope: PresetScope) -> iam.Statement:
    actions = tuple(str(a) for a in listed(published["Action"]))
    resources: list[str] = []
    for resource in listed(published["Resource"]):
        resources += _scoped(str(resource), actions, kind, scope)
    conditions = tuple(
        iam.Condition(operator, key, tuple(str(v) for v in listed(values)))
        for operator, keys in published.get("Condition", {}).items()
        for key, values in keys.items()
    )
    return iam.Statement(published["Effect"], actions, resources=tuple(dict.fromkeys(resources)), conditions=conditions)


def _scoped(resource: str, actions: tuple[str, ...], kind: ScopeKind, scope: PresetScope) -> list[str]:
    partition, region, account = scope.partition, scope.region, scope.account

    def regional(service: str, rest: str) -> str:
        return naming.arn(partition, service, rest, account=account, region=region)

    if kind == "hosted-zones" and resource == "arn:aws:route53:::hostedzone/*":
        return [naming.arn(partition, "route53", f"hostedzone/{zone}") for zone in scope.hosted_zone_ids]
    if kind == "subnets" and resource == "arn:aws:ec2:*:*:subnet/*" and scope.subnet_ids:
        return [regional("ec2", f"subnet/{subnet}") for subnet in scope.subnet_ids]
    if kind == "file-systems" and resource == "*" and actions and all(a in _EFS_WRITES for a in actions):
        targets = sorted({_EFS_WRITES[a] for a in actions})
        out = []
        for target in targets:
            if target == "file-system":
                out += [regional("elasticfilesystem", f"file-system/{fs}") for fs in scope.file_system_ids]
            else:
                out.append(regional("elasticfilesystem", "access-point/*"))
        return out
    if kind == "secrets" and _EXAMPLE_SECRET.fullmatch(resource):
        return list(scope.secret_arns)
    if kind == "parameters" and _EXAMPLE_PARAMETER.fullmatch(resource):
        return [parameter_arn(partition, region, account, path) for path in scope.parameter_paths]
    if match := _REGIONAL.fullmatch(resource):
        return [regional(match.group(1), match.group(2))]
    if resource.startswith("arn:aws:"):
        return [f"arn:{partition}:{resource.removeprefix('arn:aws:')}"]
    return [resource]


def parameter_arn(partition: str, region: str, account: str, path: str) -> str:
    """An SSM parameter (or `*` pattern) by its path: `/team/app/*` -> `arn:...:parameter/team/app/*` (SSM drops
    the leading `/` of a hierarchical name in its ARN)."""
    return naming.arn(partition, "ssm", f"parameter/{path.lstrip('/')}", account=account, region=region)
