"""Every guardrail has a passing and a failing example, on real renders; the CrossGuard adapter and the offline
check run the same rules and find the same things."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import EnforcementLevel, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import check
from policies.graph import Rule
from policies.pack import PACK_NAME, POLICIES
from policies.runner import RULES, evaluate
from render.runtime import PROJECT_ROOT, mock_account, run_program, stack_config, stack_file
from tests.conftest import example


@pytest.fixture(scope="module")
def prod() -> list[dict]:
    return [r.to_json() for r in example("prod").resources]


def findings(resources, config=None):
    return evaluate(check.graph_from_resources(resources), config)


def named(resources, name) -> dict:
    (resource,) = [r for r in resources if r["name"] == name]
    return resource


def set_document(key: str, change: Callable[[dict], None]) -> Callable[[dict], None]:
    def mutate(resource: dict) -> None:
        document = json.loads(resource["inputs"][key])
        change(document)
        resource["inputs"][key] = json.dumps(document)

    return mutate


def set_input(key: str, value) -> Callable[[dict], None]:
    return lambda resource: resource["inputs"].__setitem__(key, value)


def _sub_pattern(document):
    condition = document["Statement"][0]["Condition"]
    condition["StringLike"] = {k: "system:serviceaccount:kube-system:*" for k in condition.pop("StringEquals")}


def _foreign_principal(document):
    document["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::999999999999:root"}


def _allow_iam_put_anything(document):
    document["Statement"].append({"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"})


def _no_condition(document):
    document["Statement"][0].pop("Condition")


def _tls_deny_without_condition(document):
    next(s for s in document["Statement"] if s.get("Sid") == "DenyInsecureTransport").pop("Condition")


def _daily_after_three_days(resource):
    resource["inputs"]["rules"][1]["expiration"]["days"] = 3


ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
SSE_S3 = [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
VAULT = "backup-vault-bucket"
FAILING = [
    ("federated-trust-pins-exact-sub", "payments-operator-roles-kube-system-kms-provider",
     set_document("assumeRolePolicy", _sub_pattern), "with a pattern operator"),
    ("federated-trust-pins-exact-sub", "payments-operator-roles-kube-system-kms-provider",
     set_document("assumeRolePolicy", _no_condition), "without a StringEquals"),
    ("trust-principals-documented", "account-roles-hcp-installer",
     set_document("assumeRolePolicy", _foreign_principal), "trusts AWS principal 'arn:aws:iam::999999999999:root'"),
    ("no-admin-permissions", "payments-workload-roles-openshift-adp-backup-inline",
     set_document("policy", _allow_iam_put_anything), "allows iam:PutGroupPolicy, iam:PutRolePermissionsBoundary"),
    ("no-admin-permissions", "payments-workload-roles-payments-settlement-exporter-PaymentsSettlementExport",
     set_input("policyArn", ADMIN), f"attaches {ADMIN}"),
    ("session-at-most-one-hour", "account-roles-hcp-support", set_input("maxSessionDuration", 43200), "43200 s"),
    ("bucket-versioning-enabled", VAULT,
     lambda r: None, "is not versioned"),  # with the versioning resource suspended, below
    ("bucket-encrypted-with-kms", VAULT, lambda r: None, "no default SSE-KMS"),
    ("bucket-public-access-blocked", VAULT, lambda r: None, "does not turn on every public access block"),
    ("bucket-tls-only", VAULT, lambda r: None, "denying every request without TLS"),
    ("bucket-lifecycle-meets-rosa-schedule", VAULT, lambda r: None, "expires daily/ after 3 days, before ROSA's 7"),
    ("kms-key-rotation-enabled", "backup-vault-keys-backups", set_input("enableKeyRotation", False), "does not rotate"),
    ("kms-deletion-window", "payments-keys-volumes", set_input("deletionWindowInDays", 5), "5 days"),
    ("security-group-no-world-ingress", "payments-security-groups-compute-443-from-10.30.0.0_16",
     set_input("cidrIpv4", "0.0.0.0/0"), "opens port 443 to 0.0.0.0/0"),
    ("security-group-no-world-ingress", "checkout-security-groups-compute-443-from-0.0.0.0_0",
     set_input("fromPort", 22), "opens port 22 to 0.0.0.0/0"),
    ("stateful-resources-protected", "ledger-oidc-provider",
     lambda r: r["options"].__setitem__("protect", False), "is not protected"),
    ("stateful-resources-protected", VAULT, set_input("forceDestroy", True), "force-destroyable"),
    ("no-private-key-in-state", "ledger-oidc-jwks",
     set_input("content", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----"), "a private key"),
    # The user's tags come from the AWS provider's defaultTags: a resource registered without it lacks them.
    ("required-tags", "account-roles-hcp-installer",
     lambda r: r["options"].__setitem__("provider", None), "lacks the tags environment"),
]  # fmt: skip
# Rules about a bucket judge it by its companion resources: break the companion.
COMPANIONS = {
    "bucket-versioning-enabled": (f"{VAULT}-versioning", set_input("versioningConfiguration", {"status": "Suspended"})),
    "bucket-encrypted-with-kms": (f"{VAULT}-encryption", set_input("rules", SSE_S3)),
    "bucket-public-access-blocked": (f"{VAULT}-access", set_input("blockPublicPolicy", False)),
    "bucket-tls-only": (f"{VAULT}-policy", set_document("policy", _tls_deny_without_condition)),
    "bucket-lifecycle-meets-rosa-schedule": (f"{VAULT}-lifecycle", _daily_after_three_days),
}


def test_every_rule_has_a_failing_example_here():
    assert {rule for rule, *_ in FAILING} == {rule.name for rule in RULES}


def test_the_example_stacks_pass_every_rule(prod):
    for stack in ("dev", "staging"):
        assert findings([r.to_json() for r in example(stack).resources]) == [], stack
    assert findings(prod) == []


@pytest.mark.parametrize(("rule", "name", "mutate", "expected"), FAILING, ids=[f"{r}-{n}" for r, n, *_ in FAILING])
def test_each_rule_names_the_resource_rule_and_fix_when_broken(prod, rule, name, mutate, expected):
    resources = copy.deepcopy(prod)
    mutate(named(resources, name))
    if rule in COMPANIONS:
        companion, change = COMPANIONS[rule]
        change(named(resources, companion))
    found = [f for f in findings(resources) if f.rule == rule]
    assert [f.resource for f in found] == [name], found
    assert expected in found[0].message
    declared = next(r for r in RULES if r.name == rule)
    assert found[0].remediation and (found[0].level, found[0].severity) == (declared.level, declared.severity)


def test_ingress_rules_that_add_up_to_the_whole_internet_on_one_port_are_a_finding(prod):
    resources = copy.deepcopy(prod)
    half = named(resources, "payments-security-groups-compute-443-from-10.30.0.0_16")
    half["inputs"]["cidrIpv4"] = "0.0.0.0/1"
    other = copy.deepcopy(half)  # the same group (its securityGroupId dependency) and port
    other.update(name=f"{half['name']}-other-half", urn=f"{half['urn']}-other-half")
    other["inputs"]["cidrIpv4"] = "128.0.0.0/1"
    resources.append(other)
    found = [f for f in findings(resources) if f.rule == "security-group-no-world-ingress"]
    assert sorted(f.resource for f in found) == sorted([half["name"], other["name"]])
    assert (
        "opens port 443 to 0.0.0.0/0 with the group's other ingress there (0.0.0.0/1, 128.0.0.0/1)" in found[0].message
    )
    other["inputs"]["fromPort"] = other["inputs"]["toPort"] = 8443  # on different ports, each half opens half
    assert not [f for f in findings(resources) if f.rule == "security-group-no-world-ingress"]


def test_severity_ranks_a_takeover_above_lost_data_above_bookkeeping():
    severity = {r.name: r.severity for r in RULES}
    takeover = ("federated-trust-pins-exact-sub", "trust-principals-documented", "no-admin-permissions")
    assert {severity[name] for name in takeover} == {"critical"}
    assert severity["bucket-public-access-blocked"] == severity["stateful-resources-protected"] == "high"
    assert severity["required-tags"] == "low"


def test_a_rule_with_an_unknown_severity_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="severity 'severe'"):
        Rule("x-rule", "describes", "fixes", "mandatory", "severe", lambda graph, config: iter(()))


def test_sse_s3_is_accepted_only_for_an_issuer_or_a_log_target(prod):
    # prod's ledger issuer (CloudFront) and access-log bucket are SSE-S3 and pass; the same on the vault fails.
    encryption = {named(prod, n)["inputs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
                  for n in ("ledger-oidc-bucket-encryption", "backup-vault-logs-encryption")}  # fmt: skip
    assert encryption == {"AES256"}
    assert not [f for f in findings(prod) if f.rule == "bucket-encrypted-with-kms"]


def test_a_resource_added_by_hand_is_judged_too():
    config = stack_config(stack_file("dev"))

    def program():
        import runpy

        runpy.run_path(str(PROJECT_ROOT / "__main__.py"), run_name="__main__")
        aws.s3.Bucket("hand-made", bucket="someone-added-this")
        aws.iam.Role(
            "hand-made-admin",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}],
                }
            ),
            max_session_duration=43200,
            opts=pulumi.ResourceOptions(protect=False),
        )

    render = run_program(program, config, stack="dev", account=mock_account(config))
    by_rule = {(f.rule, f.resource) for f in findings([r.to_json() for r in render.resources])}
    for rule in (
        "bucket-versioning-enabled",
        "bucket-encrypted-with-kms",
        "bucket-tls-only",
        "stateful-resources-protected",
    ):
        assert (rule, "hand-made") in by_rule
    assert ("trust-principals-documented", "hand-made-admin") in by_rule
    assert ("session-at-most-one-hour", "hand-made-admin") in by_rule


def test_config_sets_levels_and_accepts_exceptions_with_their_reason(prod):
    resources = copy.deepcopy(prod)
    set_input("maxSessionDuration", 7200)(named(resources, "account-roles-hcp-support"))
    config = {
        "session-at-most-one-hour": {
            "exceptions": [
                {"resource": "account-roles-hcp-*", "reason": "SRE break-glass sessions, approved in CHG-42"}
            ]
        },
        "required-tags": {"enforcementLevel": "mandatory", "tags": ["environment", "owner"]},
    }
    found = findings(resources, config)
    (accepted,) = [f for f in found if f.rule == "session-at-most-one-hour"]
    assert accepted.accepted_because == "SRE break-glass sessions, approved in CHG-42"
    assert all(f.level == "mandatory" and "owner" in f.message for f in found if f.rule == "required-tags")
    assert not [f for f in findings(resources, {"session-at-most-one-hour": {"enforcementLevel": "disabled"}})
                if f.rule == "session-at-most-one-hour"]  # fmt: skip


# --- tags from the provider's defaultTags ------------------------------------------------------------------------

INSTALLER = "account-roles-hcp-installer"


def with_provider_default_tags(resources, default_tags, encode=json.dumps) -> list[dict]:
    """`resources` registered with their stack's AWS provider, whose defaultTags are `default_tags` (None: none), and
    the installer role without an environment tag of its own. pulumi-aws's SDK sends a provider's object inputs
    JSON-encoded (see the render test below), hence `json.dumps` by default."""
    resources = copy.deepcopy(resources)
    (provider,) = [r for r in resources if r["type"] == "pulumi:providers:aws"]
    provider["inputs"].pop("defaultTags", None)
    if default_tags is not None:
        provider["inputs"]["defaultTags"] = encode(default_tags)
    for resource in resources:
        if resource is not provider:
            resource["options"]["provider"] = provider["urn"]
    # Every other resource tags itself, so the installer is the one whose environment tag only the provider gives.
    for resource in resources:
        if resource is not provider and resource["name"] != INSTALLER:
            resource["inputs"]["tags"] = {**(resource["inputs"].get("tags") or {}), "environment": "prod"}
    named(resources, INSTALLER)["inputs"].get("tags", {}).pop("environment", None)
    return resources


@pytest.mark.parametrize("encode", [json.dumps, dict], ids=["json-encoded", "object"])
def test_required_tags_count_a_tag_the_provider_applies_by_default(prod, encode):
    resources = with_provider_default_tags(prod, {"tags": {"environment": "prod"}}, encode)
    assert not [f for f in findings(resources) if f.rule == "required-tags"]


def test_required_tags_fail_a_resource_tagged_neither_itself_nor_by_its_provider(prod):
    for default_tags in (None, {"tags": {"cost-center": "1234"}}):
        found = [f for f in findings(with_provider_default_tags(prod, default_tags)) if f.rule == "required-tags"]
        assert [(f.resource, f.message) for f in found] == [(INSTALLER, "lacks the tags environment")], default_tags


def test_required_tags_read_default_tags_as_a_render_records_them():
    config = stack_config(stack_file("dev"))

    def program():
        tagged = aws.Provider("tagged", region="us-east-1", default_tags={"tags": {"environment": "dev"}})
        aws.iam.Role("by-provider", assume_role_policy="{}", opts=pulumi.ResourceOptions(provider=tagged))
        aws.iam.Role("untagged", assume_role_policy="{}")

    resources = [r.to_json() for r in run_program(program, config, stack="dev", account=mock_account(config)).resources]
    provider = next(r for r in resources if r["name"] == "tagged")
    named(resources, "by-provider")["options"].setdefault("provider", provider["urn"])  # renders to come record it
    assert [f.resource for f in findings(resources) if f.rule == "required-tags"] == ["untagged"]


# --- the offline command ----------------------------------------------------------------------------------------


def _write(tmp_path, resources, config=None):
    (tmp_path / "build" / "prod").mkdir(parents=True)
    (tmp_path / "build" / "prod" / "resources.json").write_text(json.dumps(resources))
    if config is not None:
        (tmp_path / "prod.json").write_text(json.dumps(config))
    return ["prod", "--build", str(tmp_path / "build"), "--config", str(tmp_path / "prod.json")]


def test_check_exits_zero_on_a_clean_render_and_one_on_a_mandatory_finding(prod, tmp_path, capsys):
    assert check.main(_write(tmp_path / "a", prod)) == 0
    broken = copy.deepcopy(prod)
    set_input("enableKeyRotation", False)(named(broken, "backup-vault-keys-backups"))
    assert check.main(_write(tmp_path / "b", broken)) == 1
    out = capsys.readouterr().out
    assert "[mandatory, low] kms-key-rotation-enabled: backup-vault-keys-backups (aws:kms/key:Key)" in out
    assert "fix: Create keys with components.encryption_keys" in out


def test_check_refuses_a_config_naming_no_rule_or_an_exception_without_reason(prod, tmp_path, capsys):
    assert check.main(_write(tmp_path / "a", prod, {"session-at-most-1h": {}})) == 2
    assert "session-at-most-1h: names no rule" in capsys.readouterr().err
    no_reason = {"bucket-tls-only": {"exceptions": [{"resource": "x", "reason": ""}]}}
    assert check.main(_write(tmp_path / "b", prod, no_reason)) == 2


def test_every_stack_config_in_the_repository_is_valid():
    for path in (PROJECT_ROOT / "policies" / "config").glob("*.json"):
        check.load_config(path)


# --- the CrossGuard adapter ---------------------------------------------------------------------------------------


def analyze(resources, config=None, list_providers=True):
    """Run the pack's policies the way the Pulumi CLI does: an AnalyzeStack request to the analyzer servicer.
    `list_providers=False`: provider resources only as each resource's provider, as some engine paths send them."""
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.ADVISORY)
    if config:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, settings in config.items():
            request.policyConfig[name].properties.CopyFrom(json_format.ParseDict(settings, struct_pb2.Struct()))
        servicer.Configure(request, None)
    request = analyzer_pb2.AnalyzeStackRequest()
    by_urn = {r["urn"]: r for r in resources}
    for r in resources:
        if r["type"].startswith("pulumi:providers:") and not list_providers:
            continue
        entry = request.resources.add(type=r["type"], urn=r["urn"], name=r["name"])
        entry.properties.CopyFrom(json_format.ParseDict(r["inputs"], struct_pb2.Struct()))
        entry.options.protect = r["options"]["protect"]
        provider = by_urn.get(r["options"].get("provider"))
        if provider:  # the engine sends each resource's provider with its inputs
            entry.provider.CopyFrom(
                analyzer_pb2.AnalyzerProviderResource(type=provider["type"], urn=provider["urn"], name=provider["name"])
            )
            entry.provider.properties.CopyFrom(json_format.ParseDict(provider["inputs"], struct_pb2.Struct()))
        for key, urns in r.get("dependencies", {}).items():
            entry.propertyDependencies[key].urns.extend(urns)
    return servicer.AnalyzeStack(request, None).diagnostics


def test_crossguard_finds_nothing_on_the_example_stack(prod):
    assert list(analyze(prod)) == []


def test_crossguard_and_the_offline_check_report_the_same_violation(prod):
    broken = copy.deepcopy(prod)
    set_input("cidrIpv4", "0.0.0.0/0")(named(broken, "payments-security-groups-compute-443-from-10.30.0.0_16"))
    (diagnostic,) = analyze(broken)
    (finding,) = findings(broken)
    assert diagnostic.policyName == finding.rule == "security-group-no-world-ingress"
    assert diagnostic.urn == named(broken, finding.resource)["urn"]
    assert finding.message in diagnostic.message and finding.remediation in diagnostic.message
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert diagnostic.severity == analyzer_pb2.POLICY_SEVERITY_HIGH  # the rule's severity, on the violation too


def test_crossguard_announces_each_rules_severity():
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.0.1", POLICIES, EnforcementLevel.ADVISORY)
    announced = {p.name: p.severity for p in servicer.GetAnalyzerInfo(None, None).policies}
    protos = {s: getattr(analyzer_pb2, f"POLICY_SEVERITY_{s.upper()}") for s in ("critical", "high", "medium", "low")}
    assert announced == {r.name: protos[r.severity] for r in RULES}


def test_crossguard_skips_values_unknown_at_preview_instead_of_failing(prod):
    previewed = copy.deepcopy(prod)
    for resource in previewed:  # a first preview: every document computed from other resources is unknown
        for key in ("assumeRolePolicy", "policy"):
            if key in resource["inputs"]:
                resource["inputs"][key] = UNKNOWN_STRING_VALUE
    assert list(analyze(previewed)) == []


def test_crossguard_honours_the_stack_policy_config(prod):
    broken = copy.deepcopy(prod)
    set_input("maxSessionDuration", 7200)(named(broken, "account-roles-hcp-support"))
    accepted = {
        "session-at-most-one-hour": {
            "exceptions": [{"resource": "account-roles-hcp-support", "reason": "approved in CHG-42"}]
        }
    }
    assert [d.policyName for d in analyze(broken)] == ["session-at-most-one-hour"]
    assert list(analyze(broken, accepted)) == []


@pytest.mark.parametrize("list_providers", [True, False], ids=["providers-listed", "providers-only-per-resource"])
def test_crossguard_counts_the_providers_default_tags_too(prod, list_providers):
    tagged = with_provider_default_tags(prod, {"tags": {"environment": "prod"}})
    assert list(analyze(tagged, list_providers=list_providers)) == []
    untagged = with_provider_default_tags(prod, None)
    (diagnostic,) = analyze(untagged, list_providers=list_providers)
    assert diagnostic.policyName == "required-tags" and diagnostic.urn == named(untagged, INSTALLER)["urn"]


def _principal(arn: str) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        document["Statement"][0]["Principal"] = {"AWS": arn}

    return change


@pytest.mark.parametrize(
    ("principal", "trusted"),
    [
        ("arn:aws:iam::710019948333:role/RH-Technical-Support-12345678", True),  # an organisation's SRE role in OCM
        ("arn:aws:iam::644306948063:role/RH-Managed-OpenShift-Installer", True),  # staging OCM
        ("arn:aws-us-gov:iam::710019948333:role/RH-Managed-OpenShift-Installer", False),  # commercial id in GovCloud
        ("arn:aws:iam::448648337690:role/RH-Managed-OpenShift-Installer", False),  # GovCloud's jump account, commercial
        ("arn:aws:iam::710019948333:root", False),  # the whole account, not a role
        ("arn:aws:iam::710019948333:user/someone", False),
    ],
)
def test_trust_guardrail_knows_which_account_is_red_hats_in_each_partition(prod, principal, trusted):
    resources = copy.deepcopy(prod)
    set_document("assumeRolePolicy", _principal(principal))(named(resources, "account-roles-hcp-support"))
    flagged = [f for f in findings(resources) if f.rule == "trust-principals-documented"]
    assert (not flagged) == trusted, flagged
