"""A self-hosted OIDC issuer's signing key, kept out of Pulumi: the rule its public half in the settings meets, and
the documents that guard its private half in Secrets Manager (`tools/issuer_key.py` applies them, tests evaluate them).

The private key is read by exactly two kinds of principal: the Installer role the cluster is created with (OCM reads
the key through it, `rosa register oidc-config --secret-arn`) and one named break-glass principal, who alone makes,
re-encrypts or retires it. Everyone else is refused by the secret's resource policy, whatever their IAM policies
allow (the pipeline's deploy role, account administrators), and the KMS key it is encrypted under lets nobody else
decrypt through Secrets Manager either.
"""

from __future__ import annotations

import shlex

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from foundation import iam, tags

BOOTSTRAP = "python -m tools.issuer_key"  # the command that makes the key (tools/issuer_key.py)
MINIMUM_BITS = 2048
GENERATED_BITS = 4096  # what `rosa create oidc-config --managed=false` makes (ocm-common oidcconfigs.go)
# rosa's installer policies (classic and HCP) read only secrets tagged so (`aws:ResourceTag/red-hat-managed`).
SECRET_TAGS = tags.added_tags(rosa={})

# What reads the key, and what changes, re-encrypts, retires or exposes it.
READ = ("secretsmanager:GetSecretValue",)
CHANGE = (
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DeleteSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:StopReplicationToReplica",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
)
KEY_READ = ("kms:Describe*", "kms:Get*", "kms:List*")


def bootstrap_command(bucket: str, region: str, installer_role_arn: str) -> str:
    """The shell line that makes (or adopts) the key of the issuer in `bucket`, for the stack's Installer role; the
    break-glass role, which runs it, is the administrator's to name."""
    flags = ["--bucket", bucket, "--region", region, "--installer-role-arn", installer_role_arn]
    return f"{BOOTSTRAP} {shlex.join(flags)} --break-glass-arn <your break-glass role ARN>"


def public_key_problem(pem: str) -> str | None:
    """None if `pem` is an RSA public key of at least MINIMUM_BITS in PEM; else what is allowed, phrased to follow
    "must be". Never quotes `pem`: a private key pasted by mistake must not reach a log."""
    if "PRIVATE KEY" in pem:
        return (
            "a public key, and this is a private key: it never belongs in a stack file (if it was committed, treat "
            f"it as disclosed); give the public key {BOOTSTRAP} printed"
        )
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        return f"an RSA public key in PEM (-----BEGIN PUBLIC KEY-----), as {BOOTSTRAP} prints it"
    if not isinstance(key, rsa.RSAPublicKey):
        return f"an RSA public key (service-account tokens are RS256), not {type(key).__name__}"
    if key.key_size < MINIMUM_BITS:
        return f"an RSA key of at least {MINIMUM_BITS} bits (rosa makes {GENERATED_BITS}), not {key.key_size}"
    return None


def public_key_pem(key: rsa.RSAPrivateKey | rsa.RSAPublicKey) -> str:
    """The PEM SubjectPublicKeyInfo of `key`: what the stack's `oidc.publicKey` holds."""
    public = key.public_key() if isinstance(key, rsa.RSAPrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def secret_policy(readers: tuple[str, ...], break_glass: str) -> iam.PolicyDocument:
    """The secret's resource policy: only `readers` (the Installer roles) and `break_glass` read it, only
    `break_glass` changes it. Denies only: the readers' own policies grant the read (rosa's installer policies do,
    for secrets tagged `SECRET_TAGS`), and a deny by ARN needs no principal to exist yet."""
    everyone = iam.Principal.aws("*")
    return iam.PolicyDocument(
        (
            iam.Statement(
                "Deny",
                READ,
                resources=("*",),
                principal=everyone,
                conditions=(_principal_not(*readers, break_glass),),
                sid="OnlyInstallersAndBreakGlassRead",
            ),
            iam.Statement(
                "Deny",
                CHANGE,
                resources=("*",),
                principal=everyone,
                conditions=(_principal_not(break_glass),),
                sid="OnlyBreakGlassChanges",
            ),
        ),
        use="resource",
    )


def key_policy(
    *,
    account_root: str,
    account: str,
    region: str,
    secret_arn_pattern: str,
    readers: tuple[str, ...],
    break_glass: str,
    deletion_window_days: int,
) -> iam.PolicyDocument:
    """The policy of the KMS key the secret is encrypted under. The account (IAM) may read the key's metadata only;
    `break_glass` administers and uses it; `readers` decrypt only through Secrets Manager, for this secret; nobody
    schedules its deletion with a window shorter than `deletion_window_days`.

    Principals are matched by `aws:PrincipalArn`, not named: KMS refuses a principal that does not exist yet, and the
    Installer roles are made by the stack, after this key."""
    everyone = iam.Principal.aws("*")
    in_account = iam.Condition("StringEquals", "kms:CallerAccount", (account,))
    return iam.PolicyDocument(
        (
            iam.Statement(
                "Allow", KEY_READ, resources=("*",), principal=iam.Principal.aws(account_root), sid="AccountReadsKey"
            ),
            iam.Statement(
                "Allow",
                ("kms:*",),
                resources=("*",),
                principal=everyone,
                conditions=(in_account, _principal_is(break_glass)),
                sid="BreakGlassAdministers",
            ),
            iam.Statement(
                "Allow",
                ("kms:Decrypt",),
                resources=("*",),
                principal=everyone,
                conditions=(
                    in_account,
                    _principal_is(*readers),
                    iam.Condition("StringEquals", "kms:ViaService", (f"secretsmanager.{region}.amazonaws.com",)),
                    iam.Condition("StringLike", "kms:EncryptionContext:SecretARN", (secret_arn_pattern,)),
                ),
                sid="InstallersDecryptTheSecret",
            ),
            iam.Statement(
                "Deny",
                ("kms:ScheduleKeyDeletion",),
                resources=("*",),
                principal=everyone,
                conditions=(
                    iam.Condition(
                        "NumericLessThan", "kms:ScheduleKeyDeletionPendingWindowInDays", (str(deletion_window_days),)
                    ),
                ),
                sid="KeepTheDeletionWindow",
            ),
        ),
        use="resource",
    )


def _principal_is(*arns: str) -> iam.Condition:
    return iam.Condition("ArnEquals", "aws:PrincipalArn", tuple(sorted(set(arns))))


def _principal_not(*arns: str) -> iam.Condition:
    return iam.Condition("ArnNotEquals", "aws:PrincipalArn", tuple(sorted(set(arns))))
