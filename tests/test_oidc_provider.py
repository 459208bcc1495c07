"""OidcProvider under the mock runtime: managed issuers, and self-hosted ones published from the settings' public key
(the key pair is made outside Pulumi: tests/test_issuer_key.py)."""

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.conftest import ACCOUNT_ID, CONFIG_ID, ISSUER_SIGNING_KEY, cluster, document, inputs_of, run

THUMBPRINT = "A9D53002E97E00E043244F3D170D6F4C414104FD"
PROVIDER = f"oidc-{CONFIG_ID}-provider"  # a managed config's provider, shared by the clusters on the config


def self_hosted(**oidc):
    return cluster("hosted", "classic", oidc={"mode": "self-hosted", **oidc})


def test_managed_config_creates_only_the_iam_provider_with_rosas_client_ids():
    stack = run(clusters=[cluster(oidc={"mode": "managed", "configId": CONFIG_ID, "thumbprint": THUMBPRINT})])
    provider = inputs_of(stack, PROVIDER)
    assert provider["url"] == f"https://oidc.op1.openshiftapps.com/{CONFIG_ID}"
    assert provider["clientIdLists"] == ["openshift", "sts.amazonaws.com"]
    assert provider["thumbprintLists"] == [THUMBPRINT.lower()]
    assert not stack.of_type("aws:s3/bucket:Bucket")


def test_thumbprint_is_optional_because_aws_trusts_public_cas():
    assert "thumbprintLists" not in inputs_of(run(), PROVIDER)


def test_a_managed_config_may_name_its_issuer_url():
    url = "https://oidc.os1.devshift.org/" + CONFIG_ID
    stack = run(clusters=[cluster(oidc={"mode": "managed", "configId": CONFIG_ID, "issuerUrl": url})])
    assert inputs_of(stack, PROVIDER)["url"] == url


@pytest.fixture(scope="module")
def public_bucket_stack():
    return run(clusters=[self_hosted()])


@pytest.fixture(scope="module")
def cloudfront_stack():
    return run(clusters=[self_hosted(publicAccess="cloudfront", bucketName="acme-issuer")])


def test_self_hosted_issuer_is_the_buckets_https_endpoint(public_bucket_stack):
    bucket = f"hosted-oidc-{ACCOUNT_ID}"
    assert inputs_of(public_bucket_stack, "hosted-oidc-bucket")["bucket"] == bucket
    issuer = f"https://{bucket}.s3.us-east-1.amazonaws.com"
    assert inputs_of(public_bucket_stack, "hosted-oidc-provider")["url"] == issuer
    discovery = json.loads(inputs_of(public_bucket_stack, "hosted-oidc-discovery")["content"])
    assert discovery["issuer"] == issuer
    assert discovery["jwks_uri"] == f"{issuer}/keys.json"
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]


def test_jwks_is_the_settings_public_key_and_verifies_the_tokens_its_private_half_signs(public_bucket_stack):
    jwks = json.loads(inputs_of(public_bucket_stack, "hosted-oidc-jwks")["content"])
    (public_jwk,) = jwks["keys"]
    assert public_jwk["use"] == "sig" and public_jwk["alg"] == "RS256" and "d" not in public_jwk
    signer = RSAKey.import_key(ISSUER_SIGNING_KEY.read_bytes())
    token = jwt.encode({"alg": "RS256", "kid": public_jwk["kid"]}, {"sub": "system:serviceaccount:a:b"}, signer)
    assert jwt.decode(token, RSAKey.import_key(public_jwk)).claims["sub"] == "system:serviceaccount:a:b"


def test_jwks_key_id_is_the_one_kube_apiserver_puts_in_every_service_account_token(public_bucket_stack):
    """STS picks the key by the token's `kid`: kube-apiserver's keyIDFromPublicKey, base64url (unpadded) of SHA-256
    over the DER SubjectPublicKeyInfo, computed here with `cryptography` from the published n and e alone."""
    (public_jwk,) = json.loads(inputs_of(public_bucket_stack, "hosted-oidc-jwks")["content"])["keys"]
    n, e = (int.from_bytes(base64.urlsafe_b64decode(public_jwk[k] + "=" * (-len(public_jwk[k]) % 4))) for k in "ne")
    der = rsa.RSAPublicNumbers(e, n).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert public_jwk["kid"] == base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    signing_key = serialization.load_pem_private_key(ISSUER_SIGNING_KEY.read_bytes(), password=None)
    assert signing_key.public_key().public_numbers() == rsa.RSAPublicNumbers(e, n)  # the issuer's own signing key
    assert public_jwk["kid"] != RSAKey.import_key(public_jwk).thumbprint()  # not RFC 7638, which STS cannot match


def test_only_the_two_issuer_documents_are_public_and_only_over_tls(public_bucket_stack):
    policy = document(public_bucket_stack, "hosted-oidc-bucket-policy", "policy")
    allow, deny = policy["Statement"]
    bucket_arn = f"arn:aws:s3:::hosted-oidc-{ACCOUNT_ID}"
    assert allow["Effect"] == "Allow" and allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == [f"{bucket_arn}/.well-known/openid-configuration", f"{bucket_arn}/keys.json"]
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    block = inputs_of(public_bucket_stack, "hosted-oidc-bucket-access")
    assert block["blockPublicAcls"] is True and block["ignorePublicAcls"] is True
    ownership = inputs_of(public_bucket_stack, "hosted-oidc-bucket-ownership")
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_no_private_key_and_no_secret_is_the_stacks_only_the_settings_secret_arn(public_bucket_stack):
    """The key pair and its secret are made outside Pulumi, so neither is in the state or the render."""
    types = {r.type for r in public_bucket_stack.resources}
    assert not {t for t in types if t.startswith(("tls:", "aws:secretsmanager/"))}
    assert "PRIVATE KEY" not in json.dumps([r.inputs for r in public_bucket_stack.resources])
    assert "PRIVATE KEY" not in json.dumps(public_bucket_stack.outputs)
    summary = public_bucket_stack.outputs["clusters"]["hosted"]
    secret = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT_ID}:secret:rosa-private-key-hosted-oidc-{ACCOUNT_ID}-AbC123"
    assert summary["oidcPrivateKeySecretArn"] == secret
    assert summary["rosaRegisterOidcConfigArgs"][-2:] == ["--secret-arn", secret]


def test_the_iam_oidc_provider_of_a_managed_config_is_protected():
    assert run().named(PROVIDER).options["protect"] is True


def test_stateful_issuer_resources_are_protected(public_bucket_stack):
    for name in ("hosted-oidc-bucket", "hosted-oidc-provider"):
        assert public_bucket_stack.named(name).options["protect"] is True, name
    assert inputs_of(public_bucket_stack, "hosted-oidc-bucket")["forceDestroy"] is False


def test_cloudfront_option_keeps_the_bucket_private_and_serves_through_origin_access_control(cloudfront_stack):
    block = inputs_of(cloudfront_stack, "hosted-oidc-bucket-access")
    assert all(
        block[k] is True for k in ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets")
    )
    distribution = cloudfront_stack.named("hosted-oidc-distribution")
    (origin,) = distribution.inputs["origins"]
    assert origin["domainName"] == "acme-issuer.s3.us-east-1.amazonaws.com"
    assert distribution.inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "https-only"
    assert distribution.inputs["defaultCacheBehavior"]["allowedMethods"] == ["GET", "HEAD"]
    allow = document(cloudfront_stack, "hosted-oidc-bucket-policy", "policy")["Statement"][0]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Condition"]["StringEquals"]["AWS:SourceArn"].startswith(
        f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/"
    )
    issuer = inputs_of(cloudfront_stack, "hosted-oidc-provider")["url"]
    assert issuer.startswith("https://d") and issuer.endswith(".cloudfront.net")
    trust = document(
        cloudfront_stack, "hosted-operator-roles-openshift-ingress-operator-cloud-credentials", "assumeRolePolicy"
    )
    assert f"{issuer.removeprefix('https://')}:sub" in trust["Statement"][0]["Condition"]["StringEquals"]


def test_rosa_finds_the_issuer_bucket_from_the_private_key_secrets_arn(public_bucket_stack):
    """`rosa delete oidc-config` (cmd/dlt/oidcconfig) takes the secret's ARN from OCM, drops `rosa-private-key-` and
    Secrets Manager's `-<6 random>` suffix, and deletes the bucket of that name: the secret must be named after it
    (the settings refuse an ARN of another name: tests/test_issuer_key_settings.py)."""
    bucket = inputs_of(public_bucket_stack, "hosted-oidc-bucket")["bucket"]
    arn = public_bucket_stack.outputs["clusters"]["hosted"]["oidcPrivateKeySecretArn"]
    resource_id = arn.rsplit(":", 1)[1]  # aws.GetResourceIdFromSecretArn
    assert resource_id.removeprefix("rosa-private-key-").rsplit("-", 1)[0] == bucket
