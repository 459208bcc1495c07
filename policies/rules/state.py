"""State guardrails: what a cluster or a restore depends on survives a destroy, no key material or secret value is
kept in the state, and resources carry the stack's tags."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from policies.graph import UNKNOWN, Graph, Resource, Rule, is_known
from policies.rules.resource_types import (
    BUCKET,
    CLOUDFRONT_DISTRIBUTION,
    HOSTED_ZONE,
    IAM_POLICY,
    KMS_KEY,
    LOG_GROUP,
    OIDC_PROVIDER,
    ROLE,
    SECRET,
    SECRET_VERSION,
    SECURITY_GROUP,
    TLS_PRIVATE_KEY,
)

STATEFUL = (BUCKET, KMS_KEY, OIDC_PROVIDER, SECRET, HOSTED_ZONE, LOG_GROUP)  # a hosted zone: a shared-VPC cluster's DNS


def stateful_resources_protected(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for resource in graph.of_type(*STATEFUL):
        if not resource.protect:
            yield resource, "holds state a cluster or a restore depends on, but is not protected"
        if resource.inputs.get("forceDestroy") is True:
            yield resource, "is force-destroyable: deleting the stack would empty it"
        if resource.inputs.get("recoveryWindowInDays") == 0:
            yield resource, "can be deleted without a recovery window"


STATEFUL_RESOURCES_PROTECTED = Rule(
    name="stateful-resources-protected",
    description=(
        "Buckets, KMS keys, OIDC providers, secrets, hosted zones and log groups are protected, never force-destroyed."
    ),
    remediation="Register them with protect=True (see README, What is protected).",
    level="mandatory",
    severity="high",  # a destroy or replacement deletes what a cluster or a restore depends on
    check=stateful_resources_protected,
)


def no_private_key_in_state(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for resource in graph.of_type(TLS_PRIVATE_KEY, SECRET_VERSION):
        yield resource, "keeps key material or a secret's value in the Pulumi state, which every reader of it sees"
    for resource in graph.resources:
        if any("PRIVATE KEY-----" in text for text in _texts(resource.inputs)):
            yield resource, "has a private key among its inputs, which the state and every preview keep"


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


NO_PRIVATE_KEY_IN_STATE = Rule(
    name="no-private-key-in-state",
    description="No private key or secret value is a resource of the stack or one of its inputs.",
    remediation="Make the key outside Pulumi (python -m tools.issuer_key) and give the stack its public half.",
    level="mandatory",
    severity="high",  # whoever reads the state (a preview role, a backup of it) reads the key
    check=no_private_key_in_state,
)

TAGGABLE = (
    ROLE, IAM_POLICY, OIDC_PROVIDER, BUCKET, KMS_KEY, SECRET, SECURITY_GROUP, CLOUDFRONT_DISTRIBUTION, LOG_GROUP
)  # fmt: skip


def _default_tags(graph: Graph, resource: Resource) -> Any:
    """The `defaultTags.tags` of the provider `resource` was registered with ({} without one), or UNKNOWN."""
    provider = graph.provider_of(resource)
    default_tags = provider.inputs.get("defaultTags") if provider else None
    # pulumi-aws's SDK sends a provider's object inputs JSON-encoded; a render may hold either form.
    if isinstance(default_tags, str):
        default_tags = json.loads(default_tags)
    if not is_known(default_tags):
        return UNKNOWN
    return (default_tags or {}).get("tags") or {}


def _effective_tags(graph: Graph, resource: Resource) -> Any:
    """The tags AWS will hold: pulumi-aws applies the provider's default tags to every taggable resource of that
    provider, the resource's own tags winning on a shared key. UNKNOWN while either part is."""
    own, defaults = resource.inputs.get("tags") or {}, _default_tags(graph, resource)
    if not is_known(own) or not is_known(defaults):
        return UNKNOWN
    return {**defaults, **own}


def required_tags(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    required = list(config.get("tags", ["environment"]))
    for resource in graph.of_type(*TAGGABLE):
        tags = _effective_tags(graph, resource)
        if not is_known(tags):
            continue
        missing = [t for t in required if t not in tags]
        if missing:
            yield resource, f"lacks the tags {', '.join(missing)}"


REQUIRED_TAGS = Rule(
    name="required-tags",
    description="Taggable resources carry the tags the stack requires (default: environment).",
    remediation="Set rosa-foundation:tags in the stack file.",
    level="advisory",
    severity="low",  # cost and ownership bookkeeping; nothing is exposed
    check=required_tags,
    config_schema={"tags": {"type": "array", "items": {"type": "string"}}},
)

RULES = (STATEFUL_RESOURCES_PROTECTED, NO_PRIVATE_KEY_IN_STATE, REQUIRED_TAGS)
