"""Security groups per cluster in its VPC: only the listed CIDRs reach the API and ingress, the world only where the
settings say public, every rule described, egress explicit."""

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import cluster, config, inputs_of, run

VPC = "vpc-0123456789abcdef0"


def network(**fields):
    return {"vpcId": VPC, **fields}


def rules(render, type_suffix):
    return [r.inputs for r in render.of_type(f"aws:vpc/securityGroup{type_suffix}:SecurityGroup{type_suffix}")]


def test_no_network_setting_means_no_security_groups():
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
        ({"apiAllowedCidrs": ["10.0.0.0/8"]}, "network.apiAllowedCidrs: a hosted control plane's API is not behind"),
        ({"vpcId": "vpc-xyz"}, "network.vpcId = 'vpc-xyz': must be a VPC id"),
    ],
)
def test_bad_network_settings_are_refused_with_key_and_value(fields, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(clusters=[cluster(network=network(**fields))]))
    assert expected in str(failure.value)


def test_a_declared_public_endpoint_may_be_open_to_the_world():
    render = run(clusters=[cluster(network=network(ingressAllowedCidrs=["0.0.0.0/0"], publicIngress=True))])
    (rule,) = rules(render, "IngressRule")
    assert rule["cidrIpv4"] == "0.0.0.0/0" and rule["fromPort"] == 443


def test_rosa_create_cluster_gets_the_additional_group_ids():
    summary = run(clusters=[cluster("c", "classic", network=network())]).outputs["clusters"]["c"]
    args = summary["rosaCreateClusterArgs"]
    for node_role, group_id in summary["securityGroupIds"].items():
        assert args[args.index(f"--additional-{node_role}-security-group-ids") + 1] == group_id
