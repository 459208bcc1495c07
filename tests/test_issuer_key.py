"""The issuer-key bootstrap (`python -m tools.issuer_key`) against moto: the key lands in Secrets Manager under a
rotating KMS key of its own with the policies `foundation.issuer_key` builds, is never replaced or printed, and an
earlier stack's secret is adopted in place.

moto stores the secret's resource policy and the key policy as given but enforces neither (nor BlockPublicPolicy, nor
KMS's lockout check): `tests/test_issuer_key_access.py` evaluates those documents, as this bootstrap applies them.
moto also lets anyone assume any role, so the break-glass session here is a plain `assume_role`.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import boto3
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws

from foundation import issuer_key, oidc_documents
from render.runtime import PROJECT_ROOT
from tests.conftest import ACCOUNT_ID
from tools.issuer_key import IssuerKeyError, IssuerKeyRequest, ensure_issuer_key, main

REGION = "us-east-1"
BUCKET = f"hosted-oidc-{ACCOUNT_ID}"
SECRET = f"rosa-private-key-{BUCKET}"
INSTALLER = f"arn:aws:iam::{ACCOUNT_ID}:role/rosa/ManagedOpenShift-Installer-Role"
BREAK_GLASS = f"arn:aws:iam::{ACCOUNT_ID}:role/admin/BreakGlass"


@functools.cache
def private_pem(bits: int = 2048, which: int = 0) -> str:
    """A fresh RSA key in PEM (PKCS#1, as rosa stores it), one per (bits, which)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def public_of(pem: str) -> str:
    return issuer_key.public_key_pem(serialization.load_pem_private_key(pem.encode(), password=None))


def request(**fields) -> IssuerKeyRequest:
    values = {
        "bucket": BUCKET,
        "region": REGION,
        "installer_role_arns": (INSTALLER,),
        "break_glass_arn": BREAK_GLASS,
        "private_key_pem": private_pem(),
    }
    return IssuerKeyRequest(**(values | fields))


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT_ID)
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def session_of(admin: boto3.Session, role_arn: str) -> boto3.Session:
    credentials = admin.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="bootstrap")["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def test_the_key_goes_to_a_secret_under_a_rotating_kms_key_of_its_own_with_both_policies(aws):
    result = ensure_issuer_key(session_of(aws, BREAK_GLASS), request())
    secrets, kms = aws.client("secretsmanager"), aws.client("kms")
    secret = secrets.describe_secret(SecretId=SECRET)
    assert secret["ARN"] == result.secret_arn and secret["KmsKeyId"] == result.key_arn
    assert {t["Key"]: t["Value"] for t in secret["Tags"]} == {"red-hat-managed": "true"}
    assert secrets.get_secret_value(SecretId=SECRET)["SecretString"] == private_pem()
    assert result.public_key_pem == public_of(private_pem())
    assert kms.get_key_rotation_status(KeyId=result.key_arn)["KeyRotationEnabled"] is True
    assert kms.describe_key(KeyId=f"alias/rosa-issuer/{BUCKET}")["KeyMetadata"]["Arn"] == result.key_arn
    key_policy = json.loads(kms.get_key_policy(KeyId=result.key_arn, PolicyName="default")["Policy"])
    expected_key_policy = issuer_key.key_policy(
        account_root=f"arn:aws:iam::{ACCOUNT_ID}:root",
        account=ACCOUNT_ID,
        region=REGION,
        secret_arn_pattern=f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{SECRET}-??????",
        readers=(INSTALLER,),
        break_glass=BREAK_GLASS,
        deletion_window_days=30,
    )
    assert key_policy == expected_key_policy.to_dict()
    resource_policy = json.loads(secrets.get_resource_policy(SecretId=SECRET)["ResourcePolicy"])
    assert resource_policy == issuer_key.secret_policy((INSTALLER,), BREAK_GLASS).to_dict()


def yaml_of(text: str) -> dict:
    return yaml.safe_load(text)


def test_a_new_key_is_rsa_4096_and_only_its_public_half_is_printed(aws, capsys, tmp_path):
    credentials = session_of(aws, BREAK_GLASS).get_credentials()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
        patch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
        patch.setenv("AWS_SESSION_TOKEN", credentials.token)
        out = tmp_path / "issuer.pub"
        argv = ["--bucket", BUCKET, "--region", REGION, "--installer-role-arn", INSTALLER]
        assert main([*argv, "--break-glass-arn", BREAK_GLASS, "--public-key-out", str(out)]) == 0
    printed = capsys.readouterr()
    stored = aws.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"]
    body = "".join(stored.strip().splitlines()[1:-1])
    for text in (printed.out, printed.err, out.read_text()):
        assert "PRIVATE KEY" not in text and body[:64] not in text
    settings = yaml_of(printed.out)
    assert settings["publicKey"] == out.read_text() == public_of(stored)
    assert serialization.load_pem_public_key(settings["publicKey"].encode()).key_size == 4096
    assert settings["privateKeySecretArn"].startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{SECRET}-")


def test_running_it_again_changes_nothing_and_prints_the_same_key(aws):
    break_glass = session_of(aws, BREAK_GLASS)

    def versions() -> list[tuple[str, list[str]]]:
        listed = aws.client("secretsmanager").list_secret_version_ids(SecretId=SECRET)["Versions"]
        return [(v["VersionId"], v["VersionStages"]) for v in listed]

    first = ensure_issuer_key(break_glass, request(private_key_pem=None))
    before = versions()
    assert ensure_issuer_key(break_glass, request(private_key_pem=None)) == first
    assert versions() == before


def test_a_key_the_secret_holds_is_never_replaced(aws):
    break_glass = session_of(aws, BREAK_GLASS)
    ensure_issuer_key(break_glass, request())
    with pytest.raises(IssuerKeyError, match="holds another key than --import-private-key: refusing to replace it"):
        ensure_issuer_key(break_glass, request(private_key_pem=private_pem(which=1)))
    assert aws.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"] == private_pem()


def test_an_earlier_stacks_secret_is_adopted_in_place_with_its_key_and_arn(aws):
    """What the stack made before the key left its state: the secret under Secrets Manager's own key, no policy."""
    secrets = aws.client("secretsmanager")
    arn = secrets.create_secret(Name=SECRET, SecretString=private_pem())["ARN"]
    result = ensure_issuer_key(session_of(aws, BREAK_GLASS), request(private_key_pem=None))
    assert result.secret_arn == arn
    assert secrets.describe_secret(SecretId=arn)["KmsKeyId"] == result.key_arn
    assert secrets.get_secret_value(SecretId=arn)["SecretString"] == private_pem()
    assert result.public_key_pem == public_of(private_pem())
    assert json.loads(secrets.get_resource_policy(SecretId=arn)["ResourcePolicy"])["Statement"]


def test_an_issuer_publishing_another_key_is_refused_before_anything_is_made(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    published = oidc_documents.jwks_document(public_of(private_pem(which=1)))
    s3.put_object(Bucket=BUCKET, Key=oidc_documents.JWKS_KEY, Body=json.dumps(published).encode())
    with pytest.raises(IssuerKeyError, match="the issuer's key must not change"):
        ensure_issuer_key(session_of(aws, BREAK_GLASS), request())
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []
    assert aws.client("kms").list_keys()["Keys"] == []
    adopted = ensure_issuer_key(session_of(aws, BREAK_GLASS), request(private_key_pem=private_pem(which=1)))
    assert adopted.public_key_pem == public_of(private_pem(which=1))  # the key it publishes may be brought in


def test_only_the_break_glass_principal_may_run_it(aws):
    other = f"arn:aws:iam::{ACCOUNT_ID}:role/admin/Administrator"
    with pytest.raises(IssuerKeyError, match="run this as the break-glass principal"):
        ensure_issuer_key(session_of(aws, other), request())
    with pytest.raises(IssuerKeyError, match="run this as the break-glass principal"):
        ensure_issuer_key(aws, request())  # moto's default caller, an IAM user
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"private_key_pem": private_pem(bits=1024)}, "is not an RSA key of at least 2048 bits"),
        ({"private_key_pem": "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"}, "not an unencr"),
        ({"installer_role_arns": ("arn:aws:iam::999999999999:role/x",)}, "not an IAM role ARN of account"),
        ({"deletion_window_days": 3}, "KMS takes 7 to 30"),
    ],
)
def test_a_request_that_cannot_be_met_is_refused_without_quoting_a_key(aws, fields, refusal):
    with pytest.raises(IssuerKeyError, match=refusal) as refused:
        ensure_issuer_key(session_of(aws, BREAK_GLASS), request(**fields))
    assert "PRIVATE KEY" not in str(refused.value)
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []


def test_the_bootstrap_does_not_import_pulumi():
    """It runs with administrator credentials outside any Pulumi program: nothing of Pulumi's, no state."""
    probe = (
        "import sys, tools.issuer_key; print(sorted(m for m in sys.modules if m.split('.')[0].startswith('pulumi')))"
    )
    imported = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert imported.stdout.strip() == "[]", imported.stderr
