"""The pipeline's keyless identity in this account: GitHub's OIDC provider, the permissions boundary every role of the
stack carries, a deploy role only the repository's gated environment can assume from the promotion workflow on main,
and a preview role for that workflow's plan job.

No long-lived AWS keys in CI (the seeds' point about STS): each job exchanges its GitHub token for one-hour
credentials, and the trust names the exact customised subject (`repository_id:<id>:environment:<env>:
job_workflow_ref:<owner>/<repo>/.github/workflows/promote.yml@refs/heads/main`) and the `sts.amazonaws.com` audience.
Permissions come from `foundation.ci_permissions`: what this stack manages, nothing else; the boundary holds what the
pipeline may never do, on every role it can write. Created first, so every other role waits for the boundary and
every key policy for the deploy role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.role import RoleDefaults, attach_policy, stack_role
from foundation import ci_permissions, iam, naming, pipeline_boundary
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
    iam_path: str
    boundary: tuple[str, str, iam.PolicyDocument]  # its IAM path, name and document

    @classmethod
    def of(cls, names: StackNames, ci: CiIdentitySettings, assumable: tuple[str, ...] = ()) -> CiIdentityArgs:
        """The roles and permissions `foundation.ci_permissions` derives for the stack's pipeline identity `ci`;
        `assumable`: other accounts' roles the stack's roles may assume (`pipeline_boundary.boundary_policy`)."""
        deploy = {c: (names.ci_policy("deploy", c), d) for c, d in ci_permissions.deploy_policies(names).items()}
        preview_policy = ci_permissions.preview_policy(names)
        preview = {"state": (names.ci_policy("preview", "state"), preview_policy)} if preview_policy else {}
        boundary = names.boundary_policy()
        if boundary is None:  # the settings rules require one with a CI identity
            raise ValueError("a CI identity needs the stack's permissionsBoundary")
        return cls(
            ci=ci,
            deploy=CiRole(names.ci_role("deploy").name, deploy),
            preview=CiRole(names.ci_role("preview").name, preview),
            iam_path=names.settings.iam_path,
            boundary=(*boundary, pipeline_boundary.boundary_policy(names, assumable)),
        )


class CiIdentity(pulumi.ComponentResource):
    """Outputs: oidc_provider_arn, boundary_arn, deploy_role_arn, preview_role_arn, summary (`CiIdentityOutputs`, the
    stack output)."""

    oidc_provider_arn: pulumi.Output[str]
    boundary_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]
    summary: pulumi.Output[CiIdentityOutputs]

    def __init__(self, name: str, args: CiIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("ci", "CiIdentity"), name, None, opts)
        ci = args.ci
        self._name, self._args = name, args
        path, boundary_name, boundary = args.boundary
        self.boundary_arn = aws.iam.Policy(
            f"{name}-boundary",
            name=boundary_name,
            path=path,
            description="Permissions boundary of every role of this stack: what its pipeline may never do",
            policy=boundary.to_json(),
            opts=pulumi.ResourceOptions(parent=self),
        ).arn
        self._role_defaults = RoleDefaults(args.iam_path, self.boundary_arn)
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
                "boundary_arn": self.boundary_arn,
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
            defaults=self._role_defaults,
            tags=None,
            parent=self,
        )
        for concern, (policy_name, document) in spec.policies.items():
            policy = aws.iam.Policy(
                f"{logical}-{concern}",
                name=policy_name,
                path=self._args.iam_path,
                description=f"GitHub Actions {kind}: {concern} this stack manages",
                policy=document.to_json(),
                opts=pulumi.ResourceOptions(parent=self),
            )
            attach_policy(f"{logical}-{concern}-attachment", role, policy.arn)
        return role.arn
