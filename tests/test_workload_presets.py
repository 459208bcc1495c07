"""Workload role presets: each add-on's role, evaluated as AWS would (tests/iam_evaluation.py), reaches what the
add-on's own published policy is for, on the resources the settings name and no others, and never more than the
published document allows; it is trusted by the service account and token audience the add-on uses on ROSA."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from foundation.iam import listed
from foundation.workload_presets import (
    _EXAMPLE_PARAMETER,
    _EXAMPLE_SECRET,
    PresetScope,
    _conditions,
    load_presets,
    parameter_arn,
    preset_statements,
    published_statements,
)
from tests.conftest import ACCOUNT_ID, SUBNET_IDS, cluster, document, run
from tests.iam_evaluation import Document, assumable_with_web_identity, evaluate

REGION = "us-east-1"
ZONE, OTHER_ZONE = "Z0123456789ABCDEFGHIJ", "Z9999999999OTHERZONE0"
FILE_SYSTEM, OTHER_FILE_SYSTEM = "fs-0123456789abcdef0", "fs-0fedcba9876543210"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:team/app/*"
PRESETS = [
    {"preset": "aws-load-balancer-operator"},
    {"preset": "aws-load-balancer-controller"},
    {"preset": "external-dns", "serviceAccount": "external-dns-apps", "hostedZoneIds": [ZONE]},
    {"preset": "cert-manager", "hostedZoneIds": [ZONE]},
    {"preset": "efs-csi", "fileSystemIds": [FILE_SYSTEM]},
    {"preset": "external-secrets", "secretArns": [SECRET], "parameterPaths": ["/team/app/*"]},
]
CLUSTER_TAG = "aws:RequestTag/elbv2.k8s.aws/cluster"
OWNED_TAG = "aws:ResourceTag/elbv2.k8s.aws/cluster"


def arn(service: str, resource: str, region: str = REGION, account: str = ACCOUNT_ID) -> str:
    return f"arn:aws:{service}:{region}:{account}:{resource}"


# What each add-on does, from its project's published policy and code (data/SOURCES.md): (action, resource, request
# condition keys, allowed?). The denied rows are the same calls on what the settings do not name.
REQUESTS: dict[str, list[tuple[str, str, dict, bool]]] = {
    "aws-load-balancer-operator": [
        ("ec2:DescribeSubnets", "*", {}, True),
        ("ec2:DescribeVpcs", "*", {}, True),
        ("ec2:CreateTags", arn("ec2", f"subnet/{SUBNET_IDS[0]}"), {}, True),
        ("ec2:DeleteTags", arn("ec2", f"subnet/{SUBNET_IDS[1]}"), {}, True),
        ("ec2:CreateTags", arn("ec2", "subnet/subnet-0aaaaaaaaaaaaaaaa"), {}, False),  # another cluster's subnet
        ("ec2:CreateTags", arn("ec2", "instance/i-0123456789abcdef0"), {}, False),
    ],
    "aws-load-balancer-controller": [
        ("ec2:DescribeSubnets", "*", {}, True),
        ("elasticloadbalancing:CreateLoadBalancer", "*", {CLUSTER_TAG: "alpha"}, True),
        ("elasticloadbalancing:CreateLoadBalancer", "*", {}, False),  # untagged: not the controller's
        (
            "elasticloadbalancing:DeleteLoadBalancer",
            arn("elasticloadbalancing", "loadbalancer/app/a/1"),
            {OWNED_TAG: "alpha"},
            True,
        ),
        ("elasticloadbalancing:DeleteLoadBalancer", arn("elasticloadbalancing", "loadbalancer/app/a/1"), {}, False),
        ("elasticloadbalancing:RegisterTargets", arn("elasticloadbalancing", "targetgroup/t/1"), {}, True),
        (
            "elasticloadbalancing:RegisterTargets",
            arn("elasticloadbalancing", "targetgroup/t/1", "eu-west-1"),
            {},
            False,
        ),
        ("ec2:DeleteSecurityGroup", arn("ec2", "security-group/sg-0123456789abcdef0"), {OWNED_TAG: "alpha"}, True),
        ("ec2:DeleteSecurityGroup", arn("ec2", "security-group/sg-0123456789abcdef0"), {}, False),
        ("iam:CreateServiceLinkedRole", "*", {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}, True),
        ("iam:CreateServiceLinkedRole", "*", {"iam:AWSServiceName": "eks.amazonaws.com"}, False),
    ],
    "external-dns": [
        ("route53:ChangeResourceRecordSets", f"arn:aws:route53:::hostedzone/{ZONE}", {}, True),
        ("route53:ListResourceRecordSets", f"arn:aws:route53:::hostedzone/{ZONE}", {}, True),
        ("route53:ListTagsForResources", f"arn:aws:route53:::hostedzone/{ZONE}", {}, True),
        ("route53:ListHostedZones", "*", {}, True),
        ("route53:ChangeResourceRecordSets", f"arn:aws:route53:::hostedzone/{OTHER_ZONE}", {}, False),
        ("route53:DeleteHostedZone", f"arn:aws:route53:::hostedzone/{ZONE}", {}, False),
    ],
    "cert-manager": [
        ("route53:GetChange", "arn:aws:route53:::change/C0123456789", {}, True),
        ("route53:ListHostedZonesByName", "*", {}, True),
        (
            "route53:ChangeResourceRecordSets",
            f"arn:aws:route53:::hostedzone/{ZONE}",
            {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]},
            True,
        ),
        (
            "route53:ChangeResourceRecordSets",
            f"arn:aws:route53:::hostedzone/{ZONE}",
            {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT", "A"]},
            False,
        ),
        (
            "route53:ChangeResourceRecordSets",
            f"arn:aws:route53:::hostedzone/{OTHER_ZONE}",
            {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]},
            False,
        ),
    ],
    "efs-csi": [
        ("elasticfilesystem:DescribeFileSystems", "*", {}, True),
        ("elasticfilesystem:DescribeMountTargets", "*", {}, True),
        ("ec2:DescribeAvailabilityZones", "*", {}, True),
        (
            "elasticfilesystem:CreateAccessPoint",
            arn("elasticfilesystem", f"file-system/{FILE_SYSTEM}"),
            {"aws:RequestTag/efs.csi.aws.com/cluster": "true"},
            True,
        ),
        (
            "elasticfilesystem:CreateAccessPoint",
            arn("elasticfilesystem", f"file-system/{OTHER_FILE_SYSTEM}"),
            {"aws:RequestTag/efs.csi.aws.com/cluster": "true"},
            False,
        ),
        ("elasticfilesystem:CreateAccessPoint", arn("elasticfilesystem", f"file-system/{FILE_SYSTEM}"), {}, False),
        (
            "elasticfilesystem:DeleteAccessPoint",
            arn("elasticfilesystem", "access-point/fsap-0123456789abcdef0"),
            {"aws:ResourceTag/efs.csi.aws.com/cluster": "true"},
            True,
        ),
        (
            "elasticfilesystem:DeleteAccessPoint",
            arn("elasticfilesystem", "access-point/fsap-0123456789abcdef0"),
            {},
            False,
        ),
        ("elasticfilesystem:DeleteFileSystem", arn("elasticfilesystem", f"file-system/{FILE_SYSTEM}"), {}, False),
    ],
    "external-secrets": [
        ("secretsmanager:ListSecrets", "*", {}, True),
        ("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:team/app/db-AbC123"), {}, True),
        ("secretsmanager:DescribeSecret", arn("secretsmanager", "secret:team/app/db-AbC123"), {}, True),
        ("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:team/other/db-AbC123"), {}, False),
        ("secretsmanager:PutSecretValue", arn("secretsmanager", "secret:team/app/db-AbC123"), {}, False),
        ("ssm:GetParameter", arn("ssm", "parameter/team/app/db"), {}, True),
        ("ssm:GetParametersByPath", arn("ssm", "parameter/team/app/db"), {}, True),
        ("ssm:GetParameter", arn("ssm", "parameter/team/other/db"), {}, False),
        ("ssm:PutParameter", arn("ssm", "parameter/team/app/db"), {}, False),
    ],
}


@pytest.fixture(scope="module")
def presets():
    """One HCP cluster (subnets SUBNET_IDS) with every preset."""
    render = run(clusters=[cluster(workloadRoles=PRESETS)])
    return render


def role_of(render, preset: str) -> tuple[str, str]:
    """(logical name, ARN) of preset `preset`'s role in `render`."""
    spec = load_presets()[preset]
    entry = next(p for p in PRESETS if p["preset"] == preset)
    service_account = entry.get("serviceAccount", spec.service_account)
    logical = f"alpha-workload-roles-{spec.namespace}-{service_account}"
    return logical, render.outputs["clusters"]["alpha"]["workloadRoleArns"][f"{spec.namespace}/{service_account}"]


def published(preset: str) -> Document:
    """The preset's published documents as one, unscoped (their example resources as published)."""
    return {"Version": "2012-10-17", "Statement": list(published_statements(preset))}


def target(action: str, resource: str) -> str:
    """The request's resource: a call on no resource (a list or describe) as an ARN of its service that only a
    statement on `*` matches, since the evaluator takes ARNs."""
    return f"arn:aws:{action.split(':')[0]}:{REGION}:{ACCOUNT_ID}:(no resource)" if resource == "*" else resource


def test_every_preset_has_its_requests():
    assert set(REQUESTS) == set(load_presets())


@pytest.mark.parametrize("preset", sorted(REQUESTS))
def test_each_presets_role_reaches_what_its_add_on_needs_on_the_named_resources_only(presets, preset):
    logical, role = role_of(presets, preset)
    policy = document(presets, f"{logical}-inline", "policy")
    wrong = [
        (action, resource, allowed)
        for action, resource, context, allowed in REQUESTS[preset]
        if evaluate([policy], None, role, action, target(action, resource), context).allowed != allowed
    ]
    assert wrong == []


# external-secrets' requests are all on secrets and parameters, which its published documents name by example only:
# this comparison would skip every one of them. test_scoping_a_preset_only_narrows_its_published_statements checks that
# its examples become exactly the settings' secrets and parameter paths.
@pytest.mark.parametrize("preset", sorted(set(REQUESTS) - {"external-secrets"}))
def test_a_preset_never_allows_what_its_published_document_does_not(presets, preset):
    logical, role = role_of(presets, preset)
    policy = document(presets, f"{logical}-inline", "policy")
    upstream = published(preset)
    broader = [
        (action, resource)
        for action, resource, context, _ in REQUESTS[preset]
        if evaluate([policy], None, role, action, target(action, resource), context).allowed
        and not evaluate([upstream], None, role, action, target(action, resource), context).allowed
    ]
    assert broader == []


@pytest.mark.parametrize("preset", sorted(REQUESTS))
def test_a_presets_role_is_trusted_by_its_add_ons_service_account_and_token_audience_only(presets, preset):
    logical, _ = role_of(presets, preset)
    spec = load_presets()[preset]
    trust = document(presets, logical, "assumeRolePolicy")
    provider = presets.outputs["clusters"]["alpha"]["oidcProviderArn"]
    host = provider.split("oidc-provider/")[1]
    sub = json.loads(presets.named(logical).inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    subject = sub[f"{host}:sub"]
    assert subject.startswith(f"system:serviceaccount:{spec.namespace}:")

    def may(sub: str, aud: str) -> bool:
        return assumable_with_web_identity(trust, provider, {f"{host}:sub": sub, f"{host}:aud": aud})

    other_audience = "sts.amazonaws.com" if spec.audience == "openshift" else "openshift"
    assert may(subject, spec.audience)
    assert not may(subject, other_audience)
    assert not may(f"system:serviceaccount:{spec.namespace}:default", spec.audience)


def test_the_load_balancer_operator_tags_the_accounts_subnets_where_its_cluster_lists_none():
    render = run(clusters=[cluster("cls", "classic", workloadRoles=[{"preset": "aws-load-balancer-operator"}])])
    policy = document(render, "cls-workload-roles-aws-load-balancer-operator-aws-load-balancer-operator-controller"
                      "-manager-inline", "policy")  # fmt: skip
    tagging = [s for s in policy["Statement"] if "ec2:CreateTags" in s["Action"]]
    assert tagging[0]["Resource"] == arn("ec2", "subnet/*")


def test_an_audience_setting_overrides_the_presets():
    render = run(clusters=[cluster(workloadRoles=[{**PRESETS[3], "audience": "sts.amazonaws.com"}])])
    trust = document(render, "alpha-workload-roles-cert-manager-cert-manager", "assumeRolePolicy")
    (audience,) = [v for k, v in trust["Statement"][0]["Condition"]["StringEquals"].items() if k.endswith(":aud")]
    assert audience == "sts.amazonaws.com"


def test_external_secrets_reads_only_the_stores_it_is_given():
    render = run(clusters=[cluster(workloadRoles=[{"preset": "external-secrets", "parameterPaths": ["app/*"]}])])
    policy = document(render, "alpha-workload-roles-external-secrets-external-secrets-inline", "policy")
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {"ssm:GetParameter*"}
    assert policy["Statement"][0]["Resource"] == arn("ssm", "parameter/app/*")


# Scopes a stack may give a preset: other regions and accounts, one or several of each list, no subnets listed.
SCOPES = [
    PresetScope("aws", REGION, ACCOUNT_ID, tuple(SUBNET_IDS), (ZONE,), (FILE_SYSTEM,), (SECRET,), ("/team/app/*",)),
    PresetScope(
        "aws",
        "ap-southeast-2",
        "210987654321",
        (),
        (ZONE, OTHER_ZONE),
        (FILE_SYSTEM, OTHER_FILE_SYSTEM),
        ("arn:aws:secretsmanager:eu-west-1:210987654321:secret:db-AbC123", SECRET),
        ("app-*", "/a/b"),
    ),
]


def concrete(pattern: str) -> str:
    """One name matching IAM pattern `pattern` (every `*` and `?` filled in)."""
    return pattern.replace("*", "x1").replace("?", "a")


@pytest.mark.parametrize("scope", SCOPES, ids=["one-of-each", "several-elsewhere"])
@pytest.mark.parametrize("preset", sorted(load_presets()))
def test_scoping_a_preset_only_narrows_its_published_statements(preset, scope):
    """Every scoped statement keeps its published effect, actions and conditions, and each action on each resource it
    names (made concrete) is one its published statement allows too, evaluated; the documents' example secret and
    parameter alone become exactly what the settings list."""
    published = [
        (s, d.scope)
        for d in load_presets()[preset].documents
        if not (d.scope == "secrets" and not scope.secret_arns)
        and not (d.scope == "parameters" and not scope.parameter_paths)
        for s in listed(d.published().get("Statement"))
    ]
    scoped = [s.to_dict() for s in preset_statements(preset, scope)]
    assert len(scoped) == len(published)
    role = f"arn:aws:iam::{scope.account}:role/preset"
    wider = []
    for mine, (theirs, kind) in zip(scoped, published, strict=True):
        assert (mine["Effect"], sorted(listed(mine["Action"])), _conditions(mine)) == (
            theirs["Effect"],
            sorted(listed(theirs["Action"])),
            _conditions(theirs),
        )
        assert set(mine) <= {"Effect", "Action", "Resource", "Condition"}
        if kind == "secrets" and _EXAMPLE_SECRET.fullmatch(str(theirs["Resource"][0])):
            assert listed(mine["Resource"]) == list(scope.secret_arns)
            continue
        if kind == "parameters" and _EXAMPLE_PARAMETER.fullmatch(str(theirs["Resource"])):
            expected = [parameter_arn("aws", scope.region, scope.account, p) for p in scope.parameter_paths]
            assert listed(mine["Resource"]) == expected
            continue
        unconditioned = {"Version": "2012-10-17", "Statement": [{k: v for k, v in theirs.items() if k != "Condition"}]}
        wider += [
            (action, resource)
            for action in listed(mine["Action"])
            for resource in listed(mine["Resource"])
            if not evaluate(
                [unconditioned],
                None,
                role,
                concrete(action),
                target(action, concrete(resource) if resource != "*" else resource),
            ).allowed
        ]
    assert wider == []


@pytest.mark.parametrize("preset", sorted(load_presets()))
def test_a_preset_in_another_partition_is_the_same_statements_in_that_partition(preset):
    secret = f"arn:aws-us-gov:secretsmanager:us-gov-west-1:{ACCOUNT_ID}:secret:team/app/*"
    gov = replace(SCOPES[0], partition="aws-us-gov", region="us-gov-west-1", secret_arns=(secret,))
    aws = replace(gov, partition="aws", secret_arns=(secret.replace("arn:aws-us-gov:", "arn:aws:"),))
    in_aws = json.dumps([s.to_dict() for s in preset_statements(preset, aws)])
    in_gov = json.dumps([s.to_dict() for s in preset_statements(preset, gov)])
    assert "arn:aws:" not in in_gov
    assert in_gov.replace("arn:aws-us-gov:", "arn:aws:") == in_aws
