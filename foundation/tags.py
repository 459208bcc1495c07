"""The tags `rosa` and OCM look for on the resources they recognise (values are strings)."""

from __future__ import annotations

from collections.abc import Mapping

# rosa's mark on everything it makes, with the value "true" (openshift/rosa pkg/aws/tags/tags.go).
RED_HAT_MANAGED = "red-hat-managed"
RESERVED_TAG_KEYS = frozenset(
    {
        RED_HAT_MANAGED,
        "rosa_role_prefix",
        "rosa_role_type",
        "rosa_hcp_policies",
        "rosa_managed_policies",
        "rosa_openshift_version",
        "operator_namespace",
        "operator_name",
        "red-hat",  # ROSA's managed policies use only keys tagged red-hat=true
        "rosa_environment",  # the OCM and user roles' OCM environment
        "rosa_admin_role",  # an OCM role of the admin profile
        "rosa_no_console_role",  # an OCM role of the no-console profile
    }
)
# The most tags ROSA puts on one resource; AWS allows 50 in all, so user tags get the rest.
MAX_ROSA_TAGS = 5
MAX_TAGS_PER_RESOURCE = 50
MAX_TAGS_PER_S3_OBJECT = 10  # S3 refuses an object with more (InvalidTag)

# On every KMS key and security group the stack creates (value: the account role prefix), so the pipeline's role
# can be scoped to them from the moment they are created, however many there are (foundation/ci_permissions.py).
SCOPE_TAG = "rosa-foundation:scope"
# Marks a security group rule open to the whole internet because the settings declare that endpoint public; the
# guardrail `security-group-no-world-ingress` accepts world-open ingress only with this tag, on the endpoint's port.
PUBLIC_ENDPOINT_TAG = "rosa-foundation:public-endpoint"
API_PORT = 6443  # the Kubernetes API
INGRESS_PORT = 443  # the default ingress routers (HTTPS)
HCP_API_ENDPOINT_PORT = 443  # a private hosted control plane's API, through its VPC endpoint (data/SOURCES.md)
PUBLIC_ENDPOINT_PORTS = {"api": API_PORT, "ingress": INGRESS_PORT}
# Keys only this project sets; users may not.
RESERVED_TAG_KEYS = RESERVED_TAG_KEYS | {SCOPE_TAG, PUBLIC_ENDPOINT_TAG}

_HCP_POLICIES = {"rosa_hcp_policies": "true", "rosa_managed_policies": "true"}


def added_tags(
    *,
    rosa: Mapping[str, str] | None = None,
    scope: str | None = None,
    public_endpoint: str | None = None,
    name: str | None = None,
) -> dict[str, str]:
    """The tags this project adds to one resource; the user's own tags reach every resource through the AWS provider's
    `default_tags` (components/provider.py), and settings validation keeps users off these keys.

    `rosa`: ROSA's tags, on what rosa and OCM recognise (with `red-hat-managed=true`, as rosa sets it); `scope`: the
    account role prefix, on keys and security groups (the CI role's scope); `public_endpoint`: `api` or `ingress`,
    on a rule the settings made world-open; `name`: the EC2 console's `Name`.
    """
    tags: dict[str, str] = {}
    if name is not None:
        tags["Name"] = name
    if rosa is not None:
        tags.update({RED_HAT_MANAGED: "true", **rosa})
    if scope is not None:
        tags[SCOPE_TAG] = scope
    if public_endpoint is not None:
        tags[PUBLIC_ENDPOINT_TAG] = public_endpoint
    return tags


def account_role_tags(topology: str, prefix: str, role_type: str, classic_version: str | None) -> dict[str, str]:
    tags = {"rosa_role_prefix": prefix, "rosa_role_type": role_type}
    if topology == "hcp":
        return {**tags, **_HCP_POLICIES}
    return {**tags, "rosa_openshift_version": str(classic_version)}


def operator_role_tags(topology: str, namespace: str, operator: str) -> dict[str, str]:
    tags = {"operator_namespace": namespace, "operator_name": operator}
    return {**tags, **_HCP_POLICIES} if topology == "hcp" else tags


def classic_account_policy_tags(prefix: str, version: str, role_type: str) -> dict[str, str]:
    return {"rosa_role_prefix": prefix, "rosa_role_type": role_type, "rosa_openshift_version": version}


def classic_operator_policy_tags(prefix: str, version: str, namespace: str, operator: str) -> dict[str, str]:
    return {
        "rosa_role_prefix": prefix,
        "rosa_openshift_version": version,
        "operator_namespace": namespace,
        "operator_name": operator,
    }


def ocm_role_tags(prefix: str, role_type: str, environment: str) -> dict[str, str]:
    """An OCM or user role's tags as rosa sets them (`rosa create ocm-role` / `user-role`): with `added_tags(rosa=)`'s
    `red-hat-managed`, the tags rosa's `list ocm-roles` / `list user-roles` read. A profile's own tag comes on top."""
    return {"rosa_role_prefix": prefix, "rosa_role_type": role_type, "rosa_environment": environment}
