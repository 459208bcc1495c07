"""The value types of the stack settings: each a string with one rule, which names what is allowed when it fails.

Each rule returns the value or raises ValueError with the text "what is allowed"; the loader turns that into one line
naming the key (as written in the stack file) and the value.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator

from foundation.catalogue import load_catalogue
from foundation.iam_actions import condition_operators, unknown_action
from foundation.partitions import region_problem

MAX_PREFIX = 32  # rosa's limit for --prefix and --operator-roles-prefix


def matching(pattern: str, allowed: str) -> Callable[[str], str]:
    """A rule: the whole value matches `pattern`, else it must be `allowed` (the text a message gives)."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(allowed)
        return value

    return check


def _iam_path(value: str) -> str:
    # IAM allows _+=,.@- in a path too, but `rosa create account-roles --path` takes letters, digits and '/' only
    # (openshift/rosa pkg/aws/helpers.go `ARNPath`), and the account roles are on this path.
    if len(value) > 512 or not re.fullmatch(r"/(?:[A-Za-z0-9]+/)*", value):
        raise ValueError(
            "an IAM path: '/' or '/a/b/', segments of letters and digits (rosa's --path rule, stricter than IAM's); "
            "at most 512 characters"
        )
    return value


def _tag_text(kind: str, maximum: int, minimum: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not minimum <= len(value) <= maximum:
            raise ValueError(f"a tag {kind} of {minimum} to {maximum} characters")
        bad = [c for c in value if not (unicodedata.category(c)[0] in "LNZ" or c in "_.:/=+-@")]
        if bad:
            raise ValueError(f"a tag {kind} of letters, digits, spaces and _.:/=+-@ only (found {''.join(bad)!r})")
        if kind == "key" and value.lower().startswith("aws:"):
            raise ValueError("a tag key not starting with 'aws:' (AWS reserves that prefix)")
        return value

    return check


# S3's reserved prefixes and suffixes (its general purpose bucket naming rules; `.mrap` too, which no dotless name
# can end with): CreateBucket refuses them.
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3")


def valid_bucket_name(value: str) -> str:
    reserved = value.startswith(_RESERVED_BUCKET_PREFIXES) or value.endswith(_RESERVED_BUCKET_SUFFIXES)
    if reserved or not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", value):
        raise ValueError(
            "an S3 bucket name of 3 to 63 lower-case letters, digits or '-' starting and ending with a letter or "
            f"digit, without S3's reserved prefixes ({', '.join(_RESERVED_BUCKET_PREFIXES)}) and suffixes "
            f"({', '.join(_RESERVED_BUCKET_SUFFIXES)}); no dots: HTTPS to a dotted "
            "bucket name fails S3's certificate match"
        )
    return value


def _version(value: str) -> str:
    known = load_catalogue().classic_versions
    if value not in known:
        raise ValueError(f"an OpenShift minor version with vendored policy documents: one of {', '.join(known)}")
    return value


AccountId = Annotated[str, AfterValidator(matching(r"\d{12}", "a 12-digit AWS account id, quoted in YAML"))]


def _rosa_region(value: str) -> str:
    if problem := region_problem(value):
        raise ValueError(problem)
    return value


Region = Annotated[str, AfterValidator(_rosa_region)]
RolePrefix = Annotated[
    str,
    AfterValidator(
        matching(
            rf"[A-Za-z0-9_+=.@-]{{1,{MAX_PREFIX}}}",
            "1 to 32 letters, digits or _+=.@- (rosa's prefix rule, less ',' which the rosa_role_prefix tag refuses)",
        )
    ),
]
ClusterName = Annotated[
    str,
    AfterValidator(
        matching(
            r"[a-z](?:[a-z0-9-]{0,52}[a-z0-9])?",
            "1 to 54 lower-case letters, digits or '-', starting with a letter and ending with a letter or digit "
            "(ROSA's cluster name rule)",
        )
    ),
]
IamPath = Annotated[str, AfterValidator(_iam_path)]
PolicyArn = Annotated[
    str,
    AfterValidator(
        matching(
            r"arn:aws(-us-gov|-cn)?:iam::(\d{12}|aws):policy/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,128}",
            "an IAM policy ARN, arn:<partition>:iam::<account>:policy/<path><name>",
        )
    ),
]
RoleArn = Annotated[
    str,
    AfterValidator(
        matching(
            r"arn:aws(-us-gov)?:iam::\d{12}:role/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,64}",
            "an IAM role ARN, arn:<partition>:iam::<account>:role/<path><name>",
        )
    ),
]
ExternalId = Annotated[
    str, AfterValidator(matching(r"(?a)[\w+=,.@:/-]{2,1224}", "2 to 1224 letters, digits or _+=,.@:/- (STS's rule)"))
]
TagKey = Annotated[str, AfterValidator(_tag_text("key", 128, 1))]
TagValue = Annotated[str, AfterValidator(_tag_text("value", 256, 0))]
MinorVersion = Annotated[str, AfterValidator(_version)]
OidcConfigId = Annotated[
    str, AfterValidator(matching(r"[a-z0-9]{32}", "an OIDC config id: 32 lower-case letters or digits"))
]
Thumbprint = Annotated[
    str, AfterValidator(matching(r"[0-9a-fA-F]{40}", "a certificate thumbprint: 40 hex digits (SHA-1)"))
]
IssuerUrl = Annotated[
    str,
    AfterValidator(
        matching(
            r"https://[a-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~-]+)*",
            "an https:// issuer URL with no trailing '/', query or fragment",
        )
    ),
]
BucketName = Annotated[str, AfterValidator(valid_bucket_name)]


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError(
            "a CIDR block in canonical form, e.g. 10.0.0.0/16 or 2001:db8::/56 (no host bits set)"
        ) from None
    if str(network) != value:
        raise ValueError(f"a CIDR block written canonically: {network}")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
VpcId = Annotated[
    str, AfterValidator(matching(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})", "a VPC id: vpc- and 8 or 17 hex digits"))
]
KubernetesName = Annotated[
    str,
    AfterValidator(
        matching(
            r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
            "a Kubernetes name: 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit",
        )
    ),
]
RoleNamePart = Annotated[
    str,
    AfterValidator(matching(r"[A-Za-z0-9_+=,.@-]{1,64}", "1 to 64 letters, digits or _+=,.@- (IAM's role name rule)")),
]
# What `rosa whoami` prints as "OCM Organization ID" and "OCM Account ID": the external ids of the OCM and user roles'
# trust (STS takes 2 to 1224 characters; OCM's ids are letters and digits).
OcmId = Annotated[
    str,
    AfterValidator(matching(r"[A-Za-z0-9]{2,64}", "an OCM id as `rosa whoami` prints it: 2 to 64 letters or digits")),
]
# Actions that give away the account: never granted by a workload statement.
_ACCOUNT_WIDE_ACTIONS = frozenset({"*", "*:*", "iam:*", "sts:*", "kms:*", "organizations:*"})


def _action(value: str) -> str:
    if value in _ACCOUNT_WIDE_ACTIONS:
        raise ValueError(f"a specific action, not one of {', '.join(sorted(_ACCOUNT_WIDE_ACTIONS))}")
    matching(r"[a-z0-9-]+:[A-Za-z0-9*?]+", "an IAM action 'service:Action'")(value)
    if unknown := unknown_action(value):
        raise ValueError(f"an action AWS has: {unknown} (a typo, or newer than parliament's IAM database?)")
    return value


Action = Annotated[str, AfterValidator(_action)]


def _condition_operator(value: str) -> str:
    if value not in condition_operators():
        raise ValueError(
            "an IAM condition operator, e.g. StringEquals, ArnLike, BoolIfExists, ForAnyValue:StringLike "
            "(IAM's documented operators)"
        )
    return value


ConditionOperator = Annotated[str, AfterValidator(_condition_operator)]
ResourceArn = Annotated[
    str,
    AfterValidator(
        matching(
            r"\*|arn:aws(-us-gov|-cn)?:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws|\*)?:.+",
            "'*' or an ARN, arn:<partition>:<service>:<region>:<account>:<resource>",
        )
    ),
]
SubnetId = Annotated[
    str,
    AfterValidator(matching(r"subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})", "a subnet id: subnet- and 8 or 17 hex digits")),
]


def _openshift_version(value: str) -> str:
    # rosa takes --version only as one of the raw ids `rosa list versions` prints (ocm ValidateVersion): x.y.z.
    if re.fullmatch(r"\d+\.\d+", value):
        raise ValueError(
            f"a full OpenShift version x.y.z, not the minor {value}: give the patch release as `rosa list versions` "
            f"shows it ({value}.<patch>)"
        )
    if not re.fullmatch(r"\d+\.\d+\.\d+", value):
        raise ValueError("a full OpenShift version x.y.z as `rosa list versions` shows it, e.g. 4.20.8")
    return value


OpenShiftVersion = Annotated[str, AfterValidator(_openshift_version)]


# A stack the program reads through a StackReference: `<stack>`, `<project>/<stack>` or `<org>/<project>/<stack>`.
StackReferenceName = Annotated[
    str,
    AfterValidator(
        matching(
            r"(?:[\w.-]+/){0,2}[\w.-]+", "a stack reference: <stack>, <project>/<stack> or <org>/<project>/<stack>"
        )
    ),
]
# A base domain reserved in OCM (`rosa create dns-domain --hosted-cp`), e.g. `a1b2.p3.openshiftapps.com`.
BaseDomain = Annotated[
    str,
    AfterValidator(
        matching(
            r"(?=.{1,200}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
            "a lower-case DNS name such as a1b2.p3.openshiftapps.com, as `rosa list dns-domains` shows it",
        )
    ),
]
# What `rosa-foundation:adopt` may name: resources rosa's `create account-roles`, `create operator-roles` and
# `create oidc-provider` made, which the stack then imports instead of creating (foundation/adoption.py).
AdoptKind = Literal["account-roles", "operator-roles", "oidc-providers"]
HostedZoneId = Annotated[
    str, AfterValidator(matching(r"[A-Z0-9]{1,32}", "a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ"))
]
FileSystemId = Annotated[
    str,
    AfterValidator(matching(r"fs-(?:[0-9a-f]{8}|[0-9a-f]{17})", "an EFS file system id: fs- and 8 or 17 hex digits")),
]
SecretArn = Annotated[
    str,
    AfterValidator(
        matching(
            r"arn:aws(-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-][A-Za-z0-9/_+=.@*?-]*",
            "a Secrets Manager secret ARN whose name starts with a name's own character (not * or ?, which would "
            "name every secret) and may end in * or ??????, "
            "arn:<partition>:secretsmanager:<region>:<account>:secret:<name>",
        )
    ),
]
ParameterPath = Annotated[
    str,
    AfterValidator(
        matching(
            r"/?[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*(?:/\*|\*)?",
            "an SSM parameter name or path, e.g. /team/app/* or team-app-*",
        )
    ),
]


def _log_retention(days: int) -> int:
    # CloudWatch Logs refuses any other retention (PutRetentionPolicy); "never expire" is not offered: logs are bounded.
    allowed = load_catalogue().log_forwarding.retention_days
    if days not in allowed:
        raise ValueError(f"one of CloudWatch Logs' retentions, in days: {', '.join(map(str, allowed))}")
    return days


def _control_plane_log_group(value: str) -> str:
    groups = load_catalogue().log_forwarding.groups
    if value not in groups:
        raise ValueError(f"one of ROSA's control-plane log groups: {', '.join(repr(g) for g in groups)}")
    return value


LogRetentionDays = Annotated[int, AfterValidator(_log_retention)]
S3KeyPrefix = Annotated[
    str,
    AfterValidator(
        matching(
            r"[A-Za-z0-9][A-Za-z0-9._/-]{0,254}",
            "an S3 key prefix: 1 to 255 letters, digits or ._/-, starting with a letter or digit",
        )
    ),
]
ControlPlaneLogGroup = Annotated[str, AfterValidator(_control_plane_log_group)]
