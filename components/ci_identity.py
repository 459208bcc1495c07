"""The pipeline's keyless identity in this account: GitHub's OIDC provider, a deploy role only the repository's
gated environment can assume, and a preview role for its ungated `-preview` environment.

No long-lived AWS keys in CI (the seeds' point about STS): each job exchanges its GitHub token for one-hour
credentials, and the trust names the exact `repo:<owner>/<repo>:environment:<env>` subject and `sts.amazonaws.com`
audience. Permissions come from `foundation.ci_permissions`: what this stack manages, nothing else.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.role import attach_policy, stack_role
from foundation import ci_permissions, iam, naming
from foundation.settings import StackSettings

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"


class CiIdentity(pulumi.ComponentResource):
    """Outputs: oidc_provider_arn, deploy_role_arn, preview_role_arn, summary (the stack output)."""

    oidc_provider_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    summary: pulumi.Output[dict]

    def __init__(self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:ci:CiIdentity", name, None, opts)
        ci = settings.ci_identity
        assert ci
        self._name, self._settings = name, settings
        if ci.github_oidc_provider_arn:
            self.oidc_provider_arn = pulumi.Output.from_input(ci.github_oidc_provider_arn)
        else:
            self.oidc_provider_arn = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=GITHUB_ISSUER,
                client_id_lists=[GITHUB_AUDIENCE],
                tags=dict(settings.tags),
                # Every pipeline of the account authenticates through it (AWS allows one per issuer).
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            ).arn
        self.deploy_role_arn = self._role("deploy", ci.subject, ci_permissions.deploy_policies(settings))
        preview = ci_permissions.preview_policy(settings)
        self.preview_role_arn = self._role("preview", ci.preview_subject, {"state": preview} if preview else {})
        self.summary = pulumi.Output.all(
            environment=ci.environment,
            subject=ci.subject,
            deployRoleArn=self.deploy_role_arn,
            previewSubject=ci.preview_subject,
            previewRoleArn=self.preview_role_arn,
            oidcProviderArn=self.oidc_provider_arn,
        )
        self.register_outputs(
            {
                "oidc_provider_arn": self.oidc_provider_arn,
                "deploy_role_arn": self.deploy_role_arn,
                "preview_role_arn": self.preview_role_arn,
                "summary": self.summary,
            }
        )

    def _role(self, kind: str, subject: str, policies: dict[str, iam.PolicyDocument]) -> pulumi.Output[str]:
        settings, logical = self._settings, f"{self._name}-{kind}"
        role_name = naming.iam_name(*settings.ci_role_name_parts(kind))
        trust = self.oidc_provider_arn.apply(
            lambda arn: iam.web_identity_trust(
                arn, naming.issuer_host_path(GITHUB_ISSUER), (subject,), GITHUB_AUDIENCE
            ).to_json()
        )
        role = stack_role(
            logical,
            role_name=role_name,
            description=f"GitHub Actions {kind} of this stack ({subject})",
            trust_policy=trust,
            settings=settings,
            tags=settings.tags,
            parent=self,
        )
        for concern, document in policies.items():
            policy = aws.iam.Policy(
                f"{logical}-{concern}",
                name=f"{role_name}-{concern}",
                path=settings.iam_path,
                description=f"GitHub Actions {kind}: {concern} this stack manages",
                policy=document.to_json(),
                tags=dict(settings.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            attach_policy(f"{logical}-{concern}-attachment", role, policy.arn)
        return role.arn
