"""The CrossGuard side of the guardrails: each rule of `policies/rules/` as one stack policy.

Only adapts CrossGuard's view of the resources to the rules' (values unknown at preview become `UNKNOWN`, property
dependencies become URNs); no rule lives here.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.graph import UNKNOWN, Graph, Resource, Rule
from policies.runner import EXCEPTIONS_SCHEMA, RULES, run_rule

PACK_NAME = "rosa-foundation-guardrails"
LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY}


def proxied_to_data(value: Any) -> Any:
    """CrossGuard's proxied props as plain data: values unknown at preview as `UNKNOWN`, protobuf's doubles back to
    integers where integral (ports, days), as the render shows them."""
    if isinstance(value, Mapping):
        items = {}
        for key in value:
            try:
                items[key] = proxied_to_data(value[key])
            except UnknownValueError:
                items[key] = UNKNOWN
        return items
    if isinstance(value, Sequence) and not isinstance(value, str):
        elements = []
        for index in range(len(value)):
            try:
                elements.append(proxied_to_data(value[index]))
            except UnknownValueError:
                elements.append(UNKNOWN)
        return elements
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def graph_of(args: StackValidationArgs) -> Graph:
    resources = [
        Resource(
            type=r.resource_type,
            name=r.name,
            urn=r.urn,
            inputs=proxied_to_data(r.props),
            protect=bool(r.opts.protect),
            dependencies={k: tuple(d.urn for d in deps) for k, deps in r.property_dependencies.items()},
            provider=r.provider.urn if r.provider else None,
        )
        for r in args.resources
    ]
    # Not every engine path lists provider resources among the stack's (analysing a snapshot skips them); each
    # resource carries its provider's type, URN and inputs either way, so the rules can read its defaultTags.
    listed = {r.urn for r in resources}
    providers = {r.provider.urn: r.provider for r in args.resources if r.provider and r.provider.urn not in listed}
    resources += [
        Resource(type=p.resource_type, name=p.name, urn=p.urn, inputs=proxied_to_data(p.props), protect=False)
        for p in providers.values()
    ]
    return Graph(resources)


def policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        graph = graph_of(args)
        urns = {r.name: r.urn for r in args.resources}  # the resources a violation can name
        for finding in run_rule(rule, graph, args.get_config() or {}):
            if finding.accepted_because is None:
                report_violation(
                    f"{finding.resource}: {finding.message}. Fix: {finding.remediation}", urns[finding.resource]
                )

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        enforcement_level=LEVELS[rule.level],
        severity=Severity(rule.severity),  # the rules' severities are CrossGuard's names
        remediation_steps=rule.remediation,
        config_schema=PolicyConfigSchema(properties={"exceptions": EXCEPTIONS_SCHEMA, **rule.config_schema}),
        validate=validate,
    )


POLICIES = [policy(rule) for rule in RULES]
