"""The IAM builders as plain data: shapes IAM accepts, refusals of shapes it would reject or misread."""

import json

import pytest

from foundation import iam


def test_assume_role_trust_for_a_service_has_no_condition():
    doc = iam.assume_role_trust(iam.Principal.service("ec2.amazonaws.com")).to_dict()
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}],
    }


def test_assume_role_trust_binds_the_external_id_with_string_equals():
    doc = iam.assume_role_trust(iam.Principal.aws("arn:aws:iam::710019948333:role/X"), "ext-123").to_dict()
    assert doc["Statement"][0]["Condition"] == {"StringEquals": {"sts:ExternalId": "ext-123"}}


def test_web_identity_trust_pins_exact_subjects_and_optional_audience():
    doc = iam.web_identity_trust(
        "arn:aws:iam::1:oidc-provider/issuer.example/abc",
        "issuer.example/abc",
        ("system:serviceaccount:ns:a", "system:serviceaccount:ns:b"),
        audience="sts.amazonaws.com",
    ).to_dict()
    statement = doc["Statement"][0]
    assert statement["Principal"] == {"Federated": "arn:aws:iam::1:oidc-provider/issuer.example/abc"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {
            "issuer.example/abc:sub": ["system:serviceaccount:ns:a", "system:serviceaccount:ns:b"],
            "issuer.example/abc:aud": "sts.amazonaws.com",
        }
    }


def test_a_wildcard_subject_under_string_equals_is_refused():
    with pytest.raises(iam.PolicyError, match="wildcard"):
        iam.web_identity_trust("arn:aws:iam::1:oidc-provider/x", "x", ("system:serviceaccount:ns:*",))


def test_web_identity_trust_without_subjects_is_refused():
    with pytest.raises(iam.PolicyError, match="subject"):
        iam.web_identity_trust("arn:aws:iam::1:oidc-provider/x", "x", ())


@pytest.mark.parametrize("action", ["s3", "GetObject", "s3:Get Object", ""])
def test_actions_must_look_like_service_colon_action(action):
    with pytest.raises(iam.PolicyError, match="action"):
        iam.Statement("Allow", (action,), resources=("*",))


def test_an_empty_document_is_refused():
    with pytest.raises(iam.PolicyError, match="empty"):
        iam.PolicyDocument(())


def test_documents_are_checked_for_their_use():
    with pytest.raises(iam.PolicyError, match="must not name a principal"):
        iam.PolicyDocument((iam.Statement("Allow", ("s3:GetObject",), ("*",), iam.Principal.aws("*")),))
    with pytest.raises(iam.PolicyError, match="must name a principal"):
        iam.PolicyDocument((iam.Statement("Allow", ("sts:AssumeRole",)),), use="trust")
    with pytest.raises(iam.PolicyError, match="only sts"):
        iam.PolicyDocument((iam.Statement("Allow", ("s3:GetObject",), principal=iam.Principal.aws("*")),), use="trust")


def test_serialisation_is_compact_and_key_sorted_so_previews_show_no_noise():
    text = iam.assume_role_trust(iam.Principal.service("ec2.amazonaws.com")).to_json()
    assert " " not in text and "\n" not in text
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
