"""What rosa makes in an account, made the way rosa makes it, into moto: the account the adopt tests start from.

Every call mirrors one of rosa's, read from openshift/rosa at d80ba251c0dd (foundation/data/SOURCES.md, "Adopting
what rosa made"):

- `rosa create account-roles --mode auto [--hosted-cp | --classic] --prefix P [--path] [--permissions-boundary]
  [--external-id]`: `cmd/create/accountroles/creators.go` (`hcpManagedPoliciesCreator` and
  `unmanagedPoliciesCreator.createRoles`, `createRoleUnmanagedPolicy`, `getBaseRoleTags`: `rosa_openshift_version`,
  `rosa_role_prefix`, `rosa_role_type`, `red-hat-managed` on every account role, HCP's add `rosa_managed_policies`
  and `rosa_hcp_policies`; a classic role's policy `<role>-Policy` carries the role's tags); role names
  `<prefix>-<role>-Role` from `vendor/github.com/openshift-online/ocm-common/pkg/aws/validations/iam_helpers.go`
  (`GetRoleName`) and `pkg/aws/policies.go` (`AccountRoles`, `HCPAccountRoles`, the role keys that are the
  `rosa_role_type` values); `pkg/aws/policies.go` (`createRole`: name, trust, tags, path, boundary and nothing else,
  so no description and IAM's default one-hour session; `createPolicy`); trust from OCM's
  `sts_<role key>_trust_policy` template interpolated by `pkg/aws/sts_external_id.go`
  (`BuildAccountRoleAssumeRolePolicy`: the jump account of `pkg/aws/helpers.go` `GetJumpAccount`) and
  `pkg/aws/policy_document.go` (`InterpolatePolicyDocument`), the external id added by
  `vendor/github.com/openshift-online/ocm-common/pkg/aws/ststrust/apply.go` (`StringEquals` `sts:ExternalId`) on the
  Installer and Support roles only (`.../ocm-common/pkg/rosa/accountroles/external_id.go`).
- `rosa create operator-roles --mode auto --prefix P --oidc-config-id C --installer-role-arn A [--hosted-cp]`:
  `cmd/create/operatorroles/by_prefix.go` (`createRolesByPrefix`: the path of the Installer role, the tags
  `operator_namespace`, `operator_name`, `red-hat-managed`, plus `rosa_managed_policies` and `rosa_hcp_policies` for
  HCP; a classic operator policy `<account prefix>-<namespace>-<name>` (`pkg/aws/helpers.go`
  `GetOperatorPolicyARN`) tagged `rosa_openshift_version`, `rosa_role_prefix`, `red-hat-managed`,
  `operator_namespace`, `operator_name`), role names `pkg/aws/helpers.go` (`ComputeOperatorRoleArn`, cut to 64),
  trust `pkg/aws/policy_document.go` (`GenerateOperatorRolePolicyDocByOidcEndpointUrl`: OCM's
  `operator_iam_role_policy` with the provider ARN, the issuer `<host>/<path>` and the service accounts).
- `rosa create ocm-role --mode auto --prefix P [--admin | --no-console] [--path] [--permissions-boundary]`:
  `internal/ocmrole/core.go` (`CreateRolesInternal`: name `<prefix>-OCM-Role-<organisation external id>`,
  `pkg/aws/helpers.go` `GetOCMRoleName`; trust OCM's `sts_ocm_trust_policy` with the jump account and the
  organisation id; tags `rosa_role_prefix`, `rosa_role_type` `OCM`, `rosa_environment`, `red-hat-managed`; the
  profile's policies `<role>-Policy` (standard, and admin's first), `<role>-Admin-Policy`, `<role>-NoConsole-Policy`
  from `sts_ocm[_admin|_no_console]_permission_policy` on the role's path, the admin and no-console ones and the
  role tagged `rosa_admin_role` / `rosa_no_console_role` `true`; `pkg/aws/policies.go` `createPolicy`).
- `rosa create user-role --mode auto --prefix P [--path] [--permissions-boundary]`: `cmd/create/userrole/cmd.go`
  (`createRoles`: `<prefix>-User-<OCM username>-Role`, `GetUserRoleName`; trust `sts_ocm_user_trust_policy` with
  the jump account and the OCM account id; the OCM role's tags with `rosa_role_type` `User`; no policy).
- `rosa create oidc-provider --mode auto --oidc-config-id C`: `cmd/create/oidcprovider/cmd.go` and
  `pkg/aws/idps.go` (`CreateOpenIDConnectProvider`: client ids `openshift` and `sts.amazonaws.com`, the thumbprint
  OCM computes, the tag `red-hat-managed=true`).

What rosa reads from OCM (the trust and permission templates, the operators and their service accounts, the names of
AWS's managed policies) comes from Red Hat's published reference (`../shared/reference/rosa/`: `catalogue.json` and
`policies/sts/<x.y>/`, managed-cluster-config's documents), never from this project's catalogue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROLE_NAME_MAX = 64  # ocm-common consts.MaxAwsRoleLength; TruncateRoleName
JUMP_ACCOUNTS = {"production": "710019948333", "staging": "644306948063"}  # pkg/aws/helpers.go GetJumpAccount
EXTERNAL_ID_ROLES = ("installer", "support")  # ocm-common RequiresSTSExternalIDInTrustPolicy


def _cut(name: str) -> str:
    return name[:ROLE_NAME_MAX]


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@dataclass(frozen=True)
class Rosa:
    """rosa, run with one AWS account's credentials (a boto3 IAM client on moto) and Red Hat's published reference."""

    iam: Any
    account: str
    reference: Path  # ../shared/reference/rosa
    policy_version: str  # what OCM answers GetPolicyVersion with: the newest minor, e.g. "4.20"
    partition: str = "aws"
    environment: str = "production"

    @property
    def catalogue(self) -> dict[str, Any]:
        return json.loads((self.reference / "catalogue.json").read_text())

    def _template(self, name: str) -> str:
        return (self.reference / "policies" / "sts" / self.policy_version / f"{name}.json").read_text()

    def _interpolate(self, document: str, values: dict[str, str]) -> str:
        """`InterpolatePolicyDocument`: `%{key}` replaced, then every `arn:aws:` put in the partition."""
        for key, value in values.items():
            document = document.replace(f"%{{{key}}}", value)
        return document.replace("arn:aws:", f"arn:{self.partition}:")

    def _path_args(self, path: str, boundary: str | None) -> dict[str, Any]:
        return {"Path": path, **({"PermissionsBoundary": boundary} if boundary else {})}

    def create_account_roles(
        self,
        topology: str,
        prefix: str = "ManagedOpenShift",
        path: str = "/",
        boundary: str | None = None,
        external_id: str | None = None,
    ) -> dict[str, str]:
        """`rosa create account-roles --mode auto --hosted-cp` (topology `hcp`) or `--classic`; the roles' ARNs by
        role key (`installer`, `support`, `instance_worker`, `instance_controlplane`)."""
        arns = {}
        for spec in self.catalogue[topology]["account_roles"]:
            key, name = spec["role_type"], _cut(f"{prefix}-{spec['role']}-Role")
            trust = self._interpolate(
                self._template(f"sts_{key}_trust_policy"),
                {"partition": self.partition, "aws_account_id": JUMP_ACCOUNTS[self.environment]},
            )
            if external_id and key in EXTERNAL_ID_ROLES:
                document = json.loads(trust)
                for statement in document["Statement"]:
                    statement.setdefault("Condition", {}).setdefault("StringEquals", {})["sts:ExternalId"] = external_id
                trust = json.dumps(document)
            tags = {
                "rosa_openshift_version": self.policy_version,
                "rosa_role_prefix": prefix,
                "rosa_role_type": key,
                "red-hat-managed": "true",
            }
            if topology == "hcp":
                tags |= {"rosa_managed_policies": "true", "rosa_hcp_policies": "true"}
            role = self.iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=trust, Tags=_tags(tags), **self._path_args(path, boundary)
            )["Role"]
            arns[key] = role["Arn"]
            if topology == "hcp":
                policy_arn = f"arn:{self.partition}:iam::aws:policy/service-role/{spec['managed_policy']}"
            else:
                document = self._template(spec["policy_id"])
                policy_arn = self.iam.create_policy(
                    PolicyName=f"{name}-Policy", PolicyDocument=document, Tags=_tags(tags), Path=path
                )["Policy"]["Arn"]
            self.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
        return arns

    def create_operator_roles(
        self,
        topology: str,
        prefix: str,
        issuer_url: str,
        installer_role_arn: str,
        boundary: str | None = None,
    ) -> list[str]:
        """`rosa create operator-roles --mode auto --prefix <prefix> --oidc-config-id <config>
        --installer-role-arn <installer>` (`--hosted-cp` for `hcp`); the roles' names."""
        # The Installer role's path (`GetPathFromARN`) and prefix (`IsStandardNamedAccountRole`: the name less
        # `-Installer-Role`), which names the classic operator policies.
        role_path, _, installer = installer_role_arn.split(":role", 1)[1].rpartition("/")
        path, account_prefix = f"{role_path}/", installer.removesuffix("-Installer-Role")
        host_path = issuer_url.removeprefix("https://")
        provider_arn = f"arn:{self.partition}:iam::{self.account}:oidc-provider/{host_path}"
        names = []
        for spec in self.catalogue[topology]["operator_roles"]:
            namespace, operator = spec["namespace"], spec["operator"]
            name = _cut(f"{prefix}-{namespace}-{operator}")
            if topology == "hcp":
                policy_arn = f"arn:{self.partition}:iam::aws:policy/service-role/{spec['managed_policy']}"
            else:
                policy_arn = self._classic_operator_policy(account_prefix, spec, path)
            subjects = '" , "'.join(f"system:serviceaccount:{namespace}:{sa}" for sa in spec["service_accounts"])
            trust = self._interpolate(
                self._template("operator_iam_role_policy"),
                {"oidc_provider_arn": provider_arn, "issuer_url": host_path, "service_accounts": subjects},
            )
            tags = {"operator_namespace": namespace, "operator_name": operator, "red-hat-managed": "true"}
            if topology == "hcp":
                tags |= {"rosa_managed_policies": "true", "rosa_hcp_policies": "true"}
            self.iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=trust, Tags=_tags(tags), **self._path_args(path, boundary)
            )
            self.iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
            names.append(name)
        return names

    def _classic_operator_policy(self, account_prefix: str, spec: dict[str, Any], path: str) -> str:
        """`EnsurePolicy` of a classic operator policy: created once, shared by every cluster's operator role."""
        name = _cut(f"{account_prefix}-{spec['namespace']}-{spec['operator']}")
        arn = f"arn:{self.partition}:iam::{self.account}:policy{path}{name}"
        tags = {
            "rosa_openshift_version": self.policy_version,
            "rosa_role_prefix": account_prefix,
            "red-hat-managed": "true",
            "operator_namespace": spec["namespace"],
            "operator_name": spec["operator"],
        }
        try:
            self.iam.get_policy(PolicyArn=arn)
        except self.iam.exceptions.NoSuchEntityException:
            document = self._template(spec["policy_id"])
            self.iam.create_policy(PolicyName=name, PolicyDocument=document, Tags=_tags(tags), Path=path)
        return arn

    def create_ocm_role(
        self,
        organization_id: str,
        external_id: str,
        profile: str = "standard",
        prefix: str = "ManagedOpenShift",
        path: str = "/",
        boundary: str | None = None,
    ) -> str:
        """`rosa create ocm-role --mode auto` (`--admin` for `admin`, `--no-console` for `no-console`); the role's
        name."""
        name = _cut(f"{prefix}-OCM-Role-{external_id}")
        trust = self._interpolate(
            self._template("sts_ocm_trust_policy"),
            {
                "partition": self.partition,
                "aws_account_id": JUMP_ACCOUNTS[self.environment],
                "ocm_organization_id": organization_id,
            },
        )
        tags = {
            "rosa_role_prefix": prefix,
            "rosa_role_type": "OCM",
            "rosa_environment": self.environment,
            "red-hat-managed": "true",
        }
        self.iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=trust, Tags=_tags(tags), **self._path_args(path, boundary)
        )
        policies = {
            "standard": [("ocm", "Policy", None)],
            "admin": [("ocm", "Policy", None), ("ocm_admin", "Admin-Policy", "rosa_admin_role")],
            "no-console": [("ocm_no_console", "NoConsole-Policy", "rosa_no_console_role")],
        }[profile]
        for document, suffix, role_tag in policies:
            tags |= {role_tag: "true"} if role_tag else {}  # rosa adds the profile's tag before its policy
            arn = self.iam.create_policy(
                PolicyName=f"{name}-{suffix}",
                PolicyDocument=self._template(f"sts_{document}_permission_policy"),
                Tags=_tags(tags),
                Path=path,
            )["Policy"]["Arn"]
            self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
            if role_tag:
                self.iam.tag_role(RoleName=name, Tags=_tags({role_tag: "true"}))
        return name

    def create_user_role(
        self, username: str, ocm_account_id: str, prefix: str = "ManagedOpenShift", path: str = "/", boundary=None
    ) -> str:
        """`rosa create user-role --mode auto`, as OCM user `username` of account `ocm_account_id`; the role's name."""
        name = _cut(f"{prefix}-User-{username}-Role")
        trust = self._interpolate(
            self._template("sts_ocm_user_trust_policy"),
            {
                "partition": self.partition,
                "aws_account_id": JUMP_ACCOUNTS[self.environment],
                "ocm_account_id": ocm_account_id,
            },
        )
        tags = {
            "rosa_role_prefix": prefix,
            "rosa_role_type": "User",
            "rosa_environment": self.environment,
            "red-hat-managed": "true",
        }
        self.iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=trust, Tags=_tags(tags), **self._path_args(path, boundary)
        )
        return name

    def create_oidc_provider(self, issuer_url: str, thumbprint: str) -> str:
        """`rosa create oidc-provider --mode auto --oidc-config-id <config>`; the provider's ARN."""
        return self.iam.create_open_id_connect_provider(
            Url=issuer_url,
            ClientIDList=["openshift", "sts.amazonaws.com"],
            ThumbprintList=[thumbprint],
            Tags=_tags({"red-hat-managed": "true"}),
        )["OpenIDConnectProviderArn"]
