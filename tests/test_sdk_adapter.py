"""The Pulumi SDK internals the offline render relies on still exist and behave as used.

render/sdk.py holds every one of them; foundation/settings/loading.py reads one more (the raw config map). After an SDK
upgrade each test here names the SDK version and what went missing or changed, instead of the render failing somewhere
deeper. When render/sdk.py no longer even imports, the tests' conftest (which imports the render) fails with the first
missing name: `pytest --noconftest tests/test_sdk_adapter.py` then lists them all, since nothing here needs conftest
and render/sdk.py is imported only inside the tests that run it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi
import pytest
from pulumi.runtime.proto import alias_pb2, resource_pb2

VERSION = importlib.metadata.version("pulumi")  # the SDK has no pulumi.__version__
PROJECT_ROOT = Path(__file__).resolve().parents[1]
ADAPTER = "render/sdk.py"

# Every internal, and the file that must change when it does.
INTERNALS = {
    "pulumi.runtime.sync_await._sync_await": ADAPTER,
    "pulumi.runtime.stack.run_pulumi_func": ADAPTER,
    "pulumi.runtime.stack.Stack": ADAPTER,
    "pulumi.runtime.settings.reset_options": ADAPTER,
    "pulumi.runtime.settings.get_root_resource": ADAPTER,
    "pulumi.runtime.settings._get_rpc_manager": ADAPTER,
    "pulumi.runtime.mocks.set_mocks": ADAPTER,
    "pulumi.runtime.mocks.MockMonitor": ADAPTER,
    "pulumi.runtime.mocks.MockMonitor.RegisterResource": ADAPTER,
    "pulumi.runtime.mocks.MockMonitor.ReadResource": ADAPTER,
    "pulumi.runtime.mocks.MockMonitor.make_urn": ADAPTER,
    "pulumi.runtime.resource._get_stack_trace": ADAPTER,
    "pulumi.runtime.proto.source_pb2.StackTrace": ADAPTER,
    "pulumi.runtime.rpc.deserialize_properties": ADAPTER,
    "pulumi.runtime.rpc.is_rpc_secret": ADAPTER,
    "pulumi.Output.future": ADAPTER,
    "pulumi.runtime.config.CONFIG": "foundation/settings/loading.py",
}
# Keyword parameters the adapter passes.
PARAMETERS = {
    "pulumi.runtime.mocks.set_mocks": ("project", "stack", "preview", "monitor"),
    "pulumi.runtime.settings.reset_options": ("project", "stack", "preview"),
    "pulumi.runtime.rpc.deserialize_properties": ("keep_internal",),
    "pulumi.Output.future": ("with_unknowns",),
}
# Fields of the engine's requests the adapter reads.
REQUEST_FIELDS = {
    resource_pb2.RegisterResourceRequest: (
        "type", "name", "parent", "object", "protect", "retainOnDelete", "provider", "aliases",
        "propertyDependencies", "dependencies", "importId",
    ),
    resource_pb2.ReadResourceRequest: ("type", "name", "parent", "properties", "provider", "dependencies"),
    alias_pb2.Alias: ("urn", "spec"),
    alias_pb2.Alias.Spec: ("name", "type", "parentUrn"),
}  # fmt: skip


def broken(name: str, what: str = "is gone") -> str:
    return f"pulumi {VERSION}: {name} {what}; {INTERNALS.get(name, ADAPTER)} must change"


def resolve(dotted: str) -> Any:
    """The object at `dotted`: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


def existing(name: str) -> Any:
    try:
        return resolve(name)
    except (ImportError, AttributeError):
        pytest.fail(broken(name))


@pytest.mark.parametrize("name", INTERNALS)
def test_each_internal_still_exists(name):
    existing(name)


@pytest.mark.parametrize(("name", "parameters"), PARAMETERS.items())
def test_the_parameters_the_adapter_passes_still_exist(name, parameters):
    accepted = inspect.signature(existing(name)).parameters
    for parameter in parameters:
        assert parameter in accepted, broken(name, f"takes no {parameter}= any more")


@pytest.mark.parametrize(
    ("message", "fields"), REQUEST_FIELDS.items(), ids=lambda m: m.__name__ if isinstance(m, type) else None
)
def test_the_request_fields_the_adapter_reads_still_exist(message, fields):
    for name in fields:
        assert name in message.DESCRIPTOR.fields_by_name, broken(f"{message.DESCRIPTOR.full_name}.{name}")


def test_every_internal_the_adapter_imports_is_listed_here():
    assert internal_names(PROJECT_ROOT / ADAPTER) <= set(INTERNALS), "list the new internal in INTERNALS, and test it"


@pytest.mark.parametrize(
    "path", [p for p in sorted((PROJECT_ROOT / "render").glob("*.py")) if p.name != "sdk.py"]
    + sorted((PROJECT_ROOT / "benchmarks").glob("*.py")), ids=lambda p: f"{p.parent.name}/{p.name}",
)  # fmt: skip
def test_the_rest_of_the_render_uses_only_public_sdk_api(path):
    """Outside the adapter: `pulumi.<public name>` and `pulumi.runtime.<exported name>` only, however imported."""
    tree = ast.parse(path.read_text())
    used = _attribute_chains(tree, "pulumi")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            used += [alias.name.split(".") for alias in node.names if _is_pulumi(alias.name)]
        elif isinstance(node, ast.ImportFrom) and _is_pulumi(node.module):
            used += [[*node.module.split("."), alias.name] for alias in node.names]
    for chain in used:
        private = any(part.startswith("_") and not part.endswith("__") for part in chain)
        runtime = chain[1:2] == ["runtime"] and len(chain) > 2
        unexported = runtime and (
            chain[2] not in pulumi.runtime.__all__ or isinstance(getattr(pulumi.runtime, chain[2]), ModuleType)
        )
        assert not private and not unexported, f"{path.name} uses {'.'.join(chain)}: go through render/sdk.py"


# --- behaviour, through the adapter ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    try:
        return importlib.import_module("render.sdk")
    except ImportError as gone:  # render/sdk.py's own message names the version and the missing name
        pytest.fail(str(gone), pytrace=False)


class Answers(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        raise AssertionError("no invokes")


def program() -> None:
    """One of each thing the render records: a component, resources with every recorded option, a read."""
    in_provider = pulumi.ResourceOptions(providers=[pulumi.ProviderResource("test", "explicit")])
    parent = pulumi.ComponentResource("adapter:test:Parent", "parent", None, in_provider)  # as __main__.py passes it
    first = pulumi.CustomResource("test:index:Thing", "first", {"count": 1}, pulumi.ResourceOptions(parent=parent))
    options = pulumi.ResourceOptions(
        parent=parent,
        protect=True,
        retain_on_delete=True,
        aliases=[pulumi.Alias(name="old")],
        depends_on=[first],
        import_="existing-second",
    )
    pulumi.CustomResource("test:index:Thing", "second", {"token": pulumi.Output.secret("s"), "of": first.id}, options)
    pulumi.CustomResource("test:index:Thing", "read", None, pulumi.ResourceOptions(id="existing"))
    pulumi.export("firstId", first.id)


@dataclass
class Run:
    registrations: dict[str, Any]  # by name
    outputs: dict[str, Any]


def run_recorded(sdk: ModuleType, program, config: dict[str, str] | None = None) -> Run:
    recorded: list[Any] = []
    sdk.start(sdk.RecordingMonitor(Answers(), recorded.append), config or {}, project="adapter", stack="test")
    sdk.run(program)
    return Run({r.name: r for r in recorded}, sdk.stack_outputs())


@pytest.fixture(scope="module")
def run(sdk) -> Run:
    with sdk.without_source_positions():
        return run_recorded(sdk, program)


@pytest.fixture(scope="module")
def recorded(run) -> dict[str, Any]:
    return run.registrations


def test_a_run_records_every_registration_and_read(recorded):
    assert set(recorded) == {"adapter-test", "explicit", "parent", "first", "second", "read"}, broken(
        "pulumi.runtime.mocks.set_mocks", "no longer hands every request to the monitor given as monitor= "
        "(or run_pulumi_func returns before they arrive)"
    )  # fmt: skip


def test_registrations_carry_parent_options_and_dependencies(recorded):
    first, second, parent = recorded["first"], recorded["second"], recorded["parent"]
    name = "pulumi.runtime.mocks.MockMonitor.RegisterResource"
    assert second.parent_urn == parent.urn and second.type == "test:index:Thing", broken(name, "lost the parent")
    assert second.protect and second.retain_on_delete, broken(name, "lost protect or retainOnDelete")
    specs, no_urns = second.alias_specs, not second.alias_urns
    assert specs == ({"name": "old", "type": "", "parentUrn": ""},) and no_urns, broken(name, "lost aliases")
    assert second.property_dependencies.get("of") == [first.urn], broken(name, "lost propertyDependencies")
    assert first.urn in second.dependencies, broken(name, "lost dependencies")
    assert (second.import_id, first.import_id) == ("existing-second", None), broken(name, "lost importId")


def test_a_resource_names_the_provider_it_inherited_and_others_none(recorded):
    register = "pulumi.runtime.mocks.MockMonitor.RegisterResource"
    read = "pulumi.runtime.mocks.MockMonitor.ReadResource"
    provider = recorded["explicit"].urn
    assert recorded["first"].provider_urn == provider, broken(register, "changed its provider reference (<urn>::<id>)")
    assert recorded["parent"].provider_urn is None, broken(register, "names a provider for a component now")
    assert recorded["read"].provider_urn is None, broken(read, "names a provider where none was given")


def test_inputs_are_deserialized_with_secrets_still_recognisable(sdk, recorded):
    inputs = recorded["second"].inputs
    assert recorded["first"].inputs == {"count": 1}, broken("pulumi.runtime.rpc.deserialize_properties", "changed")
    assert inputs["of"] == "first-id", broken("pulumi.runtime.rpc.deserialize_properties", "changed")
    assert sdk.is_secret(inputs["token"]), broken("pulumi.runtime.rpc.is_rpc_secret", "no longer sees the secret")
    assert not sdk.is_secret({"token": "s"}), broken("pulumi.runtime.rpc.is_rpc_secret", "sees secrets in plain values")


def test_urns_are_named_as_the_mock_monitor_names_them(sdk, recorded):
    parent, second, stack = recorded["parent"], recorded["second"], recorded["adapter-test"]
    what = "names URNs differently from render/sdk.py's urn()"
    assert sdk.urn(stack.urn, parent.urn, second.type, "second") == second.urn, broken(
        "pulumi.runtime.mocks.MockMonitor.make_urn", what
    )
    assert sdk.urn(stack.urn, None, stack.type, stack.name) == stack.urn, broken(
        "pulumi.runtime.mocks.MockMonitor.make_urn", what
    )


def test_the_stack_outputs_are_read_back_resolved(run):
    assert run.outputs == {"firstId": "first-id"}, broken("pulumi.runtime.stack.Stack", "changed its outputs")


def test_the_config_set_is_the_map_foundation_reads(sdk):
    from pulumi.runtime.config import CONFIG

    run_recorded(sdk, lambda: None, {"adapter:key": "value"})
    assert CONFIG.get() == {"adapter:key": "value"}, broken(
        "pulumi.runtime.config.CONFIG", "no longer holds the config set_all_config sets"
    )


def test_source_positions_are_taken_where_the_adapter_skips_them(sdk, monkeypatch):
    from pulumi.runtime import resource

    calls = []
    original = resource._get_stack_trace
    monkeypatch.setattr(resource, "_get_stack_trace", lambda: calls.append(1) or original())
    run_recorded(sdk, program)
    assert calls, broken("pulumi.runtime.resource._get_stack_trace", "is no longer called per registration")
    calls.clear()
    with sdk.without_source_positions():
        run_recorded(sdk, program)
    assert not calls, broken("pulumi.runtime.resource._get_stack_trace", "is no longer looked up at each call")


# --- reading the adapter's imports ------------------------------------------------------------------------------------


def internal_names(path: Path) -> set[str]:
    """Dotted names of the objects `path` takes from pulumi through `from pulumi... import`: imported objects, and
    the attributes it reads of imported modules."""
    tree = ast.parse(path.read_text())
    imported = {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and _is_pulumi(node.module)
        for alias in node.names
    }
    modules = {local for local, dotted in imported.items() if isinstance(_resolved_or_none(dotted), ModuleType)}
    names = {dotted for local, dotted in imported.items() if local not in modules}
    for local in modules:
        names |= {f"{imported[local]}.{chain[1]}" for chain in _attribute_chains(tree, local) if len(chain) > 1}
    return names


def _is_pulumi(module: str | None) -> bool:
    return module is not None and (module == "pulumi" or module.startswith("pulumi."))


def _resolved_or_none(dotted: str) -> Any:
    try:
        return resolve(dotted)
    except (ImportError, AttributeError):
        return None


def _attribute_chains(tree: ast.AST, root: str) -> list[list[str]]:
    """Each outermost `root.a.b...` in `tree`, as [root, a, b, ...]."""
    chains, inner = [], set()
    for node in ast.walk(tree):  # outer attributes come first in a breadth-first walk
        if not isinstance(node, ast.Attribute) or id(node) in inner:
            continue
        chain, current = [], node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            inner.add(id(current))
            current = current.value
        if isinstance(current, ast.Name) and current.id == root:
            chains.append([root, *reversed(chain)])
    return chains
