"""Pulumi mocks whose resource registrations land in moto: each resource makes the AWS calls pulumi-aws makes for it,
and its outputs are moto's answers. After the program runs, a test reads the account back with boto3.

What moto cannot hold or check is left to the offline mocks and to the project's own validation (see
../shared/reference/moto.md): the OIDC discovery objects (moto's reading of a TLS-only bucket policy refuses every
object call), CloudFront, AWS RAM's principal and resource associations (moto 5.2.5 answers AssociateResourceShare
"Not yet implemented"), and every IAM condition's meaning.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import boto3
import pulumi

from foundation.iam import canonical
from render.mocks import AccountMocks, MockAccount
from render.runtime import plain

Handler = Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]


def _tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or []}


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


class MotoMocks(pulumi.runtime.Mocks):
    def __init__(self, account: MockAccount):
        self.account = account
        self.offline = AccountMocks(account)
        # The SDK registers resources from several threads; moto's in-memory backends are not thread-safe.
        self._one_call_at_a_time = threading.Lock()
        self.imported: list[str] = []  # the import ids of the resources imported, in order
        self.closed = False
        # Each AWS provider's default tags, by the provider's name: pulumi-aws adds them to every taggable resource.
        self._default_tags: dict[str, dict[str, str]] = {}
        self._handlers: dict[str, Handler] = {
            "aws:iam/role:Role": self._role,
            "aws:iam/policy:Policy": self._policy,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": self._attachment,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": self._oidc_provider,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls": self._ownership,
            "aws:s3/bucketVersioning:BucketVersioning": self._versioning,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": self._encryption,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": self._public_access,
            "aws:s3/bucketPolicy:BucketPolicy": self._bucket_policy,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": self._lifecycle,
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": self._object_lock,
            "aws:s3/bucketLogging:BucketLogging": self._logging,
            "aws:s3/bucketReplicationConfig:BucketReplicationConfig": self._replication,
            "aws:kms/key:Key": self._kms_key,
            "aws:kms/alias:Alias": self._kms_alias,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:ec2/securityGroup:SecurityGroup": self._security_group,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": self._ingress_rule,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": self._egress_rule,
            "aws:route53/zone:Zone": self._hosted_zone,
            "aws:ram/resourceShare:ResourceShare": self._resource_share,
        }

    def client(self, service: str, region: str | None = None) -> Any:
        return boto3.client(
            service,
            region_name=region or self.account.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == "pulumi:providers:aws" and args.inputs.get("defaultTags"):
            self._default_tags[args.name] = json.loads(args.inputs["defaultTags"]).get("tags") or {}
        handler = self._handlers.get(args.typ)
        if handler is None:  # components, providers, and what moto cannot hold (module docstring)
            return self.offline.new_resource(args)
        inputs = plain(dict(args.inputs))  # protobuf's doubles back to integers, as the provider would send them
        # A provider reference is `<urn>::<id>`, the URN ending `::<provider name>`.
        provider = (args.provider or "").split("::")[-2:-1]
        default_tags = self._default_tags.get(provider[0], {}) if provider else {}
        if default_tags:  # what AWS stores: the provider's default tags under the resource's own (tags_all)
            inputs["tags"] = {**default_tags, **(inputs.get("tags") or {})}
        with self._one_call_at_a_time:
            if self.closed:
                raise RuntimeError(f"{args.name}: registered after its run failed; nothing was made")
            if args.resource_id:  # the `import_` option: read what exists, as `pulumi up` imports it
                resource_id, computed = self._import(args.typ, args.resource_id, inputs)
            else:
                resource_id, computed = handler(args.name, inputs)
        return resource_id, {**args.inputs, **computed}

    # --- imports (`rosa-foundation:adopt`) ---------------------------------------------------------------------

    def _import(self, type_: str, import_id: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Read the resource `import_id` names and refuse it, as Pulumi's import does, where what it holds differs
        from the declared `inputs` ("inputs to import do not match the existing resource"). Descriptions are not
        compared: the stack ignores them on what rosa makes (components/role.py `rosa_made_options`)."""
        iam = self.client("iam")
        differences: list[str] = []

        def expect(what: str, exists: Any, declared: Any) -> None:
            if exists != declared:
                differences.append(f"{what}: exists {exists!r}, declared {declared!r}")

        if type_ == "aws:iam/role:Role":
            role = iam.get_role(RoleName=import_id)["Role"]
            expect("name", role["RoleName"], inputs["name"])
            expect("path", role["Path"], inputs["path"])
            expect("trust", canonical(role["AssumeRolePolicyDocument"]), canonical(inputs["assumeRolePolicy"]))
            boundary = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            expect("permissionsBoundary", boundary, inputs.get("permissionsBoundary"))
            expect("maxSessionDuration", role["MaxSessionDuration"], inputs["maxSessionDuration"])
            expect("tags", _tag_map(role.get("Tags")), inputs.get("tags") or {})
            outputs = {"arn": role["Arn"], "uniqueId": role["RoleId"]}
        elif type_ == "aws:iam/policy:Policy":
            policy = iam.get_policy(PolicyArn=import_id)["Policy"]
            version = iam.get_policy_version(PolicyArn=import_id, VersionId=policy["DefaultVersionId"])
            expect("name", policy["PolicyName"], inputs["name"])
            expect("path", policy["Path"], inputs["path"])
            expect("policy", canonical(version["PolicyVersion"]["Document"]), canonical(inputs["policy"]))
            expect("tags", _tag_map(iam.list_policy_tags(PolicyArn=import_id)["Tags"]), inputs.get("tags") or {})
            outputs = {"arn": policy["Arn"], "policyId": policy["PolicyId"]}
        elif type_ == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            role, policy_arn = import_id.split("/", 1)
            attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]
            expect("attached", policy_arn in attached, True)
            expect("role/policyArn", (role, policy_arn), (inputs["role"], inputs["policyArn"]))
            outputs = {}
        elif type_ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=import_id)
            expect("url", provider["Url"].removeprefix("https://"), inputs["url"].removeprefix("https://"))
            expect("clientIdLists", sorted(provider["ClientIDList"]), sorted(inputs["clientIdLists"]))
            if inputs.get("thumbprintLists"):  # optional and computed: IAM's own when none is declared
                expect("thumbprintLists", provider["ThumbprintList"], inputs["thumbprintLists"])
            expect("tags", _tag_map(provider.get("Tags")), inputs.get("tags") or {})
            outputs = {"arn": import_id}
        else:
            raise ValueError(f"the moto account imports no {type_}")
        if differences:
            raise ValueError(f"inputs to import do not match the existing resource {import_id}: {differences}")
        self.imported.append(import_id)
        return import_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        return self.offline.call(args)

    def close(self) -> None:
        """After a failed run: the SDK may still be registering the rest of the program from its threads; none of it
        may reach moto, where the next test's account lives."""
        with self._one_call_at_a_time:
            self.closed = True

    # --- IAM -----------------------------------------------------------------------------------------------------

    def _role(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        iam = self.client("iam")
        extra = {"PermissionsBoundary": inputs["permissionsBoundary"]} if inputs.get("permissionsBoundary") else {}
        role = iam.create_role(
            RoleName=inputs["name"],
            Path=inputs["path"],
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            MaxSessionDuration=inputs["maxSessionDuration"],
            Description=inputs["description"],
            Tags=_tags(inputs.get("tags")),
            **extra,
        )["Role"]
        # create_role checks nothing in moto; this call runs IAM's trust policy syntax check.
        iam.update_assume_role_policy(RoleName=inputs["name"], PolicyDocument=inputs["assumeRolePolicy"])
        return role["RoleName"], {"arn": role["Arn"], "uniqueId": role["RoleId"]}

    def _policy(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        policy = self.client("iam").create_policy(
            PolicyName=inputs["name"],
            Path=inputs["path"],
            PolicyDocument=inputs["policy"],
            Description=inputs["description"],
            Tags=_tags(inputs.get("tags")),
        )["Policy"]
        return policy["Arn"], {"arn": policy["Arn"], "policyId": policy["PolicyId"]}

    def _attachment(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.client("iam").attach_role_policy(RoleName=inputs["role"], PolicyArn=inputs["policyArn"])
        return f"{inputs['role']}/{inputs['policyArn']}", {}

    def _role_policy(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.client("iam").put_role_policy(
            RoleName=inputs["role"], PolicyName=inputs["name"], PolicyDocument=inputs["policy"]
        )
        return f"{inputs['role']}:{inputs['name']}", {}

    def _oidc_provider(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self.client("iam").create_open_id_connect_provider(
            Url=inputs["url"],
            ClientIDList=inputs["clientIdLists"],
            ThumbprintList=inputs.get("thumbprintLists") or [],
            Tags=_tags(inputs.get("tags")),
        )["OpenIDConnectProviderArn"]
        return arn, {"arn": arn}

    # --- S3 ------------------------------------------------------------------------------------------------------

    def _s3(self, inputs: dict[str, Any]) -> Any:
        return self.client("s3", inputs.get("region"))

    def _bucket(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        region = inputs.get("region") or self.account.region
        s3, bucket = self.client("s3", region), inputs["bucket"]
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=bool(inputs.get("objectLockEnabled")), **location)
        if inputs.get("tags"):
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": _tags(inputs["tags"])})
        return self.offline._bucket(name, inputs)  # ARN and host names, as AWS spells them

    def _ownership(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._s3(inputs).put_bucket_ownership_controls(
            Bucket=inputs["bucket"],
            OwnershipControls={"Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]},
        )
        return inputs["bucket"], {}

    def _versioning(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._s3(inputs).put_bucket_versioning(
            Bucket=inputs["bucket"], VersioningConfiguration={"Status": inputs["versioningConfiguration"]["status"]}
        )
        return inputs["bucket"], {}

    def _encryption(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rule = inputs["rules"][0]
        default = rule["applyServerSideEncryptionByDefault"]
        by_default = {"SSEAlgorithm": default["sseAlgorithm"]}
        if default.get("kmsMasterKeyId"):
            by_default["KMSMasterKeyID"] = default["kmsMasterKeyId"]
        self._s3(inputs).put_bucket_encryption(
            Bucket=inputs["bucket"],
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": by_default,
                        "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled")),
                    }
                ]
            },
        )
        return inputs["bucket"], {}

    def _public_access(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        keys = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        self._s3(inputs).put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={k: bool(inputs.get(k[0].lower() + k[1:])) for k in keys},
        )
        return inputs["bucket"], {}

    def _bucket_policy(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._s3(inputs).put_bucket_policy(Bucket=inputs["bucket"], Policy=inputs["policy"])
        return inputs["bucket"], {}

    def _lifecycle(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._s3(inputs).put_bucket_lifecycle_configuration(
            Bucket=inputs["bucket"], LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in inputs["rules"]]}
        )
        return inputs["bucket"], {}

    def _object_lock(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        # Turns object lock on for a bucket made without it, as AWS does for a versioned one; moto does it only for an
        # empty bucket ("Bucket needs to be empty"), which a vault is here.
        retention = inputs["rule"]["defaultRetention"]
        self._s3(inputs).put_object_lock_configuration(
            Bucket=inputs["bucket"],
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": retention["mode"], "Days": retention["days"]}},
            },
        )
        return inputs["bucket"], {}

    def _logging(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._s3(inputs).put_bucket_logging(
            Bucket=inputs["bucket"],
            BucketLoggingStatus={
                "LoggingEnabled": {"TargetBucket": inputs["targetBucket"], "TargetPrefix": inputs["targetPrefix"]}
            },
        )
        return inputs["bucket"], {}

    def _replication(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        rules = []
        for rule in inputs["rules"]:
            destination = rule["destination"]
            rules.append(
                {
                    "ID": rule["id"],
                    "Status": rule["status"],
                    "Priority": 1,
                    "Filter": {"Prefix": rule["filter"]["prefix"]},
                    "DeleteMarkerReplication": {"Status": rule["deleteMarkerReplication"]["status"]},
                    "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                    "Destination": {
                        "Bucket": destination["bucket"],
                        "StorageClass": destination["storageClass"],
                        "EncryptionConfiguration": {
                            "ReplicaKmsKeyID": destination["encryptionConfiguration"]["replicaKmsKeyId"]
                        },
                    },
                }
            )
        self._s3(inputs).put_bucket_replication(
            Bucket=inputs["bucket"], ReplicationConfiguration={"Role": inputs["role"], "Rules": rules}
        )
        return inputs["bucket"], {}

    # --- KMS, EC2 -----------------------------------------------------------------------------------------------

    def _kms_key(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        kms = self.client("kms", inputs.get("region"))
        key = kms.create_key(
            Description=inputs["description"],
            Policy=inputs["policy"],
            BypassPolicyLockoutSafetyCheck=bool(inputs.get("bypassPolicyLockoutSafetyCheck")),
            Tags=[{"TagKey": k, "TagValue": v} for k, v in (inputs.get("tags") or {}).items()],
        )["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        return key["KeyId"], {"arn": key["Arn"], "keyId": key["KeyId"]}

    def _kms_alias(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self.client("kms", inputs.get("region")).create_alias(
            AliasName=inputs["name"], TargetKeyId=inputs["targetKeyId"]
        )
        return inputs["name"], {}

    def _log_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        logs = self.client("logs", inputs.get("region"))
        logs.create_log_group(logGroupName=inputs["name"], kmsKeyId=inputs["kmsKeyId"], tags=inputs.get("tags") or {})
        logs.put_retention_policy(logGroupName=inputs["name"], retentionInDays=inputs["retentionInDays"])
        (group,) = logs.describe_log_groups(logGroupNamePrefix=inputs["name"])["logGroups"]
        return inputs["name"], {"arn": group["arn"].removesuffix(":*")}  # the provider's ARN, without `:*`

    def _security_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ec2 = self.client("ec2", inputs.get("region"))
        group_id = ec2.create_security_group(
            GroupName=inputs["name"],
            Description=inputs["description"],
            VpcId=inputs["vpcId"],
            TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags(inputs.get("tags"))}],
        )["GroupId"]
        # pulumi-aws removes the allow-all egress rule AWS adds to every new group; so does this mock.
        ec2.revoke_security_group_egress(
            GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )
        return group_id, {
            "arn": f"arn:aws:ec2:{self.account.region}:{self.account.account_id}:security-group/{group_id}"
        }

    def _ingress_rule(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self._rule("authorize_security_group_ingress", inputs)

    def _egress_rule(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return self._rule("authorize_security_group_egress", inputs)

    def _rule(self, call: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        authorize = getattr(self.client("ec2", inputs.get("region")), call)
        rules = authorize(GroupId=inputs["securityGroupId"], IpPermissions=[_permission(inputs)])["SecurityGroupRules"]
        return rules[0]["SecurityGroupRuleId"], {}

    # --- Route53, RAM -------------------------------------------------------------------------------------------

    def _hosted_zone(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        (vpc,) = inputs["vpcs"]  # a private zone, in the shared VPC (pulumi-aws associates further ones separately)
        zone = self.client("route53").create_hosted_zone(
            Name=inputs["name"],
            CallerReference=name,
            HostedZoneConfig={"Comment": inputs["comment"], "PrivateZone": True},
            VPC={"VPCRegion": vpc["vpcRegion"], "VPCId": vpc["vpcId"]},
        )["HostedZone"]
        zone_id = zone["Id"].rsplit("/", 1)[-1]
        if inputs.get("tags"):
            self.client("route53").change_tags_for_resource(
                ResourceType="hostedzone", ResourceId=zone_id, AddTags=_tags(inputs["tags"])
            )
        return zone_id, {"zoneId": zone_id, "arn": f"arn:aws:route53:::hostedzone/{zone_id}", "nameServers": []}

    def _resource_share(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        share = self.client("ram").create_resource_share(
            name=inputs["name"],
            allowExternalPrincipals=bool(inputs.get("allowExternalPrincipals")),
            tags=[{"key": k, "value": v} for k, v in (inputs.get("tags") or {}).items()],
        )["resourceShare"]
        return share["resourceShareArn"], {"arn": share["resourceShareArn"]}


def _permission(inputs: dict[str, Any]) -> dict[str, Any]:
    permission: dict[str, Any] = {"IpProtocol": inputs["ipProtocol"]}
    if "fromPort" in inputs:
        permission |= {"FromPort": inputs["fromPort"], "ToPort": inputs["toPort"]}
    if inputs.get("cidrIpv6"):
        permission["Ipv6Ranges"] = [{"CidrIpv6": inputs["cidrIpv6"], "Description": inputs["description"]}]
    else:
        permission["IpRanges"] = [{"CidrIp": inputs["cidrIpv4"], "Description": inputs["description"]}]
    return permission


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """pulumi-aws's lifecycle rule (camelCase inputs) as the S3 API takes it."""
    out: dict[str, Any] = {"ID": rule["id"], "Status": rule["status"], "Filter": {"Prefix": rule["filter"]["prefix"]}}
    expiration = rule.get("expiration") or {}
    if "days" in expiration:
        out["Expiration"] = {"Days": expiration["days"]}
    if expiration.get("expiredObjectDeleteMarker"):
        out["Expiration"] = {"ExpiredObjectDeleteMarker": True}
    if rule.get("noncurrentVersionExpiration"):
        out["NoncurrentVersionExpiration"] = {"NoncurrentDays": rule["noncurrentVersionExpiration"]["noncurrentDays"]}
    if rule.get("abortIncompleteMultipartUpload"):
        days = rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"]
        out["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": days}
    return out
