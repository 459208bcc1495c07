"""Mocked provider answers that read like AWS's: ARNs from partition, account, path and name; S3 and CloudFront
hostnames."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from foundation import naming


@dataclass(frozen=True)
class MockAccount:
    partition: str
    account_id: str
    region: str
    # Outputs of the stacks a StackReference may name, by stack name (`<org>/<project>/<stack>` or its last part).
    stack_outputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _auto_name(logical: str) -> str:
    """Pulumi's auto-name for a resource given no name: the logical name and a suffix (fixed here)."""
    return f"{logical}-{_digest(logical, 7)}"


class AccountMocks(pulumi.runtime.Mocks):
    """Answers resource registrations as AWS would for `account`; refuses invokes (the program must not need any)."""

    def __init__(self, account: MockAccount):
        self.account = account
        self._outputs: dict[str, Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]] = {
            "aws:iam/role:Role": self._role,
            "aws:iam/policy:Policy": self._policy,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": self._attachment,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": self._oidc_provider,
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:cloudfront/distribution:Distribution": self._distribution,
            "aws:kms/key:Key": self._kms_key,
            "aws:ec2/securityGroup:SecurityGroup": self._security_group,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:route53/zone:Zone": self._hosted_zone,
            "aws:ram/resourceShare:ResourceShare": self._resource_share,
        }

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(args.name, dict(args.inputs))
        make = self._outputs.get(args.typ)
        if make is None:
            return f"{args.name}-{_digest(args.typ + args.name, 8)}", dict(args.inputs)
        resource_id, computed = make(args.name, args.inputs)
        return resource_id, {**args.inputs, **computed}

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        raise RuntimeError(f"the offline render answers no invoke ({args.token}); the program must not need one")

    def _stack_reference(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        stack_name = inputs.get("name") or name
        outputs = self.account.stack_outputs.get(stack_name, self.account.stack_outputs.get(stack_name.split("/")[-1]))
        if outputs is None:
            raise RuntimeError(f"the offline render knows no stack {stack_name!r} to reference; render it first")
        return stack_name, {"name": stack_name, "outputs": dict(outputs), "secretOutputNames": []}

    def _iam_arn(self, kind: str, name: str, inputs: dict[str, Any]) -> str:
        return naming.iam_arn(self.account.partition, self.account.account_id, kind, inputs.get("path", "/"), name)

    def _role(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        role_name = inputs.get("name") or _auto_name(name)
        unique_id = "AROA" + _digest(role_name, 17).upper()
        return role_name, {"name": role_name, "arn": self._iam_arn("role", role_name, inputs), "uniqueId": unique_id}

    def _policy(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        arn = self._iam_arn("policy", inputs.get("name") or _auto_name(name), inputs)
        return arn, {"arn": arn, "policyId": "ANPA" + _digest(arn, 17).upper()}

    def _attachment(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"{inputs['role']}-{_digest(inputs['policyArn'], 20)}", {}

    def _oidc_provider(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        host_path = naming.issuer_host_path(inputs["url"])
        arn = naming.oidc_provider_arn(self.account.partition, self.account.account_id, host_path)
        return arn, {"arn": arn}

    def _bucket(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        bucket, region = inputs["bucket"], inputs.get("region") or self.account.region
        suffix = "amazonaws.com.cn" if self.account.partition == "aws-cn" else "amazonaws.com"
        return bucket, {
            "arn": naming.arn(self.account.partition, "s3", bucket),
            "bucketDomainName": f"{bucket}.s3.{suffix}",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.{suffix}",
            "region": region,
        }

    def _distribution(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        distribution_id = "E" + _digest(name, 13).upper()
        return distribution_id, {
            "arn": naming.arn(
                self.account.partition, "cloudfront", f"distribution/{distribution_id}", account=self.account.account_id
            ),
            "domainName": f"d{_digest(name, 13)}.cloudfront.net",
        }

    def _kms_key(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        digest = _digest(name, 32)
        key_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        region = inputs.get("region") or self.account.region
        arn = naming.arn(self.account.partition, "kms", f"key/{key_id}", account=self.account.account_id, region=region)
        return key_id, {"arn": arn, "keyId": key_id}

    def _log_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        log_group, region = inputs["name"], inputs.get("region") or self.account.region
        arn = naming.arn(
            self.account.partition, "logs", f"log-group:{log_group}", account=self.account.account_id, region=region
        )
        return log_group, {"arn": arn}

    def _security_group(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        group_id = f"sg-{_digest(name, 17)}"
        region = inputs.get("region") or self.account.region
        arn = naming.arn(
            self.account.partition, "ec2", f"security-group/{group_id}", account=self.account.account_id, region=region
        )
        return group_id, {"arn": arn}

    def _hosted_zone(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        zone_id = "Z" + _digest(name, 20).upper()
        arn = naming.arn(self.account.partition, "route53", f"hostedzone/{zone_id}")
        return zone_id, {"zoneId": zone_id, "arn": arn, "nameServers": []}

    def _resource_share(self, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        digest = _digest(name, 32)
        share_id = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        region = inputs.get("region") or self.account.region
        arn = naming.arn(
            self.account.partition, "ram", f"resource-share/{share_id}", account=self.account.account_id, region=region
        )
        return arn, {"arn": arn}
