"""`python -m tools.issuer_key`: a self-hosted OIDC issuer's signing key, made (or adopted) outside Pulumi, so that no
private key is ever in Pulumi state: the private key goes to Secrets Manager under a KMS key of its own, readable only
by the Installer roles and the break-glass principal (`foundation.issuer_key`); the public key it prints is what the
stack's `oidc.publicKey` takes (README, "Self-hosted OIDC").

Run it as the break-glass principal, once per issuer, before the stack names the issuer; again at any time: it makes
what is missing and puts the policies and tags back, and never replaces a key the secret holds. A secret made by an
earlier version of the stack (AWS-managed key, no resource policy) is adopted in place: same key, same ARN. A key the
issuer already publishes must be the one the secret holds (`--import-private-key` brings it in otherwise), since every
cluster's service-account tokens are signed with it. The private key is never printed or written anywhere else.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import RSAKey

from foundation import issuer_key, naming, oidc_documents
from foundation.names import StackNames
from foundation.partitions import partition_of


class IssuerKeyError(Exception):
    """A refusal, made before anything it names was changed."""


@dataclass(frozen=True)
class IssuerKeyRequest:
    bucket: str  # the issuer's bucket: the secret is `rosa-private-key-<bucket>`
    region: str
    installer_role_arns: tuple[str, ...]  # who reads the key besides the break-glass principal
    break_glass_arn: str  # who runs this, and alone changes the secret
    deletion_window_days: int = 30  # the shortest window the key's deletion may be scheduled with
    private_key_pem: str | None = None  # an existing issuer's key to store, instead of a new one


@dataclass(frozen=True)
class IssuerKey:
    secret_arn: str
    key_arn: str  # the KMS key the secret is encrypted under
    public_key_pem: str


def ensure_issuer_key(session: boto3.Session, request: IssuerKeyRequest) -> IssuerKey:
    """Make or adopt the issuer key `request` describes with `session`'s credentials; refuse (IssuerKeyError) what
    would change the key an issuer already has, or lock the caller out."""
    aws = _Clients(session, request.region)
    identity = aws.sts.get_caller_identity()
    account, partition = identity["Account"], partition_of(request.region)
    if partition is None:
        raise IssuerKeyError(f"--region {request.region!r}: not a region AWS has")
    _check_request(request, identity["Arn"], partition, account)
    name = StackNames.issuer_secret(request.bucket)
    secret = _describe_secret(aws, name)
    stored = _stored_value(aws, secret)
    private = _private_key(stored, request.private_key_pem, name)
    _check_published(aws, request.bucket, private)
    key_arn = _ensure_kms_key(aws, request, partition, account)
    value = (
        stored
        or private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
    )  # PKCS#1, as rosa stores it
    description = f"Service-account signing key of OIDC issuer {request.bucket} (rosa register oidc-config)"
    tags = [{"Key": k, "Value": v} for k, v in issuer_key.SECRET_TAGS.items()]
    if secret is None:
        secret_arn = aws.secrets.create_secret(
            Name=name, Description=description, KmsKeyId=key_arn, SecretString=value, Tags=tags
        )["ARN"]
    else:
        secret_arn = secret["ARN"]
        if stored is None or not _encrypted_under(aws, secret, key_arn):
            # A new version under the issuer key; Secrets Manager re-encrypts the labelled older ones with it too.
            aws.secrets.update_secret(SecretId=secret_arn, KmsKeyId=key_arn, SecretString=value)
        aws.secrets.tag_resource(SecretId=secret_arn, Tags=tags)
    policy = issuer_key.secret_policy(request.installer_role_arns, request.break_glass_arn)
    aws.secrets.put_resource_policy(SecretId=secret_arn, ResourcePolicy=policy.to_json(), BlockPublicPolicy=True)
    return IssuerKey(secret_arn, key_arn, issuer_key.public_key_pem(private))


class _Clients:
    def __init__(self, session: boto3.Session, region: str):
        self.sts = session.client("sts", region_name=region)
        self.kms = session.client("kms", region_name=region)
        self.secrets = session.client("secretsmanager", region_name=region)
        self.s3 = session.client("s3", region_name=region)


def _check_request(request: IssuerKeyRequest, caller: str, partition: str, account: str) -> None:
    for arn in (*request.installer_role_arns, request.break_glass_arn):
        if not arn.startswith(naming.arn(partition, "iam", "role/", account=account)):
            raise IssuerKeyError(f"{arn!r} is not an IAM role ARN of account {account} in partition {partition}")
    if not _is_session_of(caller, request.break_glass_arn):
        raise IssuerKeyError(
            f"run this as the break-glass principal {request.break_glass_arn}, not {caller}: once the secret's "
            "policy is in place nobody else may change it"
        )
    if not 7 <= request.deletion_window_days <= 30:
        raise IssuerKeyError(f"--deletion-window-days {request.deletion_window_days}: KMS takes 7 to 30")


def _is_session_of(caller: str, role_arn: str) -> bool:
    """Whether `caller` (sts get-caller-identity's ARN) is a session of the role `role_arn`: STS names a session
    `arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`, without the role's path."""
    caller_fields, role_fields = caller.split(":", 5), role_arn.split(":", 5)
    kind, _, rest = caller_fields[5].partition("/")
    return (
        kind == "assumed-role"
        and caller_fields[4] == role_fields[4]
        and rest.split("/")[0] == role_fields[5].rsplit("/", 1)[1]
    )


def _describe_secret(aws: _Clients, name: str) -> dict[str, Any] | None:
    try:
        secret = aws.secrets.describe_secret(SecretId=name)
    except aws.secrets.exceptions.ResourceNotFoundException:
        return None
    if secret.get("DeletedDate"):
        raise IssuerKeyError(f"secret {name} is scheduled for deletion: restore it first (restore-secret)")
    return secret


def _stored_value(aws: _Clients, secret: dict[str, Any] | None) -> str | None:
    if secret is None or not secret.get("VersionIdsToStages"):
        return None
    return aws.secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"]


def _private_key(stored: str | None, imported: str | None, name: str) -> rsa.RSAPrivateKey:
    """The key the secret holds (an import must be that same key), else the import, else a new one."""
    if stored is not None:
        key = _load(stored, f"the key in secret {name}")
        if imported is not None and _load(imported, "--import-private-key").public_key() != key.public_key():
            raise IssuerKeyError(
                f"secret {name} holds another key than --import-private-key: refusing to replace it (every token "
                "of the issuer's clusters is signed with the key it holds)"
            )
        return key
    if imported is not None:
        return _load(imported, "--import-private-key")
    return rsa.generate_private_key(public_exponent=65537, key_size=issuer_key.GENERATED_BITS)


def _load(pem: str, what: str) -> rsa.RSAPrivateKey:
    """`pem` as an RSA private key of at least MINIMUM_BITS; the refusal never quotes it."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise IssuerKeyError(f"{what} is not an unencrypted private key in PEM") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < issuer_key.MINIMUM_BITS:
        raise IssuerKeyError(f"{what} is not an RSA key of at least {issuer_key.MINIMUM_BITS} bits")
    return key


def _check_published(aws: _Clients, bucket: str, key: rsa.RSAPrivateKey) -> None:
    """An issuer that already publishes keys (`keys.json`) must publish this one."""
    try:
        body = aws.s3.get_object(Bucket=bucket, Key=oidc_documents.JWKS_KEY)["Body"].read()
    except ClientError as missing:
        if missing.response["Error"]["Code"] in ("NoSuchBucket", "NoSuchKey"):
            return
        raise
    published = {jwk.get("kid") for jwk in json.loads(body).get("keys", [])}
    kid = oidc_documents.key_id(RSAKey.import_key(issuer_key.public_key_pem(key)))
    if kid not in published:
        raise IssuerKeyError(
            f"s3://{bucket}/{oidc_documents.JWKS_KEY} publishes {sorted(published)}, not this key's id {kid}: the "
            "issuer's key must not change (no cluster's tokens would verify); import the key it publishes "
            "(--import-private-key)"
        )


def _ensure_kms_key(aws: _Clients, request: IssuerKeyRequest, partition: str, account: str) -> str:
    alias = StackNames.issuer_key_alias(request.bucket)
    policy = issuer_key.key_policy(
        account_root=naming.arn(partition, "iam", "root", account=account),
        account=account,
        region=request.region,
        secret_arn_pattern=StackNames.issuer_secret_arn(partition, account, request.region, request.bucket),
        readers=request.installer_role_arns,
        break_glass=request.break_glass_arn,
        deletion_window_days=request.deletion_window_days,
    ).to_json()
    try:
        key_arn = aws.kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except aws.kms.exceptions.NotFoundException:
        key_arn = aws.kms.create_key(
            Policy=policy, Description=f"Private key of OIDC issuer {request.bucket}", KeyUsage="ENCRYPT_DECRYPT"
        )["KeyMetadata"]["Arn"]
        aws.kms.create_alias(AliasName=alias, TargetKeyId=key_arn)
    else:
        aws.kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=policy)
    aws.kms.enable_key_rotation(KeyId=key_arn)
    return key_arn


def _encrypted_under(aws: _Clients, secret: dict[str, Any], key_arn: str) -> bool:
    """Whether `secret` is encrypted under `key_arn` (naming no key, it is under Secrets Manager's own)."""
    named = secret.get("KmsKeyId")
    return bool(named) and aws.kms.describe_key(KeyId=named)["KeyMetadata"]["Arn"] == key_arn


def settings_snippet(request: IssuerKeyRequest, result: IssuerKey) -> str:
    """What the cluster's `oidc` block in the stack file takes, as YAML with the facts as comments."""
    key_lines = "".join(f"  {line}\n" for line in result.public_key_pem.strip().splitlines())
    return (
        f"# OIDC issuer s3://{request.bucket}: private key in {result.secret_arn}\n"
        f"# (KMS key {result.key_arn}). Into the cluster's oidc block of stacks/Pulumi.<stack>.yaml:\n"
        f"publicKey: |\n{key_lines}privateKeySecretArn: {result.secret_arn}\n"
    )


def argument_parser() -> argparse.ArgumentParser:
    """The command's flags (`foundation.issuer_key.bootstrap_command` spells them for the settings' messages)."""
    parser = argparse.ArgumentParser(prog=issuer_key.BOOTSTRAP, description=__doc__.split("\n\n")[0])
    parser.add_argument("--bucket", required=True, help="the issuer's bucket (the stack's oidc bucket name)")
    parser.add_argument("--region", required=True, help="the stack's region")
    parser.add_argument(
        "--installer-role-arn", action="append", required=True, help="an Installer role that reads the key (repeat)"
    )
    parser.add_argument("--break-glass-arn", required=True, help="the role running this, which alone changes the key")
    parser.add_argument("--deletion-window-days", type=int, default=30, help="7 to 30 (default 30)")
    parser.add_argument(
        "--import-private-key", type=Path, help="store this PEM file's key (an existing issuer's) instead of a new one"
    )
    parser.add_argument("--public-key-out", type=Path, help="also write the public key (PEM) to this file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = argument_parser().parse_args(argv)
    request = IssuerKeyRequest(
        bucket=args.bucket,
        region=args.region,
        installer_role_arns=tuple(args.installer_role_arn),
        break_glass_arn=args.break_glass_arn,
        deletion_window_days=args.deletion_window_days,
        private_key_pem=args.import_private_key.read_text() if args.import_private_key else None,
    )
    try:
        result = ensure_issuer_key(boto3.Session(), request)
    except (IssuerKeyError, ClientError) as refused:
        print(f"python -m tools.issuer_key: {refused}", file=sys.stderr)
        return 1
    if args.public_key_out:
        args.public_key_out.write_text(result.public_key_pem)
    print(settings_snippet(request, result), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
