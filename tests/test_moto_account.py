"""Each example stack applied into moto through the mocks, then read back with boto3 the way an auditor would.

moto stores what it is given and checks IAM policy syntax; it evaluates no condition, enforces no lifecycle and has
no notion of TLS (see ../shared/reference/moto.md). Those meanings are asserted on the documents themselves in the
unit tests; here the question is "is the account what the stack says it is".
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from foundation.catalogue import BACKUP_FREQUENCIES, load_catalogue
from render.runtime import run_main, stack_config, stack_file
from tests.moto_account import MotoMocks

STACKS = ("dev", "staging", "prod")
# The account stack of the split layout: account roles, the OCM role and user roles, no cluster. Its IAM reads back
# like the others'; the per-cluster tests below have nothing to read in it.
IAM_STACKS = (*STACKS, "split-account")
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class Account:
    """The account after the apply: the render, boto3 clients, and the stack's outputs."""

    def __init__(self, stack: str, render, region: str):
        self.stack, self.render, self.region, self.outputs = stack, render, region, render.outputs

    def client(self, service: str, region: str | None = None):
        return boto3.client(
            service, region_name=region or self.region, aws_access_key_id="testing", aws_secret_access_key="testing"
        )

    def inputs(self, type_token: str) -> list[dict]:
        return [r.inputs for r in self.render.of_type(type_token)]

    def tags_of(self, inputs: dict) -> dict[str, str]:
        """What AWS stores: the provider's default tags (the user's) and the resource's own."""
        (provider,) = self.inputs("pulumi:providers:aws")
        defaults = json.loads(provider.get("defaultTags") or "{}").get("tags", {})
        return {**defaults, **(inputs.get("tags") or {})}


@pytest.fixture(scope="module", params=STACKS)
def account(request):
    config = stack_config(stack_file(request.param))
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # the AWS-managed ROSA* policies exist
        patch.setenv("MOTO_ACCOUNT_ID", config["rosa-foundation:accountId"])
        region = config["aws:region"]
        iam = boto3.client("iam", region_name=region, aws_access_key_id="t", aws_secret_access_key="t")
        ec2 = boto3.client("ec2", region_name=region, aws_access_key_id="t", aws_secret_access_key="t")
        clusters = json.loads(config.get("rosa-foundation:clusters", "[]"))
        for cluster in clusters:  # what the account already has: the clusters' VPCs and the users' own policies
            if "network" in cluster:
                cluster["network"]["vpcId"] = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            for workload in cluster.get("workloadRoles", []):
                for arn in workload.get("managedPolicyArns", []):
                    path, name = arn.split(":policy", 1)[1].rsplit("/", 1)
                    iam.create_policy(PolicyName=name, Path=f"{path}/", PolicyDocument=json.dumps(ALLOW_ALL))
        if clusters:
            config["rosa-foundation:clusters"] = json.dumps(clusters)
        render = run_main(config, stack=request.param, mocks_for=MotoMocks)
        yield Account(request.param, render, region)


def _vaults(account: Account) -> list[dict]:
    """Every backup vault's summary: the shared one, or each cluster's own."""
    if account.outputs["backupVault"]:
        return [account.outputs["backupVault"]]
    return [c["backup"]["vault"] for c in account.outputs["clusters"].values() if c["backup"]]


# --- IAM ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("account", IAM_STACKS, indirect=True)
def test_every_role_reads_back_with_path_session_cap_boundary_tags_and_trust(account):
    iam = account.client("iam")
    for role in account.inputs("aws:iam/role:Role"):
        stored = iam.get_role(RoleName=role["name"])["Role"]
        assert stored["Path"] == role["path"]
        assert stored["MaxSessionDuration"] == 3600
        boundary = stored.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        assert boundary == role.get("permissionsBoundary")
        assert {t["Key"]: t["Value"] for t in stored.get("Tags", [])} == account.tags_of(role)
        assert stored["AssumeRolePolicyDocument"] == json.loads(role["assumeRolePolicy"])


@pytest.mark.parametrize("account", IAM_STACKS, indirect=True)
def test_each_role_has_exactly_the_policies_the_stack_attached(account):
    iam = account.client("iam")
    expected: dict[str, set[str]] = {r["name"]: set() for r in account.inputs("aws:iam/role:Role")}
    for attachment in account.inputs("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        expected[attachment["role"]].add(attachment["policyArn"])
    inline = {(p["role"], p["name"]): json.loads(p["policy"]) for p in account.inputs("aws:iam/rolePolicy:RolePolicy")}
    for role_name, arns in expected.items():
        attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
        assert {p["PolicyArn"] for p in attached} == arns, role_name
        for policy_name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
            stored = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
            assert stored == inline.pop((role_name, policy_name))
    assert not inline, f"inline policies the account does not have: {sorted(inline)}"


@pytest.mark.parametrize("account", IAM_STACKS, indirect=True)
def test_customer_managed_policies_read_back_unchanged(account):
    iam = account.client("iam")
    stored = {p["PolicyName"]: p for p in iam.list_policies(Scope="Local")["Policies"]}
    for policy in account.inputs("aws:iam/policy:Policy"):
        version = iam.get_policy_version(
            PolicyArn=stored[policy["name"]]["Arn"], VersionId=stored[policy["name"]]["DefaultVersionId"]
        )
        assert version["PolicyVersion"]["Document"] == json.loads(policy["policy"])


def test_oidc_providers_read_back_with_their_client_ids_and_every_federated_trust_names_one(account):
    iam = account.client("iam")
    arns = {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    declared = {
        p["url"].removeprefix("https://"): p
        for p in account.inputs("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    }
    assert len(arns) == len(declared) == len(account.outputs["clusters"]) + bool(account.outputs["ciIdentity"])
    for arn in arns:
        stored = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        expected = declared[stored["Url"]]
        assert stored["ClientIDList"] == expected["clientIdLists"]
        assert stored["ThumbprintList"] == expected.get("thumbprintLists", [])
        if "openshiftapps" in stored["Url"] or "amazonaws" in stored["Url"] or "cloudfront" in stored["Url"]:
            assert stored["ClientIDList"] == list(load_catalogue().oidc.client_ids)
    for role in account.inputs("aws:iam/role:Role"):
        principal = json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"]
        assert principal.get("Federated", next(iter(arns))) in arns, role["name"]


@pytest.mark.parametrize("account", ["split-account"], indirect=True)
def test_the_ocm_and_user_roles_read_back_as_rosa_lists_them(account):
    """What `rosa list ocm-roles` / `rosa list user-roles` look for (openshift/rosa pkg/aws/policies.go `IsOCMRole`:
    the name holds `OCM-Role`; `IsUserRole`: the name holds `User` and the role is tagged `rosa_role_type=User`),
    and the role ARNs the `rosa link` commands name exist."""
    iam, ocm = account.client("iam"), account.outputs["ocmRoles"]
    roles = {r["Arn"]: r for r in iam.list_roles()["Roles"]}
    linked = [ocm["ocmRole"], *ocm["userRoles"].values()]
    assert len(linked) == 3 and all(role["roleArn"] in roles for role in linked)
    assert [a for a in roles if "OCM-Role" in roles[a]["RoleName"]] == [ocm["ocmRole"]["roleArn"]]
    users = []
    for arn, role in roles.items():
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        if "User" in role["RoleName"] and tags.get("rosa_role_type") == "User":
            users.append(arn)
    assert sorted(users) == sorted(user["roleArn"] for user in ocm["userRoles"].values())
    for role in linked:
        assert role["rosaLinkArgs"][role["rosaLinkArgs"].index("--role-arn") + 1] == role["roleArn"]


# --- backup vaults -----------------------------------------------------------------------------------------------


def test_every_bucket_is_versioned_private_owner_enforced_and_tls_only(account):
    buckets = account.inputs("aws:s3/bucket:Bucket")
    assert buckets
    for bucket in buckets:
        s3, name = account.client("s3", bucket.get("region")), bucket["bucket"]
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        rules = s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
        policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
        deny = next(s for s in policy["Statement"] if s.get("Sid") == "DenyInsecureTransport")
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_vaults_block_all_public_access_and_encrypt_with_their_own_key_and_a_bucket_key(account):
    for vault in _vaults(account):
        for bucket, region, key in (
            (vault["bucket"], vault["region"], vault["kmsKeyArn"]),
            (vault["replicaBucket"], vault["replicaRegion"], vault["replicaKmsKeyArn"]),
        ):
            if bucket is None:
                continue
            s3 = account.client("s3", region)
            block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
            assert block == dict.fromkeys(block, True) and len(block) == 4
            rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
            assert rule["BucketKeyEnabled"] is True


def test_lifecycle_expires_each_frequency_when_its_velero_ttl_ends(account):
    for cluster in account.outputs["clusters"].values():
        backup = cluster["backup"]
        vault = backup["vault"] or account.outputs["backupVault"]
        s3 = account.client("s3", vault["region"])
        rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=vault["bucket"])["Rules"]}
        schedules = {m["metadata"]["name"]: m for m in backup["manifests"] if m["kind"] == "Schedule"}
        for frequency in BACKUP_FREQUENCIES:
            rule = rules[f"expire-{frequency}-backups"]
            ttl = schedules[f"{cluster_name(backup)}-{frequency}"]["spec"]["template"]["ttl"]
            assert rule["Filter"] == {"Prefix": f"{frequency}/"}
            assert backup["prefixes"][frequency].startswith(rule["Filter"]["Prefix"])
            assert ttl == f"{rule['Expiration']['Days'] * 24}h0m0s"
            assert rule["Expiration"]["Days"] >= load_catalogue().backup.schedule(frequency).retention_days
        housekeeping = rules["housekeeping"]
        assert housekeeping["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
        assert housekeeping["NoncurrentVersionExpiration"]["NoncurrentDays"] >= 1
        assert housekeeping["Expiration"] == {"ExpiredObjectDeleteMarker": True}


def cluster_name(backup: dict) -> str:
    return backup["prefixes"]["hourly"].split("/", 1)[1]


def test_object_lock_and_replication_read_back_where_the_stack_asks_for_them(account):
    for vault in _vaults(account):
        s3 = account.client("s3", vault["region"])
        if vault["objectLock"]:
            lock = s3.get_object_lock_configuration(Bucket=vault["bucket"])["ObjectLockConfiguration"]
            retention = lock["Rule"]["DefaultRetention"]
            assert (retention["Mode"], retention["Days"]) == (vault["objectLock"]["mode"], 30)
        if vault["replicaBucket"]:
            config = s3.get_bucket_replication(Bucket=vault["bucket"])["ReplicationConfiguration"]
            (rule,) = config["Rules"]
            assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{vault['replicaBucket']}"
            assert rule["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"] == vault["replicaKmsKeyArn"]
            assert rule["DeleteMarkerReplication"] == {"Status": "Disabled"}
            assert config["Role"].endswith("-replication-" + vault["bucket"])
        if vault["accessLogBucket"]:
            logging = s3.get_bucket_logging(Bucket=vault["bucket"])["LoggingEnabled"]
            assert logging["TargetBucket"] == vault["accessLogBucket"]


# --- KMS ------------------------------------------------------------------------------------------------------------


def test_every_key_rotates_has_its_alias_and_keeps_the_account_root_as_admin(account):
    for key in account.render.of_type("aws:kms/key:Key"):
        kms = account.client("kms", key.inputs.get("region"))
        key_id = _key_id(account, key)
        assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
        policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        assert policy == json.loads(key.inputs["policy"])
        root = next(s for s in policy["Statement"] if s["Sid"] == "AccountRootAdministers")
        assert root["Principal"] == {"AWS": f"arn:aws:iam::{account.outputs['accountId']}:root"}
        aliases = kms.list_aliases(KeyId=key_id)["Aliases"]
        assert [a["AliasName"] for a in aliases] == [f"alias/{_alias(account, key)}"]


def _key_id(account: Account, key) -> str:
    kms = account.client("kms", key.inputs.get("region"))
    ids = [k["KeyId"] for k in kms.list_keys()["Keys"]]
    described = [kms.describe_key(KeyId=i)["KeyMetadata"] for i in ids]
    (match,) = [d["KeyId"] for d in described if d["Description"] == key.inputs["description"]]
    return match


def _alias(account: Account, key) -> str:
    (alias,) = [r for r in account.render.of_type("aws:kms/alias:Alias") if r.name == f"{key.name}-alias"]
    return alias.inputs["name"].removeprefix("alias/")


def test_cluster_volume_keys_admit_the_installer_and_the_ebs_csi_operator(account):
    for name, cluster in account.outputs["clusters"].items():
        key_arn = cluster["kmsKeyArns"]["volumes"]
        kms = account.client("kms")
        policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
        principals = set()
        for statement in policy["Statement"][1:]:
            found = statement["Principal"]["AWS"]
            principals |= {found} if isinstance(found, str) else set(found)
        assert cluster["accountRoleArns"]["installer"] in principals, name
        assert cluster["operatorRoleArns"]["openshift-cluster-csi-drivers/ebs-cloud-credentials"] in principals, name
        assert not any(arn.endswith(":root") for arn in principals)


def test_control_plane_log_groups_read_back_encrypted_with_their_key_and_bounded_retention(account):
    forwarded = {n: c["logForwarding"] for n, c in account.outputs["clusters"].items() if "logForwarding" in c}
    assert bool(forwarded) == (account.stack == "prod")  # prod's payments forwards its control-plane logs
    logs, kms = account.client("logs"), account.client("kms")
    for name, both in forwarded.items():
        forwarding = both["cloudwatch"]
        (group,) = logs.describe_log_groups(logGroupNamePrefix=forwarding["logGroupName"])["logGroups"]
        assert group["kmsKeyId"] == forwarding["kmsKeyArn"], name
        assert group["retentionInDays"] == forwarding["retentionDays"], name
        assert (
            account.tags_of({}).items()
            <= logs.list_tags_for_resource(resourceArn=forwarding["logGroupArn"])["tags"].items()
        )
        policy = json.loads(kms.get_key_policy(KeyId=forwarding["kmsKeyArn"], PolicyName="default")["Policy"])
        (logs_grant,) = [
            s for s in policy["Statement"] if s.get("Principal") == {"Service": "logs.us-east-1.amazonaws.com"}
        ]
        assert logs_grant["Condition"] == {
            "StringEquals": {"kms:EncryptionContext:aws:logs:arn": forwarding["logGroupArn"]}
        }
        role = account.client("iam").get_role(RoleName=forwarding["roleArn"].rsplit("/", 1)[1])["Role"]
        assert role["Path"] == "/" and role["RoleName"].startswith("CustomerLogDistribution-")
        bucket = both["s3"]["bucket"]
        s3 = account.client("s3")
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        expire = next(r for r in rules if r["ID"] == "expire-control-plane-logs")
        assert expire["Expiration"] == {"Days": both["s3"]["retentionDays"]}
        assert expire["Filter"] == {"Prefix": both["s3"]["prefix"]}


# --- security groups -----------------------------------------------------------------------------------------------


def test_security_group_rules_are_exactly_the_listed_cidrs_each_described(account):
    ec2 = account.client("ec2")
    for name, cluster in account.outputs["clusters"].items():
        for node_role, group_id in cluster["securityGroupIds"].items():
            rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])
            stored = rules["SecurityGroupRules"]
            declared = [
                r
                for r in account.inputs("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                + account.inputs("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                if r["securityGroupId"] == group_id
            ]
            assert len(stored) == len(declared), (name, node_role)  # nothing implicit, e.g. AWS's default egress
            for rule in stored:
                assert rule["Description"], rule
                if not rule["IsEgress"]:
                    assert rule["FromPort"] == rule["ToPort"] in (443, 6443)


def test_only_a_declared_public_endpoint_is_open_to_the_world(account):
    ec2 = account.client("ec2")
    public = set()
    for cluster in json.loads(stack_config(stack_file(account.stack))["rosa-foundation:clusters"]):
        if cluster.get("network", {}).get("publicIngress"):
            public.add(cluster["name"])
    for name, cluster in account.outputs["clusters"].items():
        for group_id in cluster["securityGroupIds"].values():
            groups = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
            world = [
                p for p in groups[0]["IpPermissions"] if any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", []))
            ]
            assert not world or (name in public and all(p["FromPort"] == 443 for p in world)), name


def test_a_pinned_thumbprint_reads_back_from_the_oidc_provider():
    from tests.conftest import cluster, config

    thumbprint = "9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"
    settings = config(clusters=[cluster(oidc={"mode": "managed", "configId": "a" * 32, "thumbprint": thumbprint})])
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        patch.setenv("MOTO_ACCOUNT_ID", settings["rosa-foundation:accountId"])
        render = run_main(settings, stack="test", mocks_for=MotoMocks)
        iam = Account("test", render, "us-east-1").client("iam")
        stored = iam.get_open_id_connect_provider(
            OpenIDConnectProviderArn=render.outputs["clusters"]["alpha"]["oidcProviderArn"]
        )
    assert stored["ThumbprintList"] == [thumbprint.lower()]
    assert stored["Url"] == f"oidc.op1.openshiftapps.com/{'a' * 32}"
