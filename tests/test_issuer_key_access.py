"""Nothing reads a self-hosted issuer's private key but the Installer roles and the break-glass principal, and nothing
but break-glass changes it: the secret's resource policy and its KMS key's policy, as `python -m tools.issuer_key`
applied them in moto (which stores them and enforces neither), evaluated with an IAM policy evaluator
(tests/iam_evaluation.py) for every role the prod stack renders, Red Hat's HCP Installer policy, and a principal
allowed everything, standing for anyone else in the account.

Reading the key takes two grants: `secretsmanager:GetSecretValue` on the secret, and `kms:Decrypt` of its key through
Secrets Manager for that secret (AWS Secrets Manager User Guide, "Secret encryption and decryption").
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import boto3
import pytest
from moto import mock_aws

from foundation import issuer_key
from render.runtime import render_stack
from tests.conftest import ISSUER_SIGNING_KEY
from tests.iam_evaluation import Decision, Document, evaluate, role_policies
from tools.issuer_key import IssuerKeyRequest, ensure_issuer_key

EVERYTHING: Document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@dataclass(frozen=True)
class Issuer:
    """The prod stack's self-hosted issuer (ledger) with its key made as the README says."""

    account: str
    region: str
    secret_arn: str
    key_arn: str
    secret_policy: Document
    key_policy: Document
    installer: str
    hcp_installer: str
    break_glass: str
    roles: dict[str, list[Document]]  # every role prod renders, with its identity documents

    def reads(self, principal: str, identity: list[Document]) -> tuple[Decision, Decision]:
        """GetSecretValue of the secret, and the Decrypt Secrets Manager then makes on `principal`'s behalf."""
        tagged = {f"aws:ResourceTag/{k}": v for k, v in issuer_key.SECRET_TAGS.items()}
        secret = evaluate(
            identity, self.secret_policy, principal, "secretsmanager:GetSecretValue", self.secret_arn, tagged
        )
        through_secrets_manager = {
            "kms:ViaService": f"secretsmanager.{self.region}.amazonaws.com",
            "kms:CallerAccount": self.account,
            "kms:EncryptionContext:SecretARN": self.secret_arn,
        }
        key = evaluate(identity, self.key_policy, principal, "kms:Decrypt", self.key_arn, through_secrets_manager)
        return secret, key

    def may_read(self, principal: str, identity: list[Document]) -> bool:
        return all(decision.allowed for decision in self.reads(principal, identity))


@functools.cache
def prod_issuer() -> Issuer:
    render = render_stack("prod")
    (ledger,) = [c for c in render.outputs["clusters"].values() if c["oidcPrivateKeySecretArn"]]
    installers = render.outputs["accountRoleArns"]
    installer, hcp_installer = installers["classic"]["installer"], installers["hcp"]["installer"]
    account, region = ledger["oidcPrivateKeySecretArn"].split(":")[4], ledger["oidcPrivateKeySecretArn"].split(":")[3]
    break_glass = f"arn:aws:iam::{account}:role/admin/BreakGlass"
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("MOTO_ACCOUNT_ID", account)
        admin = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=region)
        credentials = admin.client("sts").assume_role(RoleArn=break_glass, RoleSessionName="break-glass")["Credentials"]
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region,
        )
        made = ensure_issuer_key(
            session,
            IssuerKeyRequest(
                bucket="acme-prod-ledger-oidc",
                region=region,
                installer_role_arns=(installer, hcp_installer),
                break_glass_arn=break_glass,
                private_key_pem=ISSUER_SIGNING_KEY.read_text(),
            ),
        )
        secrets, kms = session.client("secretsmanager"), session.client("kms")
        secret_policy = json.loads(secrets.get_resource_policy(SecretId=made.secret_arn)["ResourcePolicy"])
        key_policy = json.loads(kms.get_key_policy(KeyId=made.key_arn, PolicyName="default")["Policy"])
    return Issuer(
        account=account,
        region=region,
        secret_arn=made.secret_arn,
        key_arn=made.key_arn,
        secret_policy=secret_policy,
        key_policy=key_policy,
        installer=installer,
        hcp_installer=hcp_installer,
        break_glass=break_glass,
        roles=role_policies(render, "aws", account),
    )


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return prod_issuer()


def test_the_installer_roles_read_the_key_with_rosas_own_policies(issuer, reference_dir):
    """The classic Installer with its rendered policy; the HCP one with Red Hat's ROSAInstallerPolicy (AWS-managed,
    so not in the render): both allow GetSecretValue on secrets tagged red-hat-managed, which the secret is."""
    hcp_policy = json.loads(
        (reference_dir / "policies" / "hcp" / "sts_hcp_installer_permission_policy.json").read_text()
    )
    assert issuer.may_read(issuer.installer, issuer.roles[issuer.installer]), issuer.reads(
        issuer.installer, issuer.roles[issuer.installer]
    )
    assert issuer.may_read(issuer.hcp_installer, [hcp_policy]), issuer.reads(issuer.hcp_installer, [hcp_policy])


def test_the_break_glass_principal_reads_and_alone_changes_the_key(issuer):
    assert issuer.may_read(issuer.break_glass, [EVERYTHING])
    for action in issuer_key.CHANGE:
        assert evaluate([EVERYTHING], issuer.secret_policy, issuer.break_glass, action, issuer.secret_arn).allowed
    window = {"kms:CallerAccount": issuer.account, "kms:ScheduleKeyDeletionPendingWindowInDays": "30"}
    for action in ("kms:PutKeyPolicy", "kms:DisableKey", "kms:ScheduleKeyDeletion"):
        assert evaluate([], issuer.key_policy, issuer.break_glass, action, issuer.key_arn, window).allowed


def test_no_other_role_of_the_stack_reads_the_key_even_allowed_everything(issuer):
    """The pipeline's deploy and preview roles, operator, backup and instance roles: none reads it with its rendered
    policies, nor with every action allowed on top (a pipeline that widened its own policy)."""
    readers = {issuer.installer, issuer.hcp_installer}
    others = {arn: documents for arn, documents in issuer.roles.items() if arn not in readers}
    assert any(":role/rosa/prod/ProdOpenShift-github-deploy-" in arn for arn in others)
    reading = [arn for arn, documents in others.items() if issuer.may_read(arn, documents)]
    reading += [arn for arn in others if any(d.allowed for d in issuer.reads(arn, [EVERYTHING]))]
    assert reading == []


def test_anyone_else_allowed_everything_neither_reads_nor_changes_the_key(issuer):
    anyone = f"arn:aws:iam::{issuer.account}:role/AccountAdministrator"
    secret, key = issuer.reads(anyone, [EVERYTHING])
    assert not secret.allowed and "Explicit Deny: Resource Policy" in secret.reason
    assert not key.allowed
    changes = [
        action
        for action in issuer_key.CHANGE
        if evaluate([EVERYTHING], issuer.secret_policy, anyone, action, issuer.secret_arn).allowed
    ]
    in_account = {"kms:CallerAccount": issuer.account, "kms:ScheduleKeyDeletionPendingWindowInDays": "30"}
    changes += [
        action
        for action in ("kms:PutKeyPolicy", "kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:Decrypt")
        if evaluate([EVERYTHING], issuer.key_policy, anyone, action, issuer.key_arn, in_account).allowed
    ]
    assert changes == []


def test_an_installer_reads_the_key_but_never_changes_it(issuer):
    changes = [
        action
        for action in issuer_key.CHANGE
        if evaluate([EVERYTHING], issuer.secret_policy, issuer.installer, action, issuer.secret_arn).allowed
    ]
    assert changes == []


def test_not_even_break_glass_schedules_the_keys_deletion_with_a_short_window(issuer):
    short = {"kms:CallerAccount": issuer.account, "kms:ScheduleKeyDeletionPendingWindowInDays": "7"}
    assert not evaluate(
        [EVERYTHING], issuer.key_policy, issuer.break_glass, "kms:ScheduleKeyDeletion", issuer.key_arn, short
    ).allowed


def test_without_its_resource_policy_anyone_allowed_secretsmanager_read_the_key(issuer):
    """What earlier versions of the stack left (no resource policy, Secrets Manager's own key, which serves everyone
    in the account): the evaluation above is what stops them, not the shape of the identity policies."""
    anyone = f"arn:aws:iam::{issuer.account}:role/AccountAdministrator"
    assert evaluate([EVERYTHING], None, anyone, "secretsmanager:GetSecretValue", issuer.secret_arn).allowed
