"""The stack's OIDC issuers and the IAM OIDC providers that let their clusters' service accounts assume roles.

Implements `rosa create oidc-config` / `rosa create oidc-provider`: https://docs.openshift.com/rosa/rosa_architecture/
rosa-sts-about-iam-resources.html#rosa-sts-oidc-provider-requirements-for-operators. A managed config is Red Hat's;
only the IAM provider is created here, once for all the clusters on that (reusable) config: IAM holds one provider
per issuer URL. A self-hosted config is one cluster's: its discovery documents in S3, published from the public key
the settings give, and the IAM provider. Its key pair is made outside Pulumi (`python -m tools.issuer_key`, which
keeps the private key in the secret `rosa register oidc-config` reads), so no private key is ever in the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket import guard_bucket
from components.renames import renamed_from
from foundation import iam, naming, oidc_documents
from foundation.adoption import Adoption
from foundation.catalogue import load_catalogue
from foundation.irsa import IrsaRole
from foundation.names import StackNames
from foundation.project import CLUSTER_FOUNDATION, type_token
from foundation.settings import ClusterSettings, ManagedOidc, SelfHostedOidc
from foundation.tags import added_tags

# AWS's managed "CachingOptimized" cache policy: the issuer documents change only when the key rotates.
CLOUDFRONT_CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"


@dataclass(frozen=True)
class SelfHostedNames:
    """The names of a self-hosted issuer's resources (`foundation.names`)."""

    bucket: str
    origin_access_control: str


@dataclass(frozen=True)
class OidcProviderArgs:
    """One cluster's OIDC config settings and, for a self-hosted one, its resources' names."""

    oidc: ManagedOidc | SelfHostedOidc
    self_hosted: SelfHostedNames | None  # required for a self-hosted config
    # (provider ARN, issuer host/path) when the settings alone fix them (Red Hat's managed issuer): trusts are then
    # plain documents that wait for the provider, instead of one Output chain per role (benchmarks/).
    known_issuer: tuple[str, str] | None
    retain_on_delete: bool  # keep the issuer's stateful resources in AWS when the stack is destroyed
    scope: str  # the scope tag's value: the pipeline may change a CloudFront issuer's provider and distribution by it
    import_id: str | None = None  # the provider's ARN, to import the one rosa made (`rosa-foundation:adopt`)


class OidcProvider(pulumi.ComponentResource):
    """Outputs: provider_arn, issuer_url, issuer_host_path, config_id (None until a self-hosted config is
    registered with OCM), private_key_secret_arn (self-hosted only: the settings', made outside the stack)."""

    provider_arn: pulumi.Output[str]
    provider: aws.iam.OpenIdConnectProvider
    known_issuer: tuple[str, str] | None
    issuer_url: pulumi.Output[str]
    issuer_host_path: pulumi.Output[str]
    config_id: str | None
    private_key_secret_arn: str | None

    def __init__(self, name: str, args: OidcProviderArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("oidc", "OidcProvider"), name, None, opts)
        self._name, self._args = name, args
        self._tags = added_tags(rosa={}, scope=args.scope)
        oidc = args.oidc
        self.config_id = oidc.config_id
        self.private_key_secret_arn = oidc.private_key_secret_arn if isinstance(oidc, SelfHostedOidc) else None
        depends_on: list[pulumi.Resource] = []
        if isinstance(oidc, ManagedOidc):
            self.issuer_url = pulumi.Output.from_input(oidc.issuer)
        elif args.self_hosted is None or oidc.public_key is None:
            raise ValueError(f"{name}: a self-hosted OIDC config needs the names of its resources and its public key")
        else:
            depends_on = self._self_hosted(args.self_hosted, oidc, oidc.public_key)
        self.issuer_host_path = self.issuer_url.apply(naming.issuer_host_path)
        provider = aws.iam.OpenIdConnectProvider(
            f"{name}-provider",
            url=self.issuer_url,
            client_id_lists=list(load_catalogue().oidc.client_ids),
            thumbprint_lists=[oidc.thumbprint.lower()] if oidc.thumbprint else None,
            tags=self._tags,
            # Every operator of a live cluster authenticates through it: a dropped or mistyped cluster entry
            # must not delete it. Retiring a cluster is deliberate: `pulumi state unprotect` first (README).
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on, protect=True, import_=args.import_id),
        )
        self.provider_arn, self.provider = provider.arn, provider
        self.known_issuer = args.known_issuer
        self.register_outputs(
            {
                "provider_arn": self.provider_arn,
                "issuer_url": self.issuer_url,
                "issuer_host_path": self.issuer_host_path,
                "config_id": self.config_id,
                "private_key_secret_arn": self.private_key_secret_arn,
            }
        )

    def _self_hosted(self, names: SelfHostedNames, oidc: SelfHostedOidc, public_key: str) -> list[pulumi.Resource]:
        """Create the issuer; return what the IAM provider must wait for (the published documents)."""
        name, child, bucket_name = self._name, pulumi.ResourceOptions(parent=self), names.bucket
        # Losing it breaks the cluster's identity: protected, and kept in AWS if the stack is ever destroyed.
        stateful = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=self._args.retain_on_delete)
        bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket=bucket_name, force_destroy=False, tags=self._tags, opts=stateful
        )
        via_cloudfront = oidc.public_access == "cloudfront"
        if via_cloudfront:
            distribution = self._cloudfront(bucket, names.origin_access_control)
            self.issuer_url = pulumi.Output.concat("https://", distribution.domain_name)
            reader = iam.Principal.service("cloudfront.amazonaws.com")

            def grants(arn: pulumi.Output[str]) -> pulumi.Output[tuple[iam.Statement, ...]]:
                return pulumi.Output.all(arn, distribution.arn).apply(
                    lambda args: (_read_issuer_documents(args[0], reader, source_arn=args[1]),)
                )
        else:
            self.issuer_url = bucket.bucket_regional_domain_name.apply(lambda host: f"https://{host}")

            def grants(arn: pulumi.Output[str]) -> pulumi.Output[tuple[iam.Statement, ...]]:
                return arn.apply(lambda bucket_arn: (_read_issuer_documents(bucket_arn, iam.Principal.aws("*")),))

        # SSE-S3, not KMS: STS reads anonymously and an anonymous caller cannot use a KMS key. A public bucket
        # policy is how STS reads the two documents, unless CloudFront fronts the bucket.
        guard_bucket(f"{name}-bucket", bucket, parent=self, public_policy=not via_cloudfront, grants=grants)
        discovery = aws.s3.BucketObjectv2(
            f"{name}-discovery",
            bucket=bucket.id,
            key=oidc_documents.DISCOVERY_KEY,
            content_type="application/json",
            content=self.issuer_url.apply(lambda url: oidc_documents.to_json(oidc_documents.discovery_document(url))),
            opts=child,
        )
        jwks = aws.s3.BucketObjectv2(
            f"{name}-jwks",
            bucket=bucket.id,
            key=oidc_documents.JWKS_KEY,
            content_type="application/json",
            content=oidc_documents.to_json(oidc_documents.jwks_document(public_key)),
            opts=child,
        )
        return [discovery, jwks]

    def _cloudfront(self, bucket: aws.s3.Bucket, access_control_name: str) -> aws.cloudfront.Distribution:
        name = self._name
        access_control = aws.cloudfront.OriginAccessControl(
            f"{name}-origin-access",
            name=access_control_name,
            description="CloudFront reads the OIDC issuer bucket; nobody else does",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.cloudfront.Distribution(
            f"{name}-distribution",
            enabled=True,
            comment=f"OIDC issuer {name}",
            http_version="http2and3",
            price_class="PriceClass_100",
            origins=[
                {
                    "origin_id": "oidc-bucket",
                    "domain_name": bucket.bucket_regional_domain_name,
                    "origin_access_control_id": access_control.id,
                }
            ],
            default_cache_behavior={
                "target_origin_id": "oidc-bucket",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "viewer_protocol_policy": "https-only",
                "cache_policy_id": CLOUDFRONT_CACHING_OPTIMIZED,
                "compress": True,
            },
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={"cloudfront_default_certificate": True},
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self),
        )


def oidc_providers(names: StackNames, retain_on_delete: bool, opts: pulumi.ResourceOptions) -> dict[str, OidcProvider]:
    """One OidcProvider per issuer of the stack (`StackNames.issuers`), by the name of each cluster it serves: a
    managed config's is `oidc-<config id>`, shared by every cluster on the config; a self-hosted one `<cluster>-oidc`.

    Each used to be built inside its cluster's ClusterFoundation as `<cluster>-oidc`: aliases to that place (every
    sharing cluster's, whichever held it) keep the URNs of the provider and of the issuer's resources."""
    providers: dict[str, OidcProvider] = {}
    for clusters in names.issuers().values():
        first = clusters[0]
        name = f"{first.name}-oidc" if isinstance(first.oidc, SelfHostedOidc) else f"oidc-{first.oidc.config_id}"
        moved = opts
        for cluster in clusters:
            old_parent = pulumi.create_urn(cluster.name, CLUSTER_FOUNDATION)
            moved = pulumi.ResourceOptions.merge(moved, renamed_from(f"{cluster.name}-oidc", name, old_parent))
        provider = OidcProvider(name, _oidc_args(names, first, retain_on_delete), moved)
        providers.update({cluster.name: provider for cluster in clusters})
    return providers


def _oidc_args(names: StackNames, cluster: ClusterSettings, retain_on_delete: bool) -> OidcProviderArgs:
    self_hosted = None
    bucket = names.issuer_bucket(cluster)
    if isinstance(cluster.oidc, SelfHostedOidc) and bucket:
        self_hosted = SelfHostedNames(bucket, names.origin_access_control(cluster))
    known = None
    if not isinstance(cluster.oidc, SelfHostedOidc) and (host_path := names.issuer_host_path(cluster)):
        known = (names.oidc_provider_arn(host_path), host_path)
    return OidcProviderArgs(
        cluster.oidc,
        self_hosted,
        known,
        retain_on_delete,
        names.settings.account_role_prefix,
        import_id=Adoption(names).oidc_provider(cluster),
    )


def _read_issuer_documents(bucket_arn: str, reader: iam.Principal, source_arn: str | None = None) -> iam.Statement:
    """Read access to exactly the two issuer documents."""
    return iam.Statement(
        "Allow",
        ("s3:GetObject",),
        resources=tuple(f"{bucket_arn}/{key}" for key in oidc_documents.PUBLISHED_KEYS),
        principal=reader,
        conditions=(iam.Condition("StringEquals", "AWS:SourceArn", (source_arn,)),) if source_arn else (),
        sid="ReadIssuerDocuments",
    )


def web_identity_trust_of(issuers: Sequence[OidcProvider], role: IrsaRole) -> pulumi.Input[str]:
    """`role`'s trust document through these clusters' issuers, one statement per issuer: plain when the settings
    fix every issuer, else one Output over all their provider ARNs and issuer host/paths."""
    known = tuple(oidc.known_issuer for oidc in issuers if oidc.known_issuer)
    if len(known) == len(issuers):
        return role.trust_of_issuers(known).to_json()
    facts = [fact for oidc in issuers for fact in (oidc.provider_arn, oidc.issuer_host_path)]
    return pulumi.Output.all(*facts).apply(
        lambda values: role.trust_of_issuers(tuple(zip(values[::2], values[1::2], strict=True))).to_json()
    )
