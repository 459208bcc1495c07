"""The settings of a workload (IRSA) role: its service account, what it may do (a preset, managed policies,
statements) and, for the stack's own workload roles, the clusters that trust it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from foundation import iam, naming
from foundation.catalogue import load_catalogue
from foundation.settings.base import SettingsModel as _Model
from foundation.settings.types import (
    Action,
    ClusterName,
    ConditionOperator,
    FileSystemId,
    HostedZoneId,
    KubernetesName,
    ParameterPath,
    PolicyArn,
    ResourceArn,
    RoleNamePart,
    SecretArn,
    matching,
)
from foundation.workload_presets import Preset, PresetName, TokenAudience, load_presets


class ConditionSettings(_Model):
    """One IAM condition of a workload statement: `{operator: {key: values}}` in the document."""

    operator: ConditionOperator
    key: Annotated[str, AfterValidator(matching(r"[A-Za-z0-9-]+:[A-Za-z0-9_:/.*-]+", "a condition key 'svc:Key'"))]
    values: tuple[str, ...] = Field(min_length=1)


class StatementSettings(_Model):
    """One identity policy statement of a workload role."""

    effect: Literal["Allow", "Deny"] = "Allow"
    actions: tuple[Action, ...] = Field(min_length=1)
    resources: tuple[ResourceArn, ...] = Field(min_length=1)
    conditions: tuple[ConditionSettings, ...] = ()

    def to_statement(self) -> iam.Statement:
        return iam.Statement(
            self.effect,
            self.actions,
            resources=self.resources,
            conditions=tuple(iam.Condition(c.operator, c.key, c.values) for c in self.conditions),
        )

    @model_validator(mode="after")
    def _valid_iam(self) -> StatementSettings:
        try:
            self.to_statement()
        except iam.PolicyError as invalid:
            raise ValueError(str(invalid)) from None
        return self


class WorkloadRoleSettings(_Model):
    """An IRSA role for one application service account (seed 004): trusted by exactly that subject.

    `preset` (foundation/workload_presets.py): an add-on's own published policy, scoped by `hostedZoneIds`,
    `fileSystemIds`, `secretArns` or `parameterPaths`, and its namespace, service account and token audience on
    ROSA as defaults. `trustedClusters`: only on the stack's `workloadRoles`, the clusters whose service account may
    assume the role (one role for a blue/green pair)."""

    # Default: the preset's (its properties `namespace` and `service_account` give the value in force; the rules
    # refuse an entry that ends up without one).
    namespace_setting: KubernetesName | None = Field(default=None, alias="namespace")
    service_account_setting: KubernetesName | None = Field(default=None, alias="serviceAccount")
    role_name: RoleNamePart | None = None  # default: <operator prefix>-<namespace>-<service account>
    managed_policy_arns: tuple[PolicyArn, ...] = ()
    statements: tuple[StatementSettings, ...] = ()
    preset: PresetName | None = None
    # The `aud` of the token the pod presents: the pod identity webhook's `sts.amazonaws.com` (default), or
    # `openshift` for an operator that projects its own token as OpenShift's credentials requests do.
    audience: TokenAudience | None = None
    hosted_zone_ids: tuple[HostedZoneId, ...] = ()
    file_system_ids: tuple[FileSystemId, ...] = ()
    secret_arns: tuple[SecretArn, ...] = ()
    parameter_paths: tuple[ParameterPath, ...] = ()
    trusted_clusters: tuple[ClusterName, ...] = ()

    @property
    def preset_spec(self) -> Preset | None:
        return load_presets()[self.preset] if self.preset else None

    @property
    def namespace(self) -> str:
        """The namespace in force: the settings', else the preset's ('' when neither names one: refused)."""
        preset = self.preset_spec
        return self.namespace_setting or (preset.namespace if preset else "")

    @property
    def service_account(self) -> str:
        """The service account in force: the settings', else the preset's ('' when neither names one: refused)."""
        preset = self.preset_spec
        return self.service_account_setting or (preset.service_account or "" if preset else "")

    @property
    def subject(self) -> str:
        return naming.service_account_subject(self.namespace, self.service_account)

    @property
    def slug(self) -> str:
        return f"{self.namespace}/{self.service_account}"

    @property
    def token_audience(self) -> str:
        """The audience the trust pins: the settings', else the preset's, else the pod identity webhook's."""
        preset = self.preset_spec
        return self.audience or (preset.audience if preset else load_catalogue().workload_token_audience)

    @property
    def grants(self) -> bool:
        return bool(self.managed_policy_arns or self.statements or self.preset)
