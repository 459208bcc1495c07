"""A self-hosted issuer is named in the settings by its public key and its private-key secret's ARN, both from
`python -m tools.issuer_key`; each problem is refused before anything registers, and no message quotes a key."""

from __future__ import annotations

import shlex

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from foundation.issuer_key import public_key_pem
from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import ACCOUNT_ID, ISSUER_PUBLIC_KEY, ISSUER_SIGNING_KEY, cluster, config
from tools.issuer_key import argument_parser

BUCKET = f"h-oidc-{ACCOUNT_ID}"
ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT_ID}:secret:rosa-private-key-{BUCKET}-Xy12Ab"


def problems(*clusters: dict) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(clusters=list(clusters)))
    return str(failure.value)


def hosted(name: str = "h", **oidc) -> dict:
    return cluster(name, "classic", oidc={"mode": "self-hosted", **oidc})


def test_an_issuer_without_its_key_is_refused_with_the_command_that_makes_it():
    message = problems(hosted(publicKey=None, privateKeySecretArn=None))
    assert "clusters[0].oidc.publicKey and privateKeySecretArn are missing" in message
    command = message.split("run `", 1)[1].split("`", 1)[0]
    installer = f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-Installer-Role"
    assert command.startswith("python -m tools.issuer_key ")
    break_glass = f"arn:aws:iam::{ACCOUNT_ID}:role/BreakGlass"
    words = shlex.split(command.replace("<your break-glass role ARN>", break_glass))
    args = argument_parser().parse_args(words[3:])  # the tool takes exactly what the message tells to run
    assert (args.bucket, args.region, args.installer_role_arn) == (BUCKET, "us-east-1", [installer])
    assert "clusters[0].oidc.privateKeySecretArn is missing" in problems(hosted(privateKeySecretArn=None))


def test_a_private_key_in_place_of_the_public_key_is_refused_without_quoting_it():
    private = ISSUER_SIGNING_KEY.read_text()
    message = problems(hosted(publicKey=private))
    assert "clusters[0].oidc.publicKey: must be a public key, and this is a private key" in message
    assert private.splitlines()[1] not in message and "PRIVATE KEY" not in message


@pytest.mark.parametrize(
    ("key", "refusal"),
    [
        (public_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)), "an RSA key of at least 2048"),
        (
            ec.generate_private_key(ec.SECP256R1())
            .public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode(),
            "an RSA public key (service-account tokens are RS256)",
        ),
        ("ssh-rsa AAAAB3NzaC1yc2E", "an RSA public key in PEM"),
    ],
)
def test_a_public_key_that_cannot_sign_rs256_tokens_well_is_refused(key, refusal):
    assert f"clusters[0].oidc.publicKey: must be {refusal}" in problems(hosted(publicKey=key))


def test_two_issuers_publishing_one_key_are_refused():
    """Either cluster could then sign tokens the other's issuer vouches for."""
    message = problems(hosted("a"), hosted("b"))
    assert "clusters[1].oidc.publicKey: the key of clusters[0]'s issuer too" in message


@pytest.mark.parametrize(
    "arn",
    [
        ARN.replace(BUCKET, "another-bucket"),  # rosa delete oidc-config would delete another bucket
        ARN.replace(ACCOUNT_ID, "999999999999"),
        ARN.replace("us-east-1", "eu-west-1"),
        ARN.removesuffix("-Xy12Ab"),  # a partial ARN: rosa would cut the bucket's name short
    ],
)
def test_a_secret_arn_that_is_not_the_issuers_own_is_refused(arn):
    message = problems(hosted(privateKeySecretArn=arn))
    assert f"clusters[0].oidc.privateKeySecretArn = {arn!r}: must be the ARN of secret rosa-private-key-" in message


def test_the_issuers_key_and_secret_as_the_tool_prints_them_are_accepted():
    settings = settings_from_config(config(clusters=[hosted(publicKey=ISSUER_PUBLIC_KEY, privateKeySecretArn=ARN)]))
    assert settings.clusters[0].oidc.private_key_secret_arn == ARN
