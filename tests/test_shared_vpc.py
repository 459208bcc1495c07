"""HCP shared VPC: the VPC owner's two roles may be assumed by exactly the cluster account's Installer, ingress and
control-plane operator roles that rosa and the hosted control plane use, and by nothing else; those roles may assume
them; the cluster's `rosa create cluster` carries rosa's shared-VPC flags with the owner's values; what the two
stacks disagree on is refused before anything is registered.

Who may assume a role is decided by evaluating the rendered trust and identity documents with tests/iam_evaluation.py
(cross-account: the trust and an identity policy must both allow). Examples: shared-vpc-owner (network account
777777777777, two served clusters) and shared-vpc-cluster (account 666666666666, cluster shared-hcp).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import pulumi
import pytest
from moto import mock_aws

from foundation import naming
from foundation.settings.loading import SettingsError, settings_from_config
from foundation.settings.shared_vpc_rules import account_boundary_problems
from policies.rules.resource_types import HOSTED_ZONE, ROLE, ROLE_POLICY_ATTACHMENT
from render.protection import protection_problems
from render.runtime import Render, render_stack, run_main, stack_config, stack_file
from tests.conftest import ACCOUNT_ID, cluster, config
from tests.iam_evaluation import Document, evaluate, role_policies
from tests.moto_account import MotoMocks
from tests.test_rosa_create_cluster import parse, violations

OWNER, CLUSTER = "shared-vpc-owner", "shared-vpc-cluster"
OWNER_REFERENCE = "acme-platform/rosa-foundation/shared-vpc-owner"
OWNER_ACCOUNT, CLUSTER_ACCOUNT = "777777777777", "666666666666"
EVERYTHING: Document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def owner() -> Render:
    return render_stack(OWNER)


@pytest.fixture(scope="module")
def cluster_stack() -> Render:
    return render_stack(CLUSTER)


def trusts(owner: Render) -> dict[str, Document]:
    """Each role of the owner stack, by ARN, with its trust policy."""
    return {
        naming.iam_arn("aws", OWNER_ACCOUNT, "role", r.inputs["path"], r.inputs["name"]): json.loads(
            r.inputs["assumeRolePolicy"]
        )
        for r in owner.of_type(ROLE)
    }


def assume(identity: list[Document], trust: Document, principal: str, role_arn: str) -> bool:
    return evaluate(identity, trust, principal, "sts:AssumeRole", role_arn, resource_account=OWNER_ACCOUNT).allowed


def shares(owner: Render) -> dict[str, dict[str, Any]]:
    return owner.outputs["sharedVpc"]["clusters"]


def look_alikes(role_arn: str) -> list[str]:
    """Roles that are not `role_arn` but read like it: a longer name, the name on another path, the same path and name
    in another account, and an administrator of the VPC owner's own account."""
    head, _, tail = role_arn.partition(":role/")
    path, _, name = tail.rpartition("/")
    return [
        f"{role_arn}-copy",
        f"{head}:role/{name}" if path else f"{head}:role/other/{name}",
        role_arn.replace(head.split(":")[4], "999999999999"),
        f"arn:aws:iam::{OWNER_ACCOUNT}:role/network/NetworkAdministrator",
    ]


def test_only_the_cluster_accounts_exact_roles_may_assume_the_shared_roles(owner):
    roles = trusts(owner)
    checked = 0
    for share in shares(owner).values():
        for kind, key in (("route53", "route53RoleArn"), ("vpc-endpoint", "vpcEndpointRoleArn")):
            target, trust = share[key], roles[share[key]]
            for principal in share["trustedRoleArns"][kind]:
                assert assume([EVERYTHING], trust, principal, target), (principal, target)
                for other in look_alikes(principal):
                    assert not assume([EVERYTHING], trust, other, target), (other, target)
                    checked += 1
            # IAM admits the account's root user only where a trust names the account; these name roles alone.
            principals = [p for s in trust["Statement"] for p in naming_list(s["Principal"]["AWS"])]
            assert all(":role/" in p for p in principals) and set(principals) == set(share["trustedRoleArns"][kind])
    assert checked == 4 * 2 * (3 + 2)  # 2 clusters, 5 trusted roles each, 4 look-alikes each


def naming_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_each_cluster_reaches_only_its_own_shared_roles_and_the_ingress_operator_only_route53(owner):
    roles, served = trusts(owner), shares(owner)
    ingress = next(a for a in served["shared-hcp"]["trustedRoleArns"]["route53"] if "ingress" in a)
    endpoint_role = served["shared-hcp"]["vpcEndpointRoleArn"]
    assert not assume([EVERYTHING], roles[endpoint_role], ingress, endpoint_role)
    for principal in served["shared-hcp"]["trustedRoleArns"]["route53"]:
        for key in ("route53RoleArn", "vpcEndpointRoleArn"):
            other = served["payments-hcp"][key]
            assert not assume([EVERYTHING], roles[other], principal, other), (principal, other)


def test_the_cluster_roles_may_assume_the_shared_roles_and_no_other_cluster_role_may(owner, cluster_stack):
    roles = trusts(owner)
    share = shares(owner)["shared-hcp"]
    identities = role_policies(cluster_stack, "aws", CLUSTER_ACCOUNT)
    for kind, key in (("route53", "route53RoleArn"), ("vpc-endpoint", "vpcEndpointRoleArn")):
        target, trusted = share[key], set(share["trustedRoleArns"][kind])
        assert trusted <= set(identities), "the owner trusts roles the cluster stack does not make"
        for role_arn, documents in identities.items():
            assert assume(documents, roles[target], role_arn, target) == (role_arn in trusted), (role_arn, target)
        # Their grants name exactly the shared roles: another role of the owner's trusting them is out of reach.
        other = f"arn:aws:iam::{OWNER_ACCOUNT}:role/network/shared-hcp-other-role"
        for role_arn in trusted:
            trusting = {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": role_arn}}]}  # fmt: skip
            assert not assume(identities[role_arn], trusting, role_arn, other)


def test_the_create_command_carries_the_owners_roles_zones_and_base_domain(owner, cluster_stack):
    share = shares(owner)["shared-hcp"]
    summary = cluster_stack.outputs["clusters"]["shared-hcp"]
    args = summary["rosaCreateClusterArgs"]
    assert violations(args) == []
    flags = parse(args)
    assert flags["route53-role-arn"] == share["route53RoleArn"]
    assert flags["vpc-endpoint-role-arn"] == share["vpcEndpointRoleArn"]
    assert flags["ingress-private-hosted-zone-id"] == share["ingressPrivateHostedZoneId"]
    assert flags["hcp-internal-communication-hosted-zone-id"] == share["hcpInternalCommunicationHostedZoneId"]
    assert flags["base-domain"] == share["baseDomain"]
    assert flags["additional-allowed-principals"] == f"{share['route53RoleArn']},{share['vpcEndpointRoleArn']}"
    assert set(flags["subnet-ids"].split(",")) <= set(share["subnetIds"])
    assert summary["rosaCreateClusterReady"] is True


@pytest.mark.parametrize("flag", ["route53-role-arn", "ingress-private-hosted-zone-id", "base-domain"])
def test_rosa_refuses_a_shared_vpc_command_missing_one_of_its_flags(cluster_stack, flag):
    args = cluster_stack.outputs["clusters"]["shared-hcp"]["rosaCreateClusterArgs"]
    at = args.index(f"--{flag}")
    assert violations([*args[:at], *args[at + 2 :]]) != []


def test_the_owners_zones_are_the_ones_rosa_names_private_to_the_vpc_and_protected(owner):
    settings = stack_config(stack_file(OWNER))
    vpc = json.loads(settings["rosa-foundation:sharedVpc"])["vpcId"]
    zones = {z.inputs["name"]: z for z in owner.of_type(HOSTED_ZONE)}
    assert set(zones) == {
        "rosa.shared-hcp.a1b2.p3.openshiftapps.com",
        "shared-hcp.hypershift.local",
        "rosa.payments-hcp.c3d4.p3.openshiftapps.com",
        "payments-hcp.hypershift.local",
    }
    for zone in zones.values():
        assert zone.inputs["vpcs"] == [{"vpcId": vpc, "vpcRegion": "eu-west-1"}]
        assert zone.options["protect"] and zone.options["retainOnDelete"] and not zone.inputs["forceDestroy"]


def test_a_settings_change_that_would_replace_or_drop_a_clusters_zone_is_caught_before_an_apply(owner):
    raw = stack_config(stack_file(OWNER))
    shared = json.loads(raw["rosa-foundation:sharedVpc"])
    moved = copy.deepcopy(shared)
    moved["clusters"][1]["baseDomain"] = "c3d5.p3.openshiftapps.com"
    dropped = copy.deepcopy(shared)
    del dropped["clusters"][1]
    before = [r.to_json() for r in owner.resources]
    # A new base domain renames the ingress zone only; a cluster no longer served loses both of its zones.
    for changed, how, zones in ((moved, "would be replaced: name changes", 1), (dropped, "would be deleted", 2)):
        after = run_main(raw | {"rosa-foundation:sharedVpc": json.dumps(changed)}, stack=OWNER)
        problems = protection_problems(before, [r.to_json() for r in after.resources])
        assert len(problems) == zones, problems
        assert all("aws:route53/zone:Zone 'payments-hcp-" in p and how in p for p in problems), problems


def shared_roles(render: Render) -> list:
    """The owner's Route53 and VPC-endpoint roles (not its pipeline's)."""
    return [r for r in render.of_type(ROLE) if r.inputs["name"].endswith(("-shared-route53-role", "-shared-vpce-role"))]


def test_the_shared_roles_carry_the_boundary_a_one_hour_session_and_aws_managed_policies(owner):
    boundary = stack_config(stack_file(OWNER))["rosa-foundation:permissionsBoundary"]
    roles = shared_roles(owner)
    assert len(roles) == 4
    for role in roles:
        assert role.inputs["permissionsBoundary"] == boundary
        assert role.inputs["maxSessionDuration"] == 3600
        assert role.inputs["path"] == "/network/"
    names = {r.inputs["name"] for r in roles}
    attached = sorted(a.inputs["policyArn"] for a in owner.of_type(ROLE_POLICY_ATTACHMENT) if a.inputs["role"] in names)
    assert attached == sorted(
        [f"arn:aws:iam::aws:policy/{name}" for name in ("ROSASharedVPCRoute53Policy", "ROSASharedVPCEndpointPolicy")]
        * 2
    )


def test_the_subnets_are_shared_with_the_cluster_account_only(owner):
    associations = owner.of_type("aws:ram/principalAssociation:PrincipalAssociation")
    assert sorted(a.inputs["principal"] for a in associations) == ["666666666666", "888888888888"]
    shared = sorted(a.inputs["resourceArn"] for a in owner.of_type("aws:ram/resourceAssociation:ResourceAssociation"))
    assert shared == [
        f"arn:aws:ec2:eu-west-1:{OWNER_ACCOUNT}:subnet/subnet-07e7a7b7c7d7e7{s}01" for s in ("a", "b", "c")
    ]
    assert all(not s.inputs["allowExternalPrincipals"] for s in owner.of_type("aws:ram/resourceShare:ResourceShare"))


# --- the order of applies: the cluster's roles first, then the owner, then the cluster's command ---------------------


def cluster_run(owner_outputs: dict[str, Any]) -> Render:
    return run_main(stack_config(stack_file(CLUSTER)), stack=CLUSTER, stack_outputs={OWNER_REFERENCE: owner_outputs})


def test_before_the_owner_is_applied_the_roles_get_their_grants_and_the_command_waits_for_its_zones(cluster_stack):
    early = cluster_run({})
    summary = early.outputs["clusters"]["shared-hcp"]
    assert summary["rosaCreateClusterReady"] is False
    assert summary["rosaNextSteps"][0] == f"pulumi up --stack {OWNER_REFERENCE}"
    assert "INGRESS_ZONE_ID_SHARED_HCP:?" in summary["rosaCreateClusterCommand"]
    assert summary["sharedVpc"]["ingressPrivateHostedZoneId"] is None
    policies = lambda render: sorted(p.inputs["policy"] for p in render.of_type("aws:iam/policy:Policy"))  # noqa: E731
    assert policies(early) == policies(cluster_stack)


def test_owner_outputs_that_disagree_with_the_owners_stack_file_fail_the_update(owner):
    changed = json.loads(json.dumps(owner.outputs))
    changed["sharedVpc"]["clusters"]["shared-hcp"]["trustedRoleArns"]["route53"].pop()
    with pytest.raises(pulumi.RunError, match="disagrees with this stack on cluster 'shared-hcp'"):
        cluster_run(changed)


# --- settings rosa would refuse ---------------------------------------------------------------------------------------

SHARED = {"subnetIds": ["subnet-0123456789abcdef0"], "private": True, "sharedVpc": {"ownerStack": "owner"}}
SERVED = {"name": "alpha", "accountId": "210987654321", "baseDomain": "a1b2.p3.openshiftapps.com",
          "subnetIds": ["subnet-0123456789abcdef0"]}  # fmt: skip


def owner_config(**changes: Any) -> dict[str, str]:
    shared_vpc = {"vpcId": "vpc-0123456789abcdef0", "clusters": [SERVED]} | changes.pop("sharedVpc", {})
    return config(**({"clusters": None, "layout": "vpc-owner", "sharedVpc": shared_vpc} | changes))


def problems(raw: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(raw)
    return str(failure.value)


def test_adopting_in_an_owner_stack_is_one_problem_saying_why():
    message = problems(owner_config(adopt=["operator-roles"]))
    assert "(1 problem)" in message and "an owner stack declares none of it" in message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (config(clusters=[cluster("c", "classic", network=SHARED)]), "are for hosted control planes only"),
        (config(clusters=[cluster("alpha-cluster-long", network=SHARED)]), "at most 15 characters"),
        (config(clusters=[cluster(network={**SHARED, "vpcId": "vpc-0123456789abcdef0"})]), "network.vpcId: the VPC"),
        (config(region="us-gov-west-1", partition="aws-us-gov", clusters=[cluster(network=SHARED)]), "only in aws"),
        (config(sharedVpc={"vpcId": "vpc-0123456789abcdef0", "clusters": [SERVED]}), "only read by"),
        (config(clusters=None, layout="vpc-owner"), "rosa-foundation:sharedVpc is missing"),
        (owner_config(sharedVpc={"clusters": [SERVED | {"accountId": "123456789012"}]}), "this owner stack's own"),
        (owner_config(sharedVpc={"clusters": [SERVED | {"baseDomain": "apps.example.com"}]}), "only under"),
        (owner_config(sharedVpc={"clusters": [SERVED, SERVED | {"name": "beta"}]}), "already used by clusters[0]"),
        (owner_config(sharedVpc={"clusters": [SERVED | {"baseDomain": "A1B2.p3.openshiftapps.com"}]}), "lower-case"),
        (owner_config(sharedVpc={"clusters": []}), "sharedVpc.clusters = []: must list at least 1"),
        (owner_config(sharedVpc={"vpcID": "vpc-0"}), "sharedVpc.vpcID: unknown key"),
        (owner_config(accountRoleTopologies=["hcp"]), "an owner stack makes no account roles"),
        (owner_config(clusters=[cluster()]), "an owner stack holds no clusters"),
    ],
    ids=[
        "classic-cluster", "long-name", "vpc-of-the-owner", "govcloud", "owner-block-elsewhere", "owner-block-missing",
        "own-account", "base-domain-outside-policy", "base-domain-twice", "base-domain-case", "no-clusters",
        "unknown-key", "owner-account-roles", "owner-clusters",
    ],
)  # fmt: skip
def test_shared_vpc_settings_rosa_or_aws_would_refuse_are_refused_with_key_and_value(raw, expected):
    assert expected in problems(raw)


# --- applied into moto (../shared/reference/moto.md: it stores what it is given; RAM's associations it cannot hold) --


def moto_apply(stack: str, edit=None, **outputs: Any) -> Render:
    """`stack` applied into moto (as the account MOTO_ACCOUNT_ID names), its config changed by `edit(config, ec2)`
    first; `outputs` answer its StackReferences."""
    raw = stack_config(stack_file(stack))
    ec2 = boto3.client("ec2", region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")
    if edit:
        edit(raw, ec2)
    return run_main(raw, stack=stack, mocks_for=MotoMocks, stack_outputs=outputs)


def client(service: str):
    return boto3.client(service, region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t")


def test_the_owner_stack_applies_its_roles_zones_and_share_and_reads_back_as_declared():
    def in_a_moto_vpc(raw: dict[str, str], ec2) -> None:
        shared = json.loads(raw["rosa-foundation:sharedVpc"])
        shared["vpcId"] = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        raw["rosa-foundation:sharedVpc"] = json.dumps(shared)

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AWS's ROSASharedVPC* policies exist
        patch.setenv("MOTO_ACCOUNT_ID", OWNER_ACCOUNT)
        render = moto_apply(OWNER, in_a_moto_vpc)
        iam, route53, ram = client("iam"), client("route53"), client("ram")
        for role in shared_roles(render):
            stored = iam.get_role(RoleName=role.inputs["name"])["Role"]
            assert stored["AssumeRolePolicyDocument"] == json.loads(role.inputs["assumeRolePolicy"])
            assert stored["PermissionsBoundary"]["PermissionsBoundaryArn"] == role.inputs["permissionsBoundary"]
            assert (stored["Path"], stored["MaxSessionDuration"]) == ("/network/", 3600)
            attached = iam.list_attached_role_policies(RoleName=role.inputs["name"])["AttachedPolicies"]
            assert [p["PolicyName"] for p in attached] == [
                "ROSASharedVPCRoute53Policy"
                if role.inputs["name"].endswith("route53-role")
                else "ROSASharedVPCEndpointPolicy"
            ]
        zones = {z["Name"].rstrip("."): z for z in route53.list_hosted_zones()["HostedZones"]}
        for zone in render.of_type(HOSTED_ZONE):
            stored = route53.get_hosted_zone(Id=zones[zone.inputs["name"]]["Id"])
            assert stored["HostedZone"]["Config"]["PrivateZone"] is True
            assert stored["VPCs"] == [{"VPCRegion": "eu-west-1", "VPCId": zone.inputs["vpcs"][0]["vpcId"]}]
        names = {s["name"]: s for s in ram.get_resource_shares(resourceOwner="SELF")["resourceShares"]}
        assert set(names) == {"shared-hcp-shared-vpc-resource-share", "payments-hcp-shared-vpc-resource-share"}
        assert not any(share["allowExternalPrincipals"] for share in names.values())
        shared = render.outputs["sharedVpc"]["clusters"]["shared-hcp"]
        assert shared["resourceShareArn"] == names["shared-hcp-shared-vpc-resource-share"]["resourceShareArn"]


def test_the_cluster_stack_applies_the_assume_policies_on_exactly_the_roles_rosa_names(owner):
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        patch.setenv("MOTO_ACCOUNT_ID", CLUSTER_ACCOUNT)
        render = moto_apply(CLUSTER, **{OWNER_REFERENCE: owner.outputs})
        iam, share = client("iam"), shares(owner)["shared-hcp"]
        stored = {p["PolicyName"]: p for p in iam.list_policies(Scope="Local")["Policies"]}
        for kind, key in (("route53", "route53RoleArn"), ("vpc-endpoint", "vpcEndpointRoleArn")):
            name = f"shared-hcp-{'shared-route53-role' if kind == 'route53' else 'shared-vpce-role'}-assume-role"
            policy = stored[name]
            document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
            assert document["PolicyVersion"]["Document"]["Statement"] == [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": share[key]}
            ]
            entities = iam.list_entities_for_policy(PolicyArn=policy["Arn"])["PolicyRoles"]
            expected = {arn.rsplit("/", 1)[-1] for arn in share["trustedRoleArns"][kind]}
            assert {r["RoleName"] for r in entities} == expected
            tags = {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"]}
            assert {"red-hat-managed": "true", "hcp-shared-vpc": "true"}.items() <= tags.items()
        assert render.outputs["clusters"]["shared-hcp"]["rosaCreateClusterReady"] is True


# --- the pipelines: the owner's shares only with the clusters' accounts; the cluster's roles under its boundary ------


def deploy_role(render: Render) -> tuple[str, list[Document], Document]:
    """The pipeline's deploy role of a render: its ARN, identity documents and permissions boundary."""
    arn = render.outputs["ciIdentity"]["deployRoleArn"]
    account = arn.split(":")[4]
    boundary = next(
        json.loads(p.inputs["policy"])
        for p in render.of_type("aws:iam/policy:Policy")
        if "Boundary" in p.inputs["name"]
    )
    return arn, role_policies(render, "aws", account)[arn], boundary


SHARE_NAME = "shared-hcp-shared-vpc-resource-share"
SUBNET = f"arn:aws:ec2:eu-west-1:{OWNER_ACCOUNT}:subnet/subnet-07e7a7b7c7d7e7a01"
ZONE, SHARE = "arn:aws:route53:::hostedzone/Z0123", f"arn:aws:ram:eu-west-1:{OWNER_ACCOUNT}:resource-share/0a1b2c3d"
NAMED = {"ram:ResourceShareName": SHARE_NAME}
# The VPC a Route 53 request names, as its route53:VPCs key holds it (the owner example's VPC, and another of its own).
THE_VPC = {"route53:VPCs": "VPCId=vpc-07e7a7b7c7d7e7f70,VPCRegion=eu-west-1"}
OTHER_VPC = {"route53:VPCs": "VPCId=vpc-0aaaaaaaaaaaaaaa1,VPCRegion=eu-west-1"}


@pytest.mark.parametrize(
    ("action", "resource", "context", "allowed"),
    [
        ("route53:CreateHostedZone", ZONE, THE_VPC, True),
        ("route53:CreateHostedZone", ZONE, OTHER_VPC, False),
        ("route53:CreateHostedZone", ZONE, {}, False),
        ("route53:AssociateVPCWithHostedZone", ZONE, THE_VPC, True),
        ("route53:AssociateVPCWithHostedZone", ZONE, OTHER_VPC, False),
        ("route53:DisassociateVPCFromHostedZone", ZONE, OTHER_VPC, False),
        ("route53:ChangeTagsForResource", ZONE, {}, True),
        ("route53:DeleteHostedZone", ZONE, {}, False),
        ("route53:ChangeResourceRecordSets", ZONE, {}, False),
        ("ram:CreateResourceShare", SHARE, {"ram:RequestedAllowsExternalPrincipals": "false"}, True),
        ("ram:CreateResourceShare", SHARE, {"ram:RequestedAllowsExternalPrincipals": "true"}, False),
        ("ram:AssociateResourceShare", SHARE, NAMED | {"ram:Principal": CLUSTER_ACCOUNT}, True),
        ("ram:AssociateResourceShare", SHARE, NAMED | {"ram:Principal": "999999999999"}, False),
        ("ram:AssociateResourceShare", SHARE, NAMED | {"ram:ResourceArn": SUBNET}, True),
        ("ram:AssociateResourceShare", SHARE, NAMED | {"ram:ResourceArn": SUBNET.replace("a01", "d01")}, False),
        ("ram:AssociateResourceShare", SHARE, {"ram:ResourceShareName": "x", "ram:Principal": CLUSTER_ACCOUNT}, False),
        ("ram:UpdateResourceShare", SHARE, NAMED | {"ram:RequestedAllowsExternalPrincipals": "true"}, False),
    ],
    ids=["create-zone-in-the-shared-vpc", "create-zone-in-another-vpc", "create-public-zone",
         "associate-the-shared-vpc", "associate-another-vpc", "detach-another-vpcs-zone", "tag-zone", "delete-zone",
         "write-records", "create-share", "create-external-share",
         "share-with-cluster-account", "share-with-another-account", "share-a-listed-subnet", "share-another-subnet",
         "another-share", "open-a-share-outside-the-organisation"],
)  # fmt: skip
def test_the_owners_pipeline_shares_only_with_the_clusters_ties_zones_only_to_the_shared_vpc_never_deletes_one(
    owner, action, resource, context, allowed
):
    arn, identity, boundary = deploy_role(owner)
    decision = evaluate(
        identity, None, arn, action, resource, context, resource_account=OWNER_ACCOUNT, boundary=boundary
    )
    assert decision.allowed == allowed, decision.reason


def trusting(principal: str) -> Document:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}],
    }


def test_under_the_pipelines_boundary_the_cluster_roles_may_assume_exactly_their_owners_roles(owner):
    raw = stack_config(stack_file(CLUSTER)) | {
        "rosa-foundation:permissionsBoundary": f"arn:aws:iam::{CLUSTER_ACCOUNT}:policy/rosa/SharedPipelineBoundary",
        "rosa-foundation:ciIdentity": json.dumps(
            {"owner": "acme-platform", "repository": "rosa-foundation", "repositoryId": 1, "environment": CLUSTER}
        ),
    }
    render = run_main(raw, stack=CLUSTER, stack_outputs={OWNER_REFERENCE: owner.outputs})
    _, _, boundary = deploy_role(render)
    identities, roles, share = role_policies(render, "aws", CLUSTER_ACCOUNT), trusts(owner), shares(owner)["shared-hcp"]
    for kind, key in (("route53", "route53RoleArn"), ("vpc-endpoint", "vpcEndpointRoleArn")):
        target = share[key]
        for principal in share["trustedRoleArns"][kind]:
            allowed = evaluate(identities[principal], roles[target], principal, "sts:AssumeRole", target,
                               resource_account=OWNER_ACCOUNT, boundary=boundary)  # fmt: skip
            assert allowed.allowed, (principal, target, allowed.reason)
            # Even granted everything, the boundary keeps any other account's role out of reach.
            other = f"arn:aws:iam::{OWNER_ACCOUNT}:role/network/NetworkAdministrator"
            refused = evaluate([EVERYTHING], trusting(principal), principal, "sts:AssumeRole", other,
                               resource_account=OWNER_ACCOUNT, boundary=boundary)  # fmt: skip
            assert not refused.allowed, (principal, refused.reason)


def test_a_split_cluster_in_a_shared_vpc_under_its_account_stacks_pipeline_boundary_is_refused():
    ci = {"owner": "a", "repository": "b", "repositoryId": 1, "environment": "c"}
    boundary = f"arn:aws:iam::{ACCOUNT_ID}:policy/PipelineBoundary"
    account = dict(clusters=None, layout="account", accountRoleTopologies=["hcp"])
    with_pipeline = settings_from_config(config(**account, ciIdentity=ci, permissionsBoundary=boundary))
    without = settings_from_config(config(**account))
    cluster_stack = settings_from_config(config(layout="cluster", accountStack="a", clusters=[cluster(network=SHARED)]))
    (problem,) = account_boundary_problems(cluster_stack, with_pipeline)
    assert problem.startswith("rosa-foundation:clusters[0].network.sharedVpc: the account stack's pipeline boundary")
    assert list(account_boundary_problems(cluster_stack, without)) == []
