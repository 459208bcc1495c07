"""The IAM evaluator the security tests use (tests/iam_evaluation.py) decides as AWS does in the cases they rely on:
same-account S3 either/or, KMS key policies that must allow, absent condition keys, explicit denies."""

from tests.iam_evaluation import evaluate

ROLE = "arn:aws:iam::111111111111:role/path/app"
OTHER_ACCOUNT_ROLE = "arn:aws:iam::222222222222:role/app"
BUCKET = "arn:aws:s3:::data"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = "arn:aws:iam::111111111111:root"


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource, principal=None, **condition):
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if principal:
        statement["Principal"] = {"AWS": principal}
    if condition:
        statement["Condition"] = condition
    return statement


READ = allow("s3:GetObject", f"{BUCKET}/*")


def test_in_its_own_account_s3_needs_the_role_policy_or_the_bucket_policy():
    bucket_grant = doc(allow("s3:GetObject", f"{BUCKET}/*", ROLE))
    assert evaluate([doc(READ)], None, ROLE, "s3:GetObject", f"{BUCKET}/a").allowed
    assert evaluate([], bucket_grant, ROLE, "s3:GetObject", f"{BUCKET}/a").allowed
    assert not evaluate(
        [], doc(allow("s3:GetObject", f"{BUCKET}/*", ROOT)), ROLE, "s3:GetObject", f"{BUCKET}/a"
    ).allowed


def test_from_another_account_s3_needs_both():
    bucket_grant = doc(allow("s3:GetObject", f"{BUCKET}/*", OTHER_ACCOUNT_ROLE))
    owner = "111111111111"
    get = ("s3:GetObject", f"{BUCKET}/a")
    assert not evaluate([doc(READ)], None, OTHER_ACCOUNT_ROLE, *get, resource_account=owner).allowed
    assert not evaluate([], bucket_grant, OTHER_ACCOUNT_ROLE, *get, resource_account=owner).allowed
    assert evaluate([doc(READ)], bucket_grant, OTHER_ACCOUNT_ROLE, *get, resource_account=owner).allowed


def test_a_key_policy_must_allow_whatever_the_role_policy_says():
    role_grant = doc(allow("kms:Decrypt", KEY))
    names_nobody = doc(allow("kms:DescribeKey", "*", ROLE))
    delegates = doc(allow("kms:*", "*", ROOT))
    names_role = doc(allow("kms:Decrypt", "*", ROLE))
    assert not evaluate([role_grant], names_nobody, ROLE, "kms:Decrypt", KEY).allowed
    assert evaluate([role_grant], delegates, ROLE, "kms:Decrypt", KEY).allowed
    assert not evaluate([], delegates, ROLE, "kms:Decrypt", KEY).allowed
    assert evaluate([], names_role, ROLE, "kms:Decrypt", KEY).allowed


def test_a_key_policy_granting_everyone_under_a_condition_allows_by_itself_as_aws_does():
    """`{"AWS": "*"}` is every principal, as `"*"` is: a key policy statement naming it needs no role policy (the
    pattern AWS's own aws/secretsmanager key uses); PMapper alone would read it as the account root."""
    everyone = doc(allow("kms:Decrypt", "*", "*", ArnEquals={"aws:PrincipalArn": ROLE}))
    assert evaluate([], everyone, ROLE, "kms:Decrypt", KEY).allowed
    assert not evaluate([], everyone, ROLE.replace("app", "other"), "kms:Decrypt", KEY).allowed


def test_a_condition_on_a_key_the_request_does_not_carry_fails_unless_if_exists():
    listing = {"StringLike": {"s3:prefix": ["mine/*"]}}
    lenient = {"StringLikeIfExists": {"s3:prefix": ["mine/*"]}}
    strict_role, lenient_role = (
        doc(allow("s3:ListBucket", BUCKET, **listing)),
        doc(allow("s3:ListBucket", BUCKET, **lenient)),
    )
    assert evaluate([strict_role], None, ROLE, "s3:ListBucket", BUCKET, {"s3:prefix": "mine/x"}).allowed
    assert not evaluate([strict_role], None, ROLE, "s3:ListBucket", BUCKET, {}).allowed
    assert evaluate([lenient_role], None, ROLE, "s3:ListBucket", BUCKET, {}).allowed
    assert not evaluate([lenient_role], None, ROLE, "s3:ListBucket", BUCKET, {"s3:prefix": "theirs/"}).allowed


def test_an_explicit_deny_in_the_resource_policy_wins_and_says_so():
    deny = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": f"{BUCKET}/*"}
    decision = evaluate([doc(READ)], doc(deny), ROLE, "s3:GetObject", f"{BUCKET}/a")
    assert decision == evaluate([doc(READ)], doc(deny), ROLE, "s3:GetObject", f"{BUCKET}/a")
    assert not decision.allowed and "Explicit Deny: Resource Policy" in decision.reason
