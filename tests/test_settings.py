"""Every settings rule: bad input fails before any resource is registered, with one message naming key and value."""

import sys

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from render.runtime import Render, run_main
from tests.conftest import CONFIG_ID, NAMED_ISSUER, SUBNET_IDS, cluster, config


def problems(**settings) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    return str(failure.value)


def test_valid_settings_fill_rosa_defaults():
    settings = settings_from_config(config())
    assert settings.account_role_prefix == "ManagedOpenShift"
    assert settings.iam_path == "/"
    assert settings.ocm_environment == "production"
    assert settings.ocm_account_id == "710019948333"
    assert settings.topologies == ("hcp",)
    assert settings.clusters[0].operator_prefix == "alpha"
    assert settings.clusters[0].oidc.issuer == f"https://oidc.op1.openshiftapps.com/{CONFIG_ID}"


def test_staging_ocm_environment_trusts_red_hats_staging_account():
    staging = config(ocmEnvironment="staging", clusters=[cluster(oidc=NAMED_ISSUER)])
    assert settings_from_config(staging).ocm_account_id == "644306948063"


def test_invalid_settings_register_nothing_and_say_so():
    recorded = Render()
    with pytest.raises(SettingsError, match="nothing was registered"):
        run_main(config(accountId="12345"), stack="test", into=recorded)
    assert [r.type for r in recorded.resources] == ["pulumi:pulumi:Stack"]  # the SDK's own root, nothing of ours


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"accountId": "12345"}, ["rosa-foundation:accountId = '12345'", "12-digit"]),
        ({"region": "mars-1"}, ["aws:region = 'mars-1'", "region"]),
        ({"region": None}, ["aws:region is missing"]),
        ({"partition": "aws-mars"}, ["rosa-foundation:partition = 'aws-mars'", "'aws'"]),
        ({"partition": "aws-cn"}, ["rosa-foundation:partition = 'aws-cn'", "must be 'aws' or 'aws-us-gov'"]),
        (
            {"region": "cn-north-1", "partition": None},
            ["aws:region = 'cn-north-1'", "aws-cn, where ROSA is not offered"],
        ),
        ({"region": "us-iso-east-1"}, ["aws:region = 'us-iso-east-1'", "aws-iso, where ROSA is not offered"]),
        ({"region": "us-east-9"}, ["aws:region = 'us-east-9'", "a region AWS has"]),
        ({"region": "us-gov-west-1"}, ["rosa-foundation:partition = 'aws'", "set partition to 'aws-us-gov'"]),
        ({"accountRolePrefix": "Bad Prefix!"}, ["accountRolePrefix = 'Bad Prefix!'", "1 to 32"]),
        ({"accountRolePrefix": "x" * 33}, ["accountRolePrefix", "1 to 32"]),
        ({"accountRolePrefix": "a,b"}, ["accountRolePrefix = 'a,b'", "rosa_role_prefix tag refuses"]),
        ({"iamPath": "rosa/"}, ["iamPath = 'rosa/'", "'/a/b/'"]),
        ({"iamPath": "/rosa"}, ["iamPath = '/rosa'", "'/a/b/'"]),
        ({"iamPath": "/a//b/"}, ["iamPath = '/a//b/'"]),
        ({"permissionsBoundary": "arn:aws:iam::123:policy/x"}, ["permissionsBoundary", "IAM policy ARN"]),
        ({"permissionsBoundary": "arn:aws-us-gov:iam::123456789012:policy/b"}, ["permissionsBoundary", "partition"]),
        ({"trustExternalId": "x"}, ["trustExternalId = 'x'", "2 to 1224"]),
        # rosa's pattern is Go's RE2, where \w is ASCII (ocm-common pkg/aws/ststrust/constants.go)
        ({"trustExternalId": "café-id"}, ["trustExternalId = 'café-id'", "2 to 1224"]),
        (
            {"redHatSupportPrincipal": "arn:aws-us-gov:iam::448648337690:role/RH-Technical-Support-Access"},
            ["redHatSupportPrincipal", "must be in this stack's partition 'aws'"],
        ),
        ({"redHatSupportPrincipal": "arn:aws:iam::710019948333:user/x"}, ["redHatSupportPrincipal", "IAM role ARN"]),
        ({"ocmEnvironment": "integration"}, ["ocmEnvironment = 'integration'", "'production' or 'staging'"]),
        ({"classicPolicyVersion": "4.9"}, ["classicPolicyVersion = '4.9'", "4.18, 4.19, 4.20, 4.21, 4.22"]),
        ({"accountRoleTopologies": ["hcp", "gke"]}, ["accountRoleTopologies[1] = 'gke'"]),
        ({"acountId": "123456789012"}, ["rosa-foundation:acountId: unknown key", "allowed: accountId"]),
        ({"clusters": "alpha"}, ["rosa-foundation:clusters = 'alpha'", "YAML list"]),
        ({"clusters": {"name": "alpha"}}, ["rosa-foundation:clusters = {'name': 'alpha'}: expected a list, but YAML"]),
    ],
)
def test_bad_stack_setting_is_named_with_its_value_and_what_is_allowed(settings, expected):
    message = problems(**settings)
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"aws:owner": "me"}, "tags.aws:owner = 'aws:owner': must be a tag key not starting with 'aws:'"),
        ({"k" * 129: "v"}, "1 to 128 characters"),
        ({"team": "v" * 257}, "0 to 256 characters"),
        ({"team": "a;b"}, "tags.team = 'a;b'"),
        ({"red-hat-managed": "false"}, "tags.red-hat-managed: a tag key ROSA sets itself"),
        ({f"k{i}": "v" for i in range(46)}, "46 tags; at most 45"),
        ({"team": 7}, "tags.team = 7: expected text, but YAML read a number; quote it"),
    ],
)
def test_tags_outside_aws_rules_are_refused(tags, expected):
    assert expected in problems(tags=tags)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (cluster(name="Prod_1"), "clusters[0].name = 'Prod_1': must be 1 to 54 lower-case"),
        (cluster(name="1prod"), "clusters[0].name = '1prod'"),
        (cluster(name="prod-"), "clusters[0].name = 'prod-'"),
        (cluster(name="p" * 55), "ROSA's cluster name rule"),
        (cluster(name=5), "clusters[0].name = 5: expected text, but YAML read a number; quote it"),
        (cluster(topology="gke"), "clusters[0].topology = 'gke': must be 'hcp' or 'classic'"),
        (cluster(openshiftVersion="4.17.3.1"), "clusters[0].openshiftVersion = '4.17.3.1': must be a full OpenShift"),
        (cluster(operatorRolePrefix="x" * 33), "clusters[0].operatorRolePrefix"),
        (
            cluster(colour="blue"),
            "clusters[0].colour: unknown key (a typo?); allowed: auditLog, autoNode, backupBucketName, logForwarding,",
        ),
        (cluster(oidc={"mode": "managed"}), "clusters[0].oidc.configId is missing"),
        (cluster(oidc={"mode": "managed", "configId": "ABC"}), "clusters[0].oidc.configId = 'ABC'"),
        (cluster(oidc={"mode": "hosted"}), "clusters[0].oidc = {'mode': 'hosted'}: mode must be 'managed' or"),
        (
            cluster(oidc={"mode": "managed", "configId": CONFIG_ID, "issuerUrl": "http://oidc.example.com/x"}),
            "clusters[0].oidc.issuerUrl = 'http://oidc.example.com/x': must be an https:// issuer URL",
        ),
        (
            cluster(oidc={"mode": "managed", "configId": CONFIG_ID, "issuerUrl": "https://oidc.example.com/x/"}),
            "no trailing '/'",
        ),
        (
            cluster(oidc={"mode": "managed", "configId": CONFIG_ID, "thumbprint": "abc"}),
            "clusters[0].oidc.thumbprint = 'abc': must be a certificate thumbprint: 40 hex digits",
        ),
        (
            cluster(oidc={"mode": "managed", "configId": CONFIG_ID, "publicAccess": "cloudfront"}),
            "clusters[0].oidc.publicAccess: unknown key (a typo?); allowed: allowRolesOnSharedIssuer, configId,",
        ),
        (
            cluster(oidc={"mode": "self-hosted", "bucketName": "My.Bucket"}),
            "clusters[0].oidc.bucketName = 'My.Bucket'",
        ),
        (
            cluster(oidc={"mode": "self-hosted", "publicAccess": "website"}),
            "clusters[0].oidc.publicAccess = 'website': must be 'bucket-policy' or 'cloudfront'",
        ),
        (cluster(topology="classic", openshiftVersion=None), "clusters[0].openshiftVersion is missing"),
        (
            cluster(name="a" * 50, operatorRolePrefix="a", oidc={"mode": "self-hosted"}),
            "clusters[0].oidc.bucketName: the default name",
        ),
        (
            cluster(oidc={"mode": "self-hosted", "bucketName": "xn--issuer"}),
            "clusters[0].oidc.bucketName = 'xn--issuer': must be an S3 bucket name",
        ),
        (
            cluster(name="xn--issuer", oidc={"mode": "self-hosted"}),
            "clusters[0].oidc.bucketName: the default name 'xn--issuer-oidc-123456789012' is not",
        ),
        (
            cluster(name="a" * 33),
            "clusters[0].operatorRolePrefix: defaults to the cluster name",
        ),
    ],
)
def test_bad_cluster_setting_is_named_with_its_index_and_value(entry, expected):
    if entry.get("openshiftVersion") is None:
        entry.pop("openshiftVersion", None)
    assert expected in problems(clusters=[entry])


def test_duplicate_cluster_names_are_refused():
    assert "clusters[1].name = 'alpha': already used by clusters[0]" in problems(clusters=[cluster(), cluster()])


def test_duplicate_operator_role_prefixes_are_refused():
    message = problems(clusters=[cluster("a", operatorRolePrefix="shared"), cluster("b", operatorRolePrefix="shared")])
    assert "clusters[1].operatorRolePrefix = 'shared': already used by clusters[0]" in message


def test_a_cluster_named_like_another_clusters_prefix_collides_too():
    message = problems(clusters=[cluster("a", operatorRolePrefix="b"), cluster("b")])
    assert "clusters[1].operatorRolePrefix = 'b': already used by clusters[0]" in message


def test_classic_cluster_newer_than_the_account_policies_is_refused():
    message = problems(classicPolicyVersion="4.19", clusters=[cluster(topology="classic", openshiftVersion="4.21.4")])
    assert "clusters[0].openshiftVersion = '4.21.4': newer than rosa-foundation:classicPolicyVersion '4.19'" in message
    assert "not compatible with version" in message


def test_classic_account_policies_follow_the_newest_classic_cluster_by_default():
    settings = settings_from_config(
        config(clusters=[cluster("a", "classic", openshiftVersion="4.19.30"), cluster("b", "classic")])
    )
    assert settings.classic_version == "4.20"  # the minor of b's 4.20.8


def test_classic_account_roles_without_any_version_are_refused():
    assert "classicPolicyVersion is missing" in problems(accountRoleTopologies=["classic"], clusters=[])


def test_cluster_of_a_topology_without_account_roles_is_refused():
    message = problems(accountRoleTopologies=["classic"], classicPolicyVersion="4.20", clusters=[cluster()])
    assert "clusters[0].topology = 'hcp'" in message


def test_names_equal_only_after_the_64_character_cut_are_refused(monkeypatch):
    # ROSA's catalogue has no such pair; a future operator whose name runs past the cut into another's would.
    from foundation import catalogue as catalogue_module
    from foundation.catalogue import OperatorRoleSpec

    real = catalogue_module.load_catalogue()
    twins = (
        OperatorRoleSpec(namespace="ns", operator="o" * 70 + "-a", service_accounts=("a",), managed_policy="P"),
        OperatorRoleSpec(namespace="ns", operator="o" * 70 + "-b", service_accounts=("b",), managed_policy="P"),
    )
    patched = real.model_copy(update={"hcp": real.hcp.model_copy(update={"operator_roles": twins})})
    original = catalogue_module.load_catalogue
    for module in [m for name, m in sys.modules.items() if name.startswith("foundation")]:
        if getattr(module, "load_catalogue", None) is original:
            monkeypatch.setattr(module, "load_catalogue", lambda: patched)
    message = problems()
    assert "after the 64-character cut" in message
    assert "operator role ns/" + "o" * 70 + "-b" in message


def test_all_problems_are_reported_at_once():
    message = problems(accountId="1", iamPath="x", clusters=[cluster(name="A")])
    assert "3 problems" in message


def test_a_typo_in_the_config_namespace_is_refused_not_ignored():
    raw = {**config(), "rosa-fundation:iamPath": "/rosa/"}
    with pytest.raises(SettingsError, match="rosa-fundation:iamPath: unknown config namespace 'rosa-fundation'"):
        settings_from_config(raw)


def test_provider_and_pulumi_namespaces_are_accepted():
    raw = {**config(), "aws:profile": "prod", "pulumi:tags": "{}"}
    assert settings_from_config(raw).account_id == "123456789012"


def test_a_long_cluster_name_is_fine_with_an_explicit_operator_prefix():
    settings = settings_from_config(config(clusters=[cluster(name="a" * 54, operatorRolePrefix="short")]))
    assert settings.clusters[0].operator_prefix == "short"


def test_more_tags_than_an_s3_object_holds_are_refused_with_a_self_hosted_issuer():
    # The stack's tags reach every resource through the provider's default tags; S3 objects hold at most 10.
    tags = {f"team-{i}": "x" for i in range(11)}
    issuer = cluster(oidc={"mode": "self-hosted"})
    message = problems(tags=tags, clusters=[issuer])
    assert (
        "rosa-foundation:tags: 11 tags; the self-hosted OIDC issuer of alpha publishes its documents as S3 objects"
        in (message)
    )
    assert settings_from_config(config(tags=tags)).tags == tags  # a managed issuer has no objects to tag


def test_an_egress_cidr_listed_twice_is_refused():
    network = {"vpcId": "vpc-0123456789abcdef0", "subnetIds": SUBNET_IDS, "egressCidrs": ["10.0.0.0/8", "10.0.0.0/8"]}
    message = problems(clusters=[cluster(network=network)])
    assert (
        "rosa-foundation:clusters[0].network.egressCidrs = ['10.0.0.0/8', '10.0.0.0/8']: lists a CIDR twice" in message
    )


@pytest.mark.parametrize("actions", [["iam:Put*"], ["iam:Attach*"], ["iam:**"], ["sts:Assume*"], ["s3:*"]])
def test_a_workload_statement_that_hands_over_the_account_is_refused(actions):
    statement = {"actions": actions, "resources": ["*"]}
    workload = {"namespace": "app", "serviceAccount": "app", "statements": [statement]}
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(clusters=[cluster(workloadRoles=[workload])]))
    assert "clusters[0].workloadRoles[0].statements[0]: actions" in str(failure.value)
    assert "on every resource, which hands over the account" in str(failure.value)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"backup": {"retentionDays": {"hourly": True}}},
         "backup.retentionDays.hourly = true: expected a whole number, but YAML read true or false"),
        ({"backup": {"retentionDays": {"daily": 7.5}}}, "backup.retentionDays.daily = 7.5: expected a whole number"),
        ({"encryption": {"deletionWindowDays": "7"}}, "encryption.deletionWindowDays = '7': expected a whole number"),
        ({"clusters": [cluster(topology="classic", openshiftVersion=4.2)]},
         "clusters[0].openshiftVersion = 4.2: expected text, but YAML read a number; quote it: YAML reads an unquoted "
         "4.20 as the number 4.2"),
        ({"backup": {"accessLogging": 1}}, "backup.accessLogging = 1: expected true or false, but YAML read a number"),
        ({"retainStatefulOnDelete": "yes"}, "retainStatefulOnDelete = 'yes': must be true or false"),
    ],
)  # fmt: skip
def test_a_value_of_another_type_than_the_setting_is_refused_never_converted(settings, expected):
    assert expected in problems(**settings)


def test_true_and_false_as_pulumi_reads_them_are_accepted_at_the_top_level():
    for text, value in (("true", True), ("False", False)):
        assert settings_from_config(config(retainStatefulOnDelete=text)).retain_stateful_on_delete is value


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"clusters": {"name": "alpha"}}, "clusters = {'name': 'alpha'}: expected a list, but YAML read a mapping"),
        ({"encryption": [7]}, "encryption = [7]: expected a mapping of keys to values, but YAML read a list"),
        ({"clusters": [cluster(oidc={"configId": CONFIG_ID})]},
         "clusters[0].oidc.mode is missing: 'managed' or 'self-hosted'"),
        ({"quotas": {"rolesPerAccount": 0}}, "quotas.rolesPerAccount = 0: must be greater than or equal to 1"),
    ],
)  # fmt: skip
def test_messages_name_the_shape_a_stack_file_needs_not_the_validators_types(settings, expected):
    message = problems(**settings)
    assert expected in message
    for jargon in ("tuple", "valid dictionary", "instance of", "Settings", "discriminator", "Input should"):
        assert jargon not in message


def test_a_long_value_is_named_by_its_start_and_length_not_echoed_whole():
    message = problems(trustExternalId="x" * 1300, clusters=[cluster(name="a" * 900)])
    assert "trustExternalId = 'xxxxxxxx" in message and "... (1300 characters): must be 2 to 1224" in message
    assert "... (900 characters): must be 1 to 54 lower-case" in message
    assert max(len(line) for line in message.splitlines()) < 300


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"environment": "dev", "Environment": "prod"},
         "tags.Environment: the same key as 'environment' to IAM, which compares tag keys ignoring case"),
        ({"Red-Hat-Managed": "false"}, "tags.Red-Hat-Managed: a tag key ROSA sets itself to IAM, which compares"),
        ({"ROSA-Foundation:Scope": "x"}, "tags.ROSA-Foundation:Scope: a tag key ROSA sets itself"),
    ],
)  # fmt: skip
def test_tag_keys_are_compared_ignoring_case_as_iam_compares_them(tags, expected):
    assert expected in problems(tags=tags)


def statement(**fields) -> dict:
    entry = {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::bucket/*"], **fields}
    return {"namespace": "app", "serviceAccount": "app", "statements": [entry]}


@pytest.mark.parametrize(
    ("workload", "expected"),
    [
        (statement(conditions=[{"operator": "StringEqualz", "key": "aws:SourceVpc", "values": ["vpc-1"]}]),
         "statements[0].conditions[0].operator = 'StringEqualz': must be an IAM condition operator"),
        (statement(conditions=[{"operator": "NullIfExists", "key": "aws:TokenIssueTime", "values": ["true"]}]),
         "operator = 'NullIfExists': must be an IAM condition operator"),
        (statement(actions=["s3:GetObjekt"]),
         "statements[0].actions[0] = 's3:GetObjekt': must be an action AWS has: the service 's3' has no action"),
        (statement(actions=["s4:GetObject"]), "no AWS service has the action prefix 's4'"),
        (statement(actions=["s3:Gut*"]), "the service 's3' has no action matching 'Gut*'"),
        (statement(resources=["arn:aws-us-gov:s3:::bucket/*"]),
         "workloadRoles[0].statements[0].resources: 'arn:aws-us-gov:s3:::bucket/*' is not in this stack's partition "
         "'aws'"),
    ],
)  # fmt: skip
def test_a_workload_statement_iam_would_refuse_or_never_match_is_refused(workload, expected):
    assert expected in problems(clusters=[cluster(workloadRoles=[workload])])


def test_workload_statements_iam_accepts_pass():
    conditions = [{"operator": "ForAnyValue:StringLikeIfExists", "key": "s3:prefix", "values": ["a/*"]}]
    settings_from_config(
        config(clusters=[cluster(workloadRoles=[statement(actions=["s3:Get*"], conditions=conditions)])])
    )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"iamPath": "/rosa_team/"},
         "iamPath = '/rosa_team/': must be an IAM path: '/' or '/a/b/', segments of letters and digits (rosa's --path"),
        ({"iamPath": "/a.b/"}, "iamPath = '/a.b/'"),
        ({"clusters": [cluster(oidc={"mode": "self-hosted", "bucketName": "amzn-s3-demo-issuer"})]},
         "oidc.bucketName = 'amzn-s3-demo-issuer': must be an S3 bucket name"),
        ({"backup": {"bucketName": "vault--table-s3"}}, "backup.bucketName = 'vault--table-s3'"),
        ({"clusters": [cluster(name="sg-prod", network={"vpcId": "vpc-0123456789abcdef0", "subnetIds": SUBNET_IDS})]},
         "clusters[0].name = 'sg-prod': its security groups would be named like 'sg-prod-compute', and EC2 refuses"),
    ],
)  # fmt: skip
def test_names_aws_or_rosa_would_refuse_half_way_are_refused_up_front(settings, expected):
    assert expected in problems(**settings)


def test_a_derived_bucket_name_is_explained_as_a_bucket_not_as_the_oidc_issuer():
    message = problems(backup={"accessLogging": True, "bucketName": "b" * 60})
    assert "access log bucket name" in message and "issuer" not in message
