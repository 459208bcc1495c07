"""Run a Pulumi program under the SDK's mock runtime and record what it registers, as the engine would see it.

Used by `python -m render` and by the tests; no Pulumi CLI, credentials or network. The SDK internals this takes are
in render/sdk.py; everything else here is public API.
"""

from __future__ import annotations

import gc
import json
import os
import runpy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from foundation.project import PROJECT, is_component_type
from foundation.settings.loading import SettingsError
from foundation.stack_files import (
    PROJECT_ROOT,
    STACKS_DIR,
    STACKS_DIR_VARIABLE,
    StackFileError,
    stack_config,
    stack_file,
)
from render import sdk
from render.mocks import AccountMocks, MockAccount

SECRET_MASK = "[secret]"


@dataclass(frozen=True)
class Registered:
    """One resource as the engine received it."""

    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    options: dict[str, Any]
    urn: str
    parent_urn: str | None
    alias_specs: tuple[dict[str, Any], ...] = ()  # as the SDK sent them; resolved to URNs in options["aliases"]
    dependencies: dict[str, list[str]] = field(default_factory=dict)  # input key -> URNs its value came from
    waits_for: tuple[str, ...] = ()  # every URN the engine must finish first (inputs and depends_on)
    provider_urn: str | None = None  # the provider resource it was registered with; None: the engine's default one

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "parent": self.parent,
            "inputs": _sorted_keys(self.inputs),  # the engine's key order varies between runs; files must not
            "dependencies": _sorted_keys(self.dependencies),
            "options": {**self.options, "provider": self.provider_urn},
        }


@dataclass
class Render:
    resources: list[Registered] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def parents(self) -> dict[str, Registered]:
        """URN -> parent resource, for walking up the tree (build once, then look up)."""
        by_urn = {r.urn: r for r in self.resources}
        return {r.urn: by_urn[r.parent_urn] for r in self.resources if r.parent_urn in by_urn}

    def ancestry(self, resource: Registered, parents: dict[str, Registered]) -> list[Registered]:
        """`resource` and its ancestors, root first."""
        chain = [resource]
        while chain[-1].urn in parents:
            chain.append(parents[chain[-1].urn])
        return chain[::-1]

    def in_tree_order(self) -> list[Registered]:
        """Parents before children, siblings by type and name: stable whatever order registrations completed in."""
        parents = self.parents()
        return sorted(self.resources, key=lambda r: [(a.type, a.name) for a in self.ancestry(r, parents)])

    def record(self, registration: sdk.Registration) -> None:
        """Keep one registration, as the monitor received it."""
        if registration.alias_urns:
            raise ValueError(
                f"alias by URN {registration.alias_urns[0]!r}: give the old name (and type) instead, so reviews can "
                "read it"
            )
        options: dict[str, Any] = {
            "protect": registration.protect,
            "retainOnDelete": registration.retain_on_delete,
            "aliases": [],
        }
        if registration.import_id:  # only where set: renders without adoption stay as they were
            options["import"] = registration.import_id
        self.resources.append(
            Registered(
                type=registration.type,
                name=registration.name,
                parent=_urn_name(registration.parent_urn) if registration.parent_urn else None,
                inputs=plain(registration.inputs),
                options=options,
                urn=registration.urn,
                parent_urn=registration.parent_urn,
                alias_specs=registration.alias_specs,
                # What CrossGuard sees as property dependencies: which resource each input came from.
                dependencies={
                    key: sorted(set(urns)) for key, urns in registration.property_dependencies.items() if urns
                },
                waits_for=tuple(sorted(set(registration.dependencies))),
                provider_urn=registration.provider_urn,
            )
        )

    def resolve_aliases(self) -> None:
        """Write into each resource's `options.aliases` every URN it answers to besides its own, as the engine
        computes them: its own alias specs crossed with every URN its parent answers to, or with the old parent a
        spec names (a resource moved to another parent)."""
        by_urn = {r.urn: r for r in self.resources}
        known: dict[str, set[str]] = {}

        def urns_of(resource: Registered) -> set[str]:
            if resource.urn not in known:
                parent = by_urn.get(resource.parent_urn or "")
                parent_urns: set[str | None] = urns_of(parent) if parent else {None}
                names = {(p, resource.type, resource.name) for p in parent_urns}
                for spec in resource.alias_specs:
                    old_parents = {spec["parentUrn"]} if spec.get("parentUrn") else parent_urns
                    type_, name = spec.get("type") or resource.type, spec.get("name") or resource.name
                    names |= {(p, type_, name) for p in old_parents}
                known[resource.urn] = {sdk.urn(resource.urn, p, t, n) for p, t, n in names}
            return known[resource.urn]

        for resource in self.resources:
            resource.options["aliases"] = sorted(urns_of(resource) - {resource.urn})

    def depth(self) -> int:
        """The longest chain of cloud resources each waiting for the previous one: the fewest sequential steps a
        `pulumi up` of this graph can take, however parallel the engine."""
        return len(self.critical_path())

    def critical_path(self) -> list[Registered]:
        """That longest chain, first resource first (of equally long ones, the last by names, so that it is the same
        whatever order the registrations completed in)."""
        by_urn = {r.urn: r for r in self.resources}
        children: dict[str, list[Registered]] = {}
        for r in self.resources:
            if r.parent_urn:
                children.setdefault(r.parent_urn, []).append(r)
        memo: dict[str, list[Registered]] = {}

        def custom(urn: str) -> list[Registered]:
            """A dependency on a component is a dependency on every cloud resource under it."""
            resource = by_urn.get(urn)
            if resource is None:
                return []
            if not _is_component(resource):
                return [resource]
            return [c for child in children.get(urn, []) for c in custom(child.urn)]

        def chain(resource: Registered) -> list[Registered]:
            if resource.urn not in memo:
                memo[resource.urn] = [resource]  # cycle guard; the engine refuses cycles anyway
                waits = [chain(d) for urn in resource.waits_for for d in custom(urn)]
                memo[resource.urn] = [*max(waits, key=_longest, default=[]), resource]
            return memo[resource.urn]

        return max((chain(r) for r in self.resources if not _is_component(r)), key=_longest, default=[])

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> Registered:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


def run_program(
    program: Callable[[], None],
    config: Mapping[str, str],
    *,
    stack: str,
    account: MockAccount,
    into: Render | None = None,
    mocks_for: Callable[[MockAccount], pulumi.runtime.Mocks] = AccountMocks,
) -> Render:
    """Run `program` as stack `stack` with raw Pulumi `config`; return what it registered and its stack outputs.

    Errors the program raises (e.g. invalid settings) propagate unchanged; pass `into` to see what was registered
    before the error. `mocks_for` makes the provider's answers (default: `AccountMocks`, offline and instant).
    """
    render = into if into is not None else Render()
    sdk.start(sdk.RecordingMonitor(mocks_for(account), render.record), config, project=PROJECT, stack=stack)
    with _without_cycle_collection():
        with sdk.without_source_positions():
            sdk.run(program)
        render.outputs = plain(sdk.stack_outputs())
        render.resolve_aliases()
    return render


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A render allocates many long-lived objects; the cycle collector rescanning them made the render superlinear
    (40 clusters: 5.3 ms per resource with it, 2.9 without; benchmarks/). Collection resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def mock_account(config: Mapping[str, str], stack_outputs: Mapping[str, Any] | None = None) -> MockAccount:
    """The account the mocks answer for; invalid values are the program's to report."""
    return MockAccount(
        partition=config.get(f"{PROJECT}:partition", "aws"),
        account_id=config.get(f"{PROJECT}:accountId", "000000000000"),
        region=config.get("aws:region", "us-east-1"),
        stack_outputs=dict(stack_outputs or {}),
    )


def run_main(
    config: Mapping[str, str],
    *,
    stack: str,
    into: Render | None = None,
    mocks_for: Callable[[MockAccount], pulumi.runtime.Mocks] = AccountMocks,
    stack_outputs: Mapping[str, Any] | None = None,
) -> Render:
    """Run the project's `__main__.py` with `config`; `stack_outputs` answer its StackReferences, by stack name."""
    main = str(PROJECT_ROOT / "__main__.py")
    return run_program(
        lambda: runpy.run_path(main, run_name="__main__"),
        config,
        stack=stack,
        account=mock_account(config, stack_outputs),
        into=into,
        mocks_for=mocks_for,
    )


def render_stack(stack: str, stacks_dir: Path = STACKS_DIR) -> Render:
    """Render `stack`, reading stack files from `stacks_dir`; the stacks it reads through a StackReference render
    first, for their outputs: a split cluster stack's account stack, a shared-VPC cluster's VPC owner stack. One that
    cannot be rendered first (no file, this stack itself, or one that references others in turn) is left to the
    program's settings check, which refuses it by name before registering."""
    config = stack_config(stack_file(stack, stacks_dir))
    outputs: dict[str, Any] = {}
    for referenced in referenced_stacks(config):
        name = referenced.split("/")[-1]
        if name == stack or not stack_file(name, stacks_dir).is_file():
            continue
        referenced_config = stack_config(stack_file(name, stacks_dir))
        if referenced_stacks(referenced_config):
            continue
        try:
            outputs[referenced] = run_main(referenced_config, stack=name).outputs
        except SettingsError as invalid:
            what = "account stack" if referenced == config.get(f"{PROJECT}:accountStack") else "VPC owner stack"
            raise StackFileError(f"its {what} {stack_file(name, stacks_dir).name}: {invalid}") from None
    with _stack_files_in(stacks_dir):  # the program checks the stacks it reads where this render read them
        return run_main(config, stack=stack, stack_outputs=outputs)


def referenced_stacks(config: Mapping[str, str]) -> list[str]:
    """The stacks a stack's config names for StackReferences, as written: `accountStack`, and each cluster's
    `network.sharedVpc.ownerStack`."""
    referenced = [config[key]] if (key := f"{PROJECT}:accountStack") in config else []
    try:
        clusters = json.loads(config.get(f"{PROJECT}:clusters", "[]"))
    except json.JSONDecodeError:
        return referenced  # the program's settings check refuses it
    for cluster in clusters if isinstance(clusters, list) else []:
        network = cluster.get("network") if isinstance(cluster, dict) else None
        shared = network.get("sharedVpc") if isinstance(network, dict) else None
        owner = shared.get("ownerStack") if isinstance(shared, dict) else None
        if isinstance(owner, str) and owner not in referenced:
            referenced.append(owner)
    return referenced


@contextmanager
def _stack_files_in(stacks_dir: Path) -> Iterator[None]:
    previous = os.environ.get(STACKS_DIR_VARIABLE)
    os.environ[STACKS_DIR_VARIABLE] = str(stacks_dir)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[STACKS_DIR_VARIABLE]
        else:
            os.environ[STACKS_DIR_VARIABLE] = previous


def _is_component(resource: Registered) -> bool:
    """No cloud resource: a component of this project, the stack (or a stack reference), a provider."""
    return is_component_type(resource.type) or resource.type.startswith(("pulumi:pulumi:Stack", "pulumi:providers:"))


def _longest(chain: list[Registered]) -> tuple[int, list[str]]:
    return len(chain), [r.name for r in chain]


def _urn_name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """Values as the engine shows them: secrets masked, protobuf's doubles back to integers where integral."""
    if isinstance(value, dict):
        if sdk.is_secret(value):
            return SECRET_MASK
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
