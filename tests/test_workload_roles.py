"""Workload (IRSA) roles: trusted by the cluster's OIDC provider, exactly one service account and the `aud` ROSA's
pod identity webhook sets; allowed only the managed policies or statements listed."""

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import cluster, config, document, run

S3_APP = {
    "namespace": "iam-app",
    "serviceAccount": "iam-app-s3-sa",
    "statements": [{"actions": ["s3:GetObject", "s3:PutObject"], "resources": ["arn:aws:s3:::app-bucket/*"]}],
}


def problems(workloads, **fields) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(clusters=[cluster(workloadRoles=workloads, **fields)]))
    return str(failure.value)


def test_workload_role_trusts_exactly_its_service_account_with_the_sts_audience():
    render = run(clusters=[cluster(workloadRoles=[S3_APP])])
    (statement,) = document(render, "alpha-workload-roles-iam-app-iam-app-s3-sa", "assumeRolePolicy")["Statement"]
    provider = render.outputs["clusters"]["alpha"]["oidcProviderArn"]
    host = provider.split("oidc-provider/")[1]
    assert statement == {
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Condition": {
            "StringEquals": {
                f"{host}:sub": "system:serviceaccount:iam-app:iam-app-s3-sa",
                f"{host}:aud": "sts.amazonaws.com",
            }
        },
    }


def test_statements_become_the_roles_only_inline_policy_and_arns_are_attached():
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    render = run(clusters=[cluster(workloadRoles=[{**S3_APP, "managedPolicyArns": [arn]}])])
    policy = document(render, "alpha-workload-roles-iam-app-iam-app-s3-sa-inline", "policy")
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::app-bucket/*"}
    ]
    attachment = render.named("alpha-workload-roles-iam-app-iam-app-s3-sa-AmazonS3ReadOnlyAccess")
    assert attachment.inputs["policyArn"] == arn


def test_workload_role_name_defaults_to_prefix_namespace_and_service_account():
    render = run(clusters=[cluster(operatorRolePrefix="prod-a", workloadRoles=[S3_APP])])
    assert render.outputs["clusters"]["alpha"]["workloadRoleArns"]["iam-app/iam-app-s3-sa"].endswith(
        ":role/prod-a-iam-app-iam-app-s3-sa"
    )


@pytest.mark.parametrize(
    ("workload", "expected"),
    [
        ({"namespace": "a", "serviceAccount": "b"}, "workloadRoles[0]: grants nothing"),
        ({**S3_APP, "statements": [{"actions": ["*"], "resources": ["*"]}]}, "actions[0] = '*': must be a specific"),
        ({**S3_APP, "statements": [{"actions": ["iam:*"], "resources": ["*"]}]}, "must be a specific action"),
        ({**S3_APP, "statements": [{"actions": ["s3:GetObject"]}]}, "statements[0].resources is missing"),
        (
            {**S3_APP, "statements": [{"actions": ["s3:GetObject"], "resources": ["my-bucket/*"]}]},
            "statements[0].resources[0] = 'my-bucket/*': must be '*' or an ARN",
        ),
        ({**S3_APP, "namespace": "Iam_App"}, "workloadRoles[0].namespace = 'Iam_App': must be a Kubernetes name"),
        ({**S3_APP, "managedPolicyArns": ["arn:aws-cn:iam::aws:policy/X"]}, "is not in this stack's partition 'aws'"),
        (
            {
                **S3_APP,
                "statements": [
                    {
                        "actions": ["s3:GetObject"],
                        "resources": ["*"],
                        "conditions": [{"operator": "StringEquals", "key": "aws:PrincipalTag/team", "values": ["a*"]}],
                    }
                ],
            },
            "compares a wildcard literally",
        ),
    ],
)
def test_bad_workload_roles_are_refused_with_key_and_value(workload, expected):
    assert expected in problems([workload])


def test_one_service_account_gets_one_role():
    assert "workloadRoles[1]: service account iam-app/iam-app-s3-sa already has a role" in problems([S3_APP, S3_APP])


def test_a_workload_role_name_may_not_collide_with_an_operator_role():
    clash = {**S3_APP, "roleName": "alpha-kube-system-kms-provider"}
    assert (
        "cluster 'alpha' workload role iam-app/iam-app-s3-sa and cluster 'alpha' operator role kube-system/kms-provider"
        " are both IAM role 'alpha-kube-system-kms-provider'; rename one"
    ) in problems([clash])
