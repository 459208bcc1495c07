"""IAM lint: parliament over every rendered document; unknown actions and malformed ARNs fail, accepted findings
are listed with their reason."""

import json

import pytest

from policies import iam_lint
from render import artefacts
from tests.conftest import example

ACCEPTED = iam_lint.load_accepted()


def lint(document: dict, name: str = "x.policy.json") -> list[iam_lint.LintFinding]:
    return iam_lint.lint_document(name, json.dumps(document), ACCEPTED)


def policy(action: str, resource: str = "arn:aws:s3:::bucket/*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def test_a_misspelt_action_fails_the_lint():
    (finding,) = lint(policy("s3:GetObjekt"))
    assert (finding.issue, finding.severity, finding.fails) == ("UNKNOWN_ACTION", "MEDIUM", True)


def test_an_unknown_service_prefix_fails_the_lint():
    assert any(f.issue == "UNKNOWN_PREFIX" and f.fails for f in lint(policy("s4:GetObject")))


def test_a_malformed_resource_arn_fails_the_lint():
    assert any(f.fails for f in lint(policy("s3:GetObject", "arn:aws:s3:bucket")))


def test_a_correct_policy_passes():
    assert not [f for f in lint(policy("s3:GetObject")) if f.fails]


def test_a_trust_policy_without_resource_is_accepted_with_its_reason():
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}],
    }
    (finding,) = lint(trust, "role.trust.json")
    assert (
        finding.issue == "MALFORMED"
        and not finding.fails
        and "trust policy names no resource" in finding.accepted_because
    )
    (same,) = lint(trust, "role.policy.json")  # the acceptance is for trust documents only
    assert same.fails


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_rendered_document_of_the_example_stacks_passes(stack, tmp_path, capsys):
    artefacts.write(example(stack), tmp_path / stack)
    assert iam_lint.main([stack, "--build", str(tmp_path)]) == 0
    assert "0 failing" in capsys.readouterr().out


def test_an_acceptance_needs_a_reason(tmp_path):
    path = tmp_path / "accepted.yaml"
    path.write_text("- {issue: MALFORMED, documents: '*'}\n")
    with pytest.raises(ValueError, match="needs issue, documents and a reason"):
        iam_lint.load_accepted(path)
