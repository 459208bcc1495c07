"""The two documents a self-hosted OIDC issuer serves, which AWS STS fetches anonymously to verify tokens."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from joserfc.jwk import RSAKey

DISCOVERY_KEY = ".well-known/openid-configuration"
JWKS_KEY = "keys.json"
# What an issuer publishes, in this order: exactly the documents STS fetches anonymously.
PUBLISHED_KEYS = (DISCOVERY_KEY, JWKS_KEY)


def discovery_document(issuer_url: str) -> dict[str, Any]:
    """OpenID Connect discovery metadata, with the fields ROSA's own `rosa create oidc-config` publishes."""
    return {
        "issuer": issuer_url,
        "jwks_uri": f"{issuer_url}/{JWKS_KEY}",
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["aud", "exp", "sub", "iat", "iss"],
    }


def jwks_document(public_key_pem: str) -> dict[str, Any]:
    """The JSON Web Key Set of the service-account signing key, under the `kid` its tokens carry (`key_id`)."""
    key = RSAKey.import_key(public_key_pem)
    return {"keys": [key.as_dict(private=False, use="sig", alg="RS256", kid=key_id(key))]}


def key_id(key: RSAKey) -> str:
    """base64url, unpadded, of SHA-256 over the public key's DER SubjectPublicKeyInfo: the `kid` kube-apiserver
    writes into every service-account token it signs (kubernetes pkg/serviceaccount/jwt.go keyIDFromPublicKey) and
    rosa publishes (ocm-common oidcconfigs.go BuildJSONWebKeySet). STS finds a token's key by it; any other `kid`
    (an RFC 7638 thumbprint, say) and no token of the cluster verifies."""
    der = key.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, indent=2)
