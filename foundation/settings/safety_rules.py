"""The settings rules that keep data safe: a self-hosted issuer's key, made outside Pulumi, is named here by its public
half and its secret's ARN, never by its private half; a backup vault names the administrator who alone may lower its
protections. Each problem is one line naming the key as written, and never quotes a key (a private key pasted by
mistake must not reach a log).
"""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from joserfc.jwk import RSAKey

from foundation import issuer_key, naming, oidc_documents
from foundation.names import StackNames
from foundation.project import config_key
from foundation.settings.models import SelfHostedOidc, StackSettings


def safety_problems(settings: StackSettings, names: StackNames) -> list[str]:
    return [*_issuer_key_problems(settings, names), *_vault_administrator_problems(settings, names)]


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


def _vault_administrator_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    backup = settings.backup
    if backup is None:
        return
    here = f"{config_key('backup')}.administratorArn"
    administrator = backup.administrator_arn
    if administrator is None:
        yield (
            f"{here} is missing: the role that alone may lower or redirect the vault's protections (lifecycle, object "
            "lock, replication, versioning, encryption, its bucket and key policies) and delete a backup's versions; "
            "name your administrators' role (README, \"Who may lower a vault's protections\")"
        )
        return
    account = naming.arn_account(administrator)
    if naming.arn_partition(administrator) != settings.partition or account != settings.account_id:
        yield (
            f"{here} = {administrator!r}: must be a role of this stack's account {settings.account_id} in partition "
            f"{settings.partition!r} (the vault's policies exempt it by aws:PrincipalArn)"
        )
    own = {names.role_arn(n.name): n.owner for n in names.iam_names().values() if n.kind == "role"}
    if administrator in own:
        yield (
            f"{here} = {administrator!r}: is the stack's own {own[administrator]}; the administrator must be a role "
            "the stack (and so its pipeline) does not manage"
        )
