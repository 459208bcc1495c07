"""The settings rules that keep data safe: a self-hosted issuer's key, made outside Pulumi, is named here by its public
half and its secret's ARN, never by its private half. Each problem is one line naming the key as written, and never
quotes a key (a private key pasted by mistake must not reach a log).
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from joserfc.jwk import RSAKey

from foundation import issuer_key, oidc_documents
from foundation.names import StackNames
from foundation.project import config_key
from foundation.settings.models import SelfHostedOidc, StackSettings


def safety_problems(settings: StackSettings, names: StackNames) -> list[str]:
    return list(_issuer_key_problems(settings, names))


def _issuer_key_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    key_owners: dict[str, int] = {}  # key id -> the first cluster whose issuer publishes it
    for i, cluster in enumerate(settings.clusters):
        oidc, bucket = cluster.oidc, names.issuer_bucket(cluster)
        if not isinstance(oidc, SelfHostedOidc) or bucket is None:
            continue
        here = f"{config_key('clusters')}[{i}].oidc"
        missing = [key for key, value in (("publicKey", oidc.public_key), ("privateKeySecretArn",
                   oidc.private_key_secret_arn)) if value is None]  # fmt: skip
        if missing:
            command = issuer_key.bootstrap_command(
                bucket, settings.region, names.account_role_arn(cluster.topology, "installer")
            )
            verb = "is" if len(missing) == 1 else "are"
            yield (
                f"{here}.{' and '.join(missing)} {verb} missing: a self-hosted issuer's key pair is made outside "
                f"Pulumi, so that no private key is in the stack's state; as your break-glass role run `{command}` "
                "and set publicKey and privateKeySecretArn to what it prints"
            )
        if oidc.public_key is not None:
            if problem := issuer_key.public_key_problem(oidc.public_key):
                yield f"{here}.publicKey: must be {problem}"
            else:
                kid = oidc_documents.key_id(RSAKey.import_key(oidc.public_key))
                if (first := key_owners.setdefault(kid, i)) != i:
                    yield (
                        f"{here}.publicKey: the key of clusters[{first}]'s issuer too (key id {kid}); each issuer "
                        "needs its own, or either cluster could sign the other's service-account tokens"
                    )
        arn, pattern = oidc.private_key_secret_arn, names.private_key_secret_arn(cluster)
        if arn is not None and pattern is not None and not fnmatchcase(arn, pattern):
            yield (
                f"{here}.privateKeySecretArn = {arn!r}: must be the ARN of secret {names.private_key_secret(cluster)} "
                f"in this stack's account and region ({pattern}, `?` Secrets Manager's six random characters), as "
                f"{issuer_key.BOOTSTRAP} prints it"
            )
