"""The `rosa create cluster` command each cluster's outputs carry pastes and runs: rosa's current flag names, each
with its value, within rosa's combination rules, as kept in tests/data/rosa_create_cluster_flags.json (read from
openshift/rosa's cmd/create/cluster at d80ba25, line by line); and the settings rosa would refuse are refused first."""

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import NAMED_ISSUER, PRIVATE_NETWORK, SUBNET_IDS, cluster, config, example, run
from tests.test_render import STACKS

ROSA = json.loads((Path(__file__).parent / "data" / "rosa_create_cluster_flags.json").read_text())
VPC = "vpc-0123456789abcdef0"


def subnets(count: int) -> list[str]:
    return [f"subnet-0123456789abcde{i:02x}" for i in range(count)]


class CommandError(Exception):
    """A word of the command rosa would not take."""


def parse(args: list[str]) -> dict[str, str | None]:
    """The command's flags and their values (None for a switch), as rosa's flag set reads them; raises CommandError at
    the first unknown, deprecated, repeated or valueless flag, or stray word."""
    prefix = ROSA["command"]
    if args[: len(prefix)] != prefix:
        raise CommandError(f"not {' '.join(prefix)}: {args[: len(prefix)]}")
    flags: dict[str, str | None] = {}
    words = iter(args[len(prefix) :])
    for word in words:
        if not word.startswith("--"):
            raise CommandError(f"stray argument {word!r} (rosa create cluster takes no arguments)")
        name, has_value, value = word[2:].partition("=")
        if name in ROSA["deprecated"]:
            deprecated = ROSA["deprecated"][name]
            raise CommandError(f"--{name} is deprecated, use --{deprecated['use']} ({deprecated['source']})")
        if name not in ROSA["flags"]:
            raise CommandError(f"--{name} is not a flag of rosa create cluster")
        if name in flags:
            raise CommandError(f"--{name} is given twice")
        if ROSA["flags"][name]["value"]:
            if not has_value:
                value = next(words, "")
            if not value or value.startswith("-"):
                raise CommandError(f"--{name} needs a value")
            flags[name] = value
        elif has_value:
            raise CommandError(f"--{name} is a switch, not --{name}=<value>")
        else:
            flags[name] = None
    return flags


def _applies(when: dict[str, list[str]], flags: dict[str, str | None]) -> bool:
    return (
        all(f in flags for f in when.get("all", []))
        and not any(f in flags for f in when.get("none", []))
        and (not when.get("any") or any(f in flags for f in when["any"]))
    )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in text.split("."))


def broken_rules(flags: dict[str, str | None]) -> list[str]:
    """Every rule of the fixture the flags break, each naming rosa's words and where rosa says them."""
    broken = []
    for rule in ROSA["rules"]:
        if not _applies(rule.get("when", {}), flags):
            continue
        why = f"{rule['kind']}: {rule['rosa']} ({rule['source']})"
        broken += [f"--{f} missing; {why}" for f in rule.get("require", []) if f not in flags]
        broken += [f"--{f} given; {why}" for f in rule.get("forbid", []) if f in flags]
        count = len(str(flags.get("subnet-ids") or "").split(","))
        if rule["kind"] == "subnet-count" and "subnet-ids" in flags and not _fits(count, rule):
            broken.append(f"{count} subnet ids; {why}")
        version = flags.get("version")
        if rule["kind"] == "minimum-version" and version and _version(version) < _version(rule["version"]):
            broken.append(f"--version {version}; {why}")
        value = flags.get(rule.get("flag", ""))
        if rule["kind"] == "value" and value is not None and not re.fullmatch(rule["pattern"], value):
            broken.append(f"--{rule['flag']} {value}; {why}")
    return broken


def _fits(count: int, rule: dict) -> bool:
    return count == rule.get("equals", count) and count >= rule.get("at_least", count)


def violations(args: list[str]) -> list[str]:
    try:
        return broken_rules(parse(args))
    except CommandError as refused:
        return [str(refused)]


def create_args(**settings) -> list[str]:
    (summary,) = run(**settings).outputs["clusters"].values()
    return summary["rosaCreateClusterArgs"]


def problems(**settings) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    return str(failure.value)


# --- every emitted command against rosa's flags and rules -----------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_example_clusters_command_uses_rosas_current_flags_within_its_rules(stack):
    for name, summary in example(stack).outputs.get("clusters", {}).items():
        args = summary["rosaCreateClusterArgs"]
        assert violations(args) == [], name
        assert shlex.split(summary["rosaCreateClusterCommand"]) == args
        config_id = parse(args)["oidc-config-id"]
        assert bool(re.fullmatch(r"[a-z0-9]{32}", str(config_id))) == summary["rosaCreateClusterReady"], name


TARGETED = {
    "hcp, public, no version": [cluster()],
    "hcp, private, api endpoint group, pinned": [
        cluster(
            openshiftVersion="4.21.6",
            network={"vpcId": VPC, "subnetIds": subnets(3), "private": True, "apiAllowedCidrs": ["10.0.0.0/16"]},
        )
    ],
    "hcp, private, one subnet": [cluster(network={"subnetIds": subnets(1), "private": True})],
    "classic, installer-made VPC": [cluster("c", "classic")],
    "classic, one zone, groups": [cluster("c", "classic", network={"vpcId": VPC, "subnetIds": subnets(2)})],
    "classic, three zones": [cluster("c", "classic", network={"subnetIds": subnets(6)})],
    "classic, privatelink, one zone": [cluster("c", "classic", network={"subnetIds": subnets(1), "private": True})],
    "classic, privatelink, three zones, groups": [
        cluster("c", "classic", network={"vpcId": VPC, "subnetIds": subnets(3), "private": True})
    ],
    "classic, unregistered self-hosted issuer": [cluster("c", "classic", oidc={"mode": "self-hosted"})],
}


@pytest.mark.parametrize("clusters", TARGETED.values(), ids=TARGETED.keys())
@pytest.mark.parametrize("external_id", [None, "acme-ext-1"])
def test_every_topology_network_and_oidc_shape_gives_a_command_rosa_takes(clusters, external_id):
    assert violations(create_args(clusters=clusters, trustExternalId=external_id)) == []


def _replace(args: list[str], flag: str, *replacement: str) -> list[str]:
    at = args.index(flag)
    takes_value = ROSA["flags"][flag[2:]]["value"]
    return [*args[:at], *replacement, *args[at + (2 if takes_value else 1) :]]


@pytest.fixture(scope="module")
def commands() -> dict[str, list[str]]:
    """A valid HCP and classic command to break."""
    classic = cluster("c", "classic", network={"vpcId": VPC, "subnetIds": SUBNET_IDS})
    return {"hcp": create_args(), "classic": create_args(clusters=[classic])}


REFUSED = {
    "deprecated worker role flag": (
        "hcp",
        lambda a: _replace(a, "--worker-iam-role-arn", "--worker-iam-role", "arn"),
        "deprecated",
    ),
    "deprecated control plane role flag": (
        "classic",
        lambda a: _replace(a, "--controlplane-iam-role-arn", "--controlplane-iam-role", "arn"),
        "deprecated",
    ),
    "unknown flag": ("hcp", lambda a: [*a, "--hosted-control-plane"], "not a flag"),
    "value missing": ("hcp", lambda a: [*a, "--version"], "needs a value"),
    "switch given a value": ("hcp", lambda a: [*a, "--private=true"], "is a switch"),
    "stray word": ("hcp", lambda a: [*a, "now"], "stray argument"),
    "hcp without subnets": ("hcp", lambda a: _replace(a, "--subnet-ids"), "--subnet-ids missing"),
    "hcp without oidc config": ("hcp", lambda a: _replace(a, "--oidc-config-id"), "--oidc-config-id missing"),
    "privatelink on hcp": ("hcp", lambda a: [*a, "--private-link"], "--private-link given"),
    "infra group on hcp": ("hcp", lambda a: [*a, "--additional-infra-security-group-ids", "sg-1"], "given"),
    "classic private without privatelink": ("classic", lambda a: [*a, "--private"], "--private-link missing"),
    "classic without control plane role": (
        "classic",
        lambda a: _replace(a, "--controlplane-iam-role-arn"),
        "--controlplane-iam-role-arn missing",
    ),
    "classic groups without subnets": ("classic", lambda a: _replace(a, "--subnet-ids"), "--subnet-ids missing"),
    "classic three subnets, one zone": (
        "classic",
        lambda a: _replace(a, "--subnet-ids", "--subnet-ids", ",".join(subnets(3))),
        "3 subnet ids",
    ),
    "minor version": ("hcp", lambda a: [*a, "--version", "4.20"], "--version 4.20"),
    "groups before 4.14": ("classic", lambda a: _replace(a, "--version", "--version", "4.13.9"), "--version 4.13.9"),
    "etcd key on classic": (
        "classic",
        lambda a: [*a, "--etcd-encryption-kms-arn", "arn"],
        "--etcd-encryption-kms-arn given",
    ),
}


@pytest.mark.parametrize(("base", "broken", "expected"), REFUSED.values(), ids=REFUSED.keys())
def test_the_fixture_refuses_what_rosa_refuses(commands, base, broken, expected):
    assert violations(commands[base]) == []
    found = violations(broken(commands[base]))
    assert any(expected in line for line in found), found


# --- version -------------------------------------------------------------------------------------------------------


def test_the_cluster_version_is_passed_in_full_and_left_to_rosa_when_unset():
    args = create_args(clusters=[cluster(openshiftVersion="4.21.6")])
    assert args[args.index("--version") + 1] == "4.21.6"
    assert "--version" not in create_args()


def test_a_minor_only_cluster_version_is_refused_asking_for_the_patch_release():
    assert (
        "clusters[0].openshiftVersion = '4.20': must be a full OpenShift version x.y.z, not the minor 4.20: give the "
        "patch release as `rosa list versions` shows it (4.20.<patch>)"
    ) in problems(clusters=[cluster("c", "classic", openshiftVersion="4.20")])


def test_the_classic_policy_version_stays_a_minor():
    assert "classicPolicyVersion = '4.20.8'" in problems(classicPolicyVersion="4.20.8")


def test_a_newest_classic_minor_without_vendored_policies_is_refused_unless_the_policies_are_pinned():
    message = problems(clusters=[cluster("c", "classic", openshiftVersion="4.23.1")])
    assert "classicPolicyVersion is missing and defaults to the newest classic cluster's minor '4.23'" in message
    older = config(classicPolicyVersion="4.18", clusters=[cluster("c", "classic", openshiftVersion="4.17.30")])
    assert settings_from_config(older).classic_version == "4.18"  # rosa takes roles at least as new as the cluster


def test_hcp_account_roles_carry_the_tags_rosa_checks_instead_of_a_version():
    # rosa validates HCP roles by their managed policies (rosa_managed_policies, rosa_hcp_policies), never a version.
    tags = run().named("account-roles-hcp-installer").inputs["tags"]
    assert tags["rosa_managed_policies"] == tags["rosa_hcp_policies"] == "true"
    assert "rosa_openshift_version" not in tags


def test_additional_security_groups_on_a_version_before_4_14_are_refused():
    network = {"vpcId": VPC, "subnetIds": SUBNET_IDS}
    message = problems(clusters=[cluster(openshiftVersion="4.13.9", network=network)])
    assert "clusters[0].openshiftVersion = '4.13.9': rosa takes additional security groups" in message


# --- subnets and privacy --------------------------------------------------------------------------------------------


def test_subnet_ids_are_passed_as_one_list():
    args = create_args(clusters=[cluster(network={"subnetIds": subnets(3)})])
    assert args[args.index("--subnet-ids") + 1] == ",".join(subnets(3))


def test_an_hcp_cluster_without_subnet_ids_is_refused():
    assert "clusters[0].network.subnetIds is missing: a hosted control plane cluster runs in an existing VPC" in (
        problems(clusters=[cluster(network=None)])
    )


def test_additional_security_groups_without_subnet_ids_are_refused():
    message = problems(clusters=[cluster("c", "classic", network={"vpcId": VPC})])
    assert "clusters[0].network.subnetIds is missing: rosa takes additional security groups" in message


def test_a_private_classic_cluster_without_subnet_ids_is_refused():
    message = problems(clusters=[cluster("c", "classic", network={"private": True})])
    assert "clusters[0].network.subnetIds is missing: a private (PrivateLink) classic cluster" in message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (cluster(network={"subnetIds": ["subnet-xyz"]}), "network.subnetIds[0] = 'subnet-xyz': must be a subnet id"),
        (cluster(network={"subnetIds": [SUBNET_IDS[0]] * 2}), "lists a subnet twice"),
        (cluster(network={"subnetIds": subnets(1)}), "a public hosted control plane cluster needs at least 2 subnets"),
        (cluster("c", "classic", network={"subnetIds": subnets(3)}), "a classic cluster takes 2 subnets"),
        (
            cluster("c", "classic", network={"subnetIds": subnets(2), "private": True}),
            "a private (PrivateLink) classic cluster takes 1 subnets (one availability zone) or 3 (three)",
        ),
    ],
)
def test_subnet_ids_rosa_would_refuse_are_refused(entry, expected):
    assert expected in problems(clusters=[entry])


@pytest.mark.parametrize(("count", "multi_az"), [(2, False), (6, True)])
def test_a_classic_clusters_zones_follow_from_its_subnets(count, multi_az):
    args = create_args(clusters=[cluster("c", "classic", network={"subnetIds": subnets(count)})])
    assert ("--multi-az" in args) == multi_az


def test_a_private_cluster_takes_rosas_flag_for_its_topology():
    hcp = create_args(clusters=[cluster(network={"subnetIds": subnets(1), "private": True})])
    classic = create_args(clusters=[cluster("c", "classic", network={"subnetIds": subnets(1), "private": True})])
    assert "--private" in hcp and "--private-link" not in hcp
    assert "--private-link" in classic and "--private" not in classic
    assert "--private" not in create_args() and "--private-link" not in create_args()


# --- roles, external id and the OIDC config -------------------------------------------------------------------------


def test_the_stacks_external_id_is_passed_only_when_set():
    args = create_args(trustExternalId="acme-ext-1")
    assert args[args.index("--external-id") + 1] == "acme-ext-1"
    assert "--external-id" not in create_args()


def test_an_unregistered_config_stops_the_pasted_command_until_its_id_is_given(tmp_path):
    (summary,) = run(clusters=[cluster("stg-c", "classic", oidc={"mode": "self-hosted"})]).outputs["clusters"].values()
    assert summary["rosaCreateClusterReady"] is False
    rosa = tmp_path / "rosa"
    rosa.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    rosa.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}

    def paste(**extra: str) -> subprocess.CompletedProcess:
        command = summary["rosaCreateClusterCommand"]
        return subprocess.run(["bash", "-c", command], env={**env, **extra}, capture_output=True, text=True)

    stopped = paste()
    assert stopped.returncode != 0 and not stopped.stdout  # rosa never ran
    assert "OIDC_CONFIG_ID_STG_C: the OIDC config of cluster stg-c is not registered" in stopped.stderr
    assert "run rosa register oidc-config, then set its oidc.configId" in stopped.stderr
    registered = paste(OIDC_CONFIG_ID_STG_C="a" * 32)
    passed = registered.stdout.splitlines()
    assert registered.returncode == 0 and passed[passed.index("--oidc-config-id") + 1] == "a" * 32


GOV = {"partition": "aws-us-gov", "region": "us-gov-west-1"}


@pytest.mark.parametrize("topology", ["hcp", "classic"])
def test_a_govcloud_cluster_must_be_private_as_rosa_makes_every_cluster_there(topology):
    """rosa turns on FedRAMP mode in a GovCloud region (pkg/aws/client.go:475-476) and then forces PrivateLink on
    classic and a private API and ingress on HCP (cmd/create/cluster/cmd.go:2158,2201-2207)."""
    public = cluster("gov", topology, oidc=NAMED_ISSUER, network={"subnetIds": SUBNET_IDS})
    with pytest.raises(SettingsError, match=r"clusters\[0\]\.network\.private is not true: rosa makes every cluster"):
        settings_from_config(config(**GOV, clusters=[public]))
    private = cluster("gov", topology, oidc=NAMED_ISSUER, network=PRIVATE_NETWORK)
    args = run(**GOV, clusters=[private]).outputs["clusters"]["gov"]["rosaCreateClusterArgs"]
    assert ("--private" if topology == "hcp" else "--private-link") in args
