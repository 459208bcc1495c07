"""The pipeline's keyless identity in this account: GitHub's OIDC provider, a deploy role only the repository's
gated environment can assume, and a preview role for its ungated `-preview` environment.

No long-lived AWS keys in CI (the seeds' point about STS): each job exchanges its GitHub token for one-hour
credentials, and the trust names the exact `repo:<owner>/<repo>:environment:<env>` subject and `sts.amazonaws.com`
audience. Permissions come from `foundation.ci_permissions`: what this stack manages, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.role import RoleDefaults, attach_policy, stack_role
from foundation import ci_permissions, iam, naming
from foundation.ci_permissions import GITHUB_AUDIENCE, GITHUB_ISSUER
from foundation.names import CiRoleKind, StackNames
from foundation.outputs import CiIdentityOutputs
from foundation.project import type_token
from foundation.settings import CiIdentitySettings


@dataclass(frozen=True)
class CiRole:
    """One CI role: its IAM name and its managed policies (concern -> (policy name, document))."""

    name: str
    policies: Mapping[str, tuple[str, iam.PolicyDocument]]


@dataclass(frozen=True)
class CiIdentityArgs:
    ci: CiIdentitySettings
    deploy: CiRole
    preview: CiRole
    role_defaults: RoleDefaults

    @classmethod
    def of(cls, names: StackNames, ci: CiIdentitySettings) -> CiIdentityArgs:
        """The roles and permissions `foundation.ci_permissions` derives for the stack's pipeline identity `ci`."""
        deploy = {c: (names.ci_policy("deploy", c), d) for c, d in ci_permissions.deploy_policies(names).items()}
        preview_policy = ci_permissions.preview_policy(names)
        preview = {"state": (names.ci_policy("preview", "state"), preview_policy)} if preview_policy else {}
        return cls(
            ci=ci,
            deploy=CiRole(names.ci_role("deploy").name, deploy),
            preview=CiRole(names.ci_role("preview").name, preview),
            role_defaults=RoleDefaults.of(names.settings),
        )


class CiIdentity(pulumi.ComponentResource):
    """Outputs: oidc_provider_arn, deploy_role_arn, preview_role_arn, summary (`CiIdentityOutputs`, the stack
    output)."""

    oidc_provider_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    summary: pulumi.Output[CiIdentityOutputs]

    def __init__(self, name: str, args: CiIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("ci", "CiIdentity"), name, None, opts)
        ci = args.ci
        self._name, self._args = name, args
        if ci.github_oidc_provider_arn:
            self.oidc_provider_arn = pulumi.Output.from_input(ci.github_oidc_provider_arn)
        else:
            self.oidc_provider_arn = aws.iam.OpenIdConnectProvider(
                f"{name}-github",
                url=GITHUB_ISSUER,
                client_id_lists=[GITHUB_AUDIENCE],
                # Every pipeline of the account authenticates through it (AWS allows one per issuer).
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            ).arn
        self.deploy_role_arn = self._role("deploy", ci.subject, args.deploy)
        self.preview_role_arn = self._role("preview", ci.preview_subject, args.preview)
        # Output.all of keywords resolves to exactly these keys: a CiIdentityOutputs.
        self.summary = pulumi.Output.all(  # type: ignore[assignment]
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

    def _role(self, kind: CiRoleKind, subject: str, spec: CiRole) -> pulumi.Output[str]:
        logical = f"{self._name}-{kind}"
        trust = self.oidc_provider_arn.apply(
            lambda arn: iam.web_identity_trust(
                arn, naming.issuer_host_path(GITHUB_ISSUER), (subject,), GITHUB_AUDIENCE
            ).to_json()
        )
        role = stack_role(
            logical,
            role_name=spec.name,
            description=f"GitHub Actions {kind} of this stack ({subject})",
            trust_policy=trust,
            defaults=self._args.role_defaults,
            tags=None,
            parent=self,
        )
        for concern, (policy_name, document) in spec.policies.items():
            policy = aws.iam.Policy(
                f"{logical}-{concern}",
                name=policy_name,
                path=self._args.role_defaults.path,
                description=f"GitHub Actions {kind}: {concern} this stack manages",
                policy=document.to_json(),
                opts=pulumi.ResourceOptions(parent=self),
            )
            attach_policy(f"{logical}-{concern}-attachment", role, policy.arn)
        return role.arn
