"""Security groups per cluster in its VPC: only the listed CIDRs reach the API and ingress, the world only where the
settings say public, every rule described, egress explicit."""

import os
import subprocess

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from policies.check import graph_from_resources
from policies.runner import evaluate
from tests.conftest import SUBNET_IDS, cluster, config, inputs_of, run

VPC = "vpc-0123456789abcdef0"


def network(**fields):
    return {"vpcId": VPC, "subnetIds": SUBNET_IDS, **fields}


def rules(render, type_suffix):
    return [r.inputs for r in render.of_type(f"aws:vpc/securityGroup{type_suffix}:SecurityGroup{type_suffix}")]


def test_no_vpc_id_means_no_security_groups():
    render = run()
    assert not render.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert render.outputs["clusters"]["alpha"]["securityGroupIds"] == {}


def test_classic_gets_control_plane_infra_and_compute_groups_hcp_only_compute():
    render = run(
        clusters=[
            cluster(
                "c", "classic", network=network(apiAllowedCidrs=["10.0.0.0/8"], ingressAllowedCidrs=["10.0.0.0/8"])
            ),
            cluster("h", network=network(ingressAllowedCidrs=["10.0.0.0/8"])),
        ]
    )
    assert set(render.outputs["clusters"]["c"]["securityGroupIds"]) == {"control-plane", "infra", "compute"}
    assert set(render.outputs["clusters"]["h"]["securityGroupIds"]) == {"compute"}
    group = inputs_of(render, "c-security-groups-control-plane")
    assert group["vpcId"] == VPC and group["description"]


def test_api_and_ingress_open_only_to_the_listed_cidrs_each_rule_described():
    render = run(
        clusters=[
            cluster(
                "c",
                "classic",
                network=network(apiAllowedCidrs=["10.1.0.0/16", "2001:db8::/56"], ingressAllowedCidrs=["10.2.0.0/16"]),
            )
        ]
    )
    ingress = rules(render, "IngressRule")
    assert sorted((r["fromPort"], r.get("cidrIpv4") or r["cidrIpv6"]) for r in ingress) == [
        (443, "10.2.0.0/16"),
        (6443, "10.1.0.0/16"),
        (6443, "2001:db8::/56"),
    ]
    for rule in ingress:
        assert rule["fromPort"] == rule["toPort"] and rule["ipProtocol"] == "tcp"
        assert (rule.get("cidrIpv4") or rule["cidrIpv6"]) in rule["description"]


def test_egress_is_exactly_the_listed_cidrs_on_every_group():
    render = run(clusters=[cluster("c", "classic", network=network(egressCidrs=["10.0.0.0/8"]))])
    egress = rules(render, "EgressRule")
    assert len(egress) == 3 and {r["cidrIpv4"] for r in egress} == {"10.0.0.0/8"}
    assert all(r["description"] and r["ipProtocol"] == "-1" for r in egress)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"ingressAllowedCidrs": ["0.0.0.0/0"]},
            "network.ingressAllowedCidrs = ['0.0.0.0/0']: 0.0.0.0/0 opens it to the whole internet; list the networks"
            " that need it, or set rosa-foundation:clusters[0].network.publicIngress: true",
        ),
        ({"ingressAllowedCidrs": ["::/0"]}, "::/0 opens it to the whole internet"),
        ({"ingressAllowedCidrs": ["10.0.0.1/16"]}, "must be a CIDR block in canonical form"),
        ({"ingressAllowedCidrs": ["10.0.0.0/33"]}, "must be a CIDR block in canonical form"),
        ({"ingressAllowedCidrs": ["10.0.0.0/8", "10.0.0.0/8"]}, "lists a CIDR twice"),
        (
            {"apiAllowedCidrs": ["10.0.0.0/8"]},
            "network.apiAllowedCidrs: a public hosted control plane's API is served from Red Hat's account",
        ),
        ({"vpcId": "vpc-xyz"}, "network.vpcId = 'vpc-xyz': must be a VPC id"),
    ],
)
def test_bad_network_settings_are_refused_with_key_and_value(fields, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(clusters=[cluster(network=network(**fields))]))
    assert expected in str(failure.value)


@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        (["0.0.0.0/1", "128.0.0.0/1"], "together they cover 0.0.0.0/0, which opens it to the whole internet"),
        (["10.0.0.0/8", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"], "together they cover 0.0.0.0/0, which opens"),
        (["::/1", "8000::/1"], "together they cover ::/0, which opens it to the whole internet"),
    ],
)
def test_networks_that_add_up_to_the_whole_internet_are_refused_as_the_world_is(cidrs, expected):
    for field in ("ingressAllowedCidrs", "apiAllowedCidrs"):
        entry = cluster("c", "classic", network=network(**{field: cidrs}))
        with pytest.raises(SettingsError) as failure:
            settings_from_config(config(clusters=[entry]))
        assert f"network.{field} = {cidrs}: " in str(failure.value) and expected in str(failure.value)


def test_a_public_endpoint_open_in_pieces_declares_each_piece_public():
    pieces = ["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"]
    render = run(clusters=[cluster(network=network(ingressAllowedCidrs=pieces, publicIngress=True))])
    tagged = {
        r["cidrIpv4"]: (r.get("tags") or {}).get("rosa-foundation:public-endpoint")
        for r in rules(render, "IngressRule")
    }
    assert tagged == {"0.0.0.0/1": "ingress", "128.0.0.0/1": "ingress", "10.0.0.0/8": "ingress"}
    graph = graph_from_resources([r.to_json() for r in render.resources])
    assert not [f for f in evaluate(graph) if f.rule == "security-group-no-world-ingress"]


def test_a_declared_public_endpoint_may_be_open_to_the_world():
    render = run(clusters=[cluster(network=network(ingressAllowedCidrs=["0.0.0.0/0"], publicIngress=True))])
    (rule,) = rules(render, "IngressRule")
    assert rule["cidrIpv4"] == "0.0.0.0/0" and rule["fromPort"] == 443


def test_rosa_create_cluster_gets_the_additional_group_ids():
    summary = run(clusters=[cluster("c", "classic", network=network())]).outputs["clusters"]["c"]
    args = summary["rosaCreateClusterArgs"]
    for node_role, group_id in summary["securityGroupIds"].items():
        assert args[args.index(f"--additional-{node_role}-security-group-ids") + 1] == group_id


def private_hcp(version: str = "4.21.6"):
    return cluster(openshiftVersion=version, network=network(private=True, apiAllowedCidrs=["10.1.0.0/16"]))


def test_a_private_hcp_clusters_api_endpoint_group_admits_the_listed_cidrs_on_443_and_sends_nothing():
    render = run(clusters=[private_hcp()])
    assert set(render.outputs["clusters"]["alpha"]["securityGroupIds"]) == {"compute", "api-endpoint"}
    group = inputs_of(render, "alpha-security-groups-api-endpoint")
    assert group["name"] == "alpha-api-endpoint" and group["vpcId"] == VPC
    assert group["description"] == "ROSA cluster alpha: additional rules for its private API endpoint"
    rule = inputs_of(render, "alpha-security-groups-api-endpoint-443-from-10.1.0.0_16")
    assert (rule["fromPort"], rule["toPort"], rule["cidrIpv4"]) == (443, 443, "10.1.0.0/16")
    egress = [r.name for r in render.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")]
    assert egress == ["alpha-security-groups-compute-egress-to-0.0.0.0_0"]


def test_the_api_endpoint_group_joins_the_clusters_vpc_endpoint_once_the_cluster_exists(tmp_path):
    summary = run(clusters=[private_hcp()]).outputs["clusters"]["alpha"]
    group_id = summary["securityGroupIds"]["api-endpoint"]
    assert group_id not in summary["rosaCreateClusterArgs"]  # rosa refuses groups on an HCP control plane
    fakes = {
        "rosa": '[ "$*" = "describe cluster --cluster alpha --output json" ] && echo \'{"id": "2abc"}\'',
        "jq": 'cat >/dev/null; [ "$*" = "-r .id" ] && echo 2abc',
        "aws": 'echo "$*" >> "$(dirname "$0")/calls"; [ "$2" = describe-vpc-endpoints ] && echo vpce-0123 || true',
    }
    for name, body in fakes.items():
        (tmp_path / name).write_text(f"#!/bin/sh\n{body}\n")
        (tmp_path / name).chmod(0o755)
    (command,) = summary["afterCreateClusterCommands"]
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    assert subprocess.run(["bash", "-c", command], env=env, check=False).returncode == 0
    find, modify = (tmp_path / "calls").read_text().splitlines()
    assert f"--filters Name=vpc-id,Values={VPC} Name=tag:api.openshift.com/id,Values=2abc" in find
    assert modify == (
        f"ec2 modify-vpc-endpoint --region us-east-1 --vpc-endpoint-id vpce-0123 --add-security-group-ids {group_id}"
    )


def test_clusters_without_an_api_endpoint_group_have_nothing_to_run_after_create():
    summary = run(clusters=[cluster(network=network(private=True))]).outputs["clusters"]["alpha"]
    assert set(summary["securityGroupIds"]) == {"compute"} and summary["afterCreateClusterCommands"] == []


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            cluster(network=network(publicApi=True)),
            "network.publicApi: the only API group of a hosted control plane is its private endpoint's",
        ),
        (
            private_hcp("4.17.1"),
            "openshiftVersion = '4.17.1': a security group on a hosted control plane's API endpoint needs 4.17.2",
        ),
        (
            cluster(network={"subnetIds": SUBNET_IDS, "ingressAllowedCidrs": ["10.0.0.0/8"]}),
            "network.ingressAllowedCidrs: a rule of the additional security groups, which are made in",
        ),
    ],
)
def test_api_endpoint_and_group_settings_rosa_or_aws_would_not_honour_are_refused(entry, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(clusters=[entry]))
    assert expected in str(failure.value)
