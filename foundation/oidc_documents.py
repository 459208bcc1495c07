"""The two documents a self-hosted OIDC issuer serves, which AWS STS fetches anonymously to verify tokens."""

from __future__ import annotations

import json
from typing import Any

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
    """The JSON Web Key Set of the service-account signing key; `kid` is its RFC 7638 thumbprint."""
    key = RSAKey.import_key(public_key_pem)
    return {"keys": [key.as_dict(private=False, use="sig", alg="RS256", kid=key.thumbprint())]}


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, indent=2)
