"""Every Pulumi SDK internal the offline render relies on, and why, in one place.

The render runs the program under the SDK's mock runtime and records what the engine would receive. The SDK's public
testing API (`pulumi.runtime.Mocks`) shows only a resource's type, name and inputs; the render also needs its parent,
options and dependencies, and must run a whole program to completion outside `pulumi up`. That takes the private
names, undocumented parameters and wire formats below. `render/runtime.py` uses only this module and public API, so
an SDK upgrade that moves one of them breaks this file alone. Importing it fails naming the SDK version and the first
imported name that is gone; `pytest --noconftest tests/test_sdk_adapter.py` names every internal that is gone or
behaves differently. Written against pulumi 3.272.0 (requirements.txt pins it).
"""

from __future__ import annotations

import asyncio
import gc
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import pulumi

try:
    from pulumi.runtime import resource as resource_runtime
    from pulumi.runtime.mocks import MockMonitor, set_mocks
    from pulumi.runtime.proto.source_pb2 import StackTrace
    from pulumi.runtime.rpc import deserialize_properties, is_rpc_secret
    from pulumi.runtime.settings import _get_rpc_manager, get_root_resource, reset_options
    from pulumi.runtime.stack import Stack, run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await
except ImportError as gone:  # the render's first import (CLI, the tests' conftest) says what to do
    raise ImportError(
        f"pulumi {version('pulumi')}: {gone}; render/sdk.py must change "
        "(`pytest --noconftest tests/test_sdk_adapter.py` lists everything it relies on)"
    ) from gone


@dataclass(frozen=True)
class Registration:
    """One RegisterResource or ReadResource request, in the render's terms instead of the gRPC message's."""

    urn: str  # as the mock monitor named it
    type: str
    name: str
    parent_urn: str | None
    inputs: dict[str, Any]  # deserialized; secrets still wrapped (see `is_secret`), numbers as floats
    protect: bool = False
    retain_on_delete: bool = False
    provider_urn: str | None = None  # the provider resource it was registered with; None: the engine's default one
    alias_specs: tuple[dict[str, str], ...] = ()  # {"name", "type", "parentUrn"}, each "" for "unchanged"
    alias_urns: tuple[str, ...] = ()  # aliases given as a literal URN
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)  # input key -> URNs
    dependencies: tuple[str, ...] = ()  # every URN the engine must finish first
    import_id: str | None = None  # `import_`: the id of an existing resource the engine imports instead of creating


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, which stands in for the engine (names URNs, asks the Mocks for ids and outputs),
    also handing each request to `record`. Only a monitor sees the whole request; the SDK takes one through the
    undocumented `monitor=` of `set_mocks` (see `start`)."""

    def __init__(self, answers: pulumi.runtime.Mocks, record: Callable[[Registration], None]):
        super().__init__(answers)
        self._record = record

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        response = super().RegisterResource(request)
        self._record(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent_urn=request.parent or None,
                inputs=_deserialize(request.object),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                provider_urn=_provider_urn(request.provider),
                alias_specs=tuple(
                    {"name": a.spec.name, "type": a.spec.type, "parentUrn": a.spec.parentUrn}
                    for a in request.aliases
                    if not a.urn
                ),
                alias_urns=tuple(a.urn for a in request.aliases if a.urn),
                property_dependencies={key: list(deps.urns) for key, deps in request.propertyDependencies.items()},
                dependencies=tuple(request.dependencies),
                import_id=request.importId or None,
            )
        )
        return response

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        """A resource the program reads rather than manages (a StackReference); a read has no options to record."""
        response = super().ReadResource(request)
        self._record(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent_urn=request.parent or None,
                inputs=_deserialize(request.properties),
                provider_urn=_provider_urn(request.provider),
                dependencies=tuple(request.dependencies),
            )
        )
        return response


def start(monitor: RecordingMonitor, config: Mapping[str, str], *, project: str, stack: str) -> None:
    """Make the next program run a fresh deployment of `project`/`stack` with raw `config`, answered by `monitor`.

    `reset_options` forgets the previous run's root stack, so that `set_mocks` creates a new one: a process renders
    many stacks (tests, the split layout's account stack first, the benchmark). `set_all_config` is what the
    language host does with the stack's config before a real run. `set_mocks`' `monitor=` is undocumented; without it
    the SDK makes its own monitor and nothing sees the requests.
    """
    reset_options(project=project, stack=stack, preview=False)
    pulumi.runtime.set_all_config(dict(config))
    set_mocks(monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor)


def run(program: Callable[[], None]) -> None:
    """Run `program` and wait until every registration it started has reached the monitor.

    `run_pulumi_func` is the language host's own loop minus creating the stack (`start` has): run the program, drain
    the outstanding RPCs, shut down; the program's errors are re-raised. (`pulumi.runtime.test`, the public wrapper
    of the same call, is a decorator for unit tests.) `_sync_await` drives the SDK's event loop from synchronous
    code, as the SDK's own mock monitor does.
    """
    try:
        _sync_await(run_pulumi_func(program))
    except BaseException:
        _retrieve_failed_outputs()
        raise


def _retrieve_failed_outputs() -> None:
    """After a registration failed: mark retrieved the error of every output future the failure reached.

    The SDK resolves each output of a failed registration, and of every registration that waited on it, with the
    error, and re-raises only the first (`wait_for_rpcs`, through the rpc manager's `unhandled_exception`). Nobody
    awaits the others; asyncio prints each, with its traceback, as "Future exception was never retrieved" whenever it
    is collected, long after the run (after the last test). A real `pulumi up` exits instead. The SDK keeps no list of
    these futures, so they are found among the live objects, and only on the SDK's loop after a failed registration.
    """
    if _get_rpc_manager().unhandled_exception is None:
        return  # the program failed before registering anything (invalid settings): no output holds an error
    loop = asyncio.get_event_loop()
    for candidate in gc.get_objects():
        failed = isinstance(candidate, asyncio.Future) and candidate.done() and not candidate.cancelled()
        if failed and candidate.get_loop() is loop:
            candidate.exception()  # marks it retrieved


def stack_outputs() -> dict[str, Any]:
    """The resolved outputs the program exported (`pulumi.export`) in the last run, as `pulumi stack output` shows
    them. The root `Stack` keeps them in its `outputs`; `Output.future` (a private method) resolves each Output
    without registering anything."""
    root = get_root_resource()
    assert isinstance(root, Stack), "stack_outputs() before start()"
    return _sync_await(_resolved(root.outputs)) or {}


async def _resolved(value: Any) -> Any:
    """`value` with every Output and awaitable in it replaced by its value, through dicts, lists and tuples, as
    `Output.from_input(value)` resolves it. Awaiting each Output where it appears, instead of lifting the whole tree
    into Outputs, skips an `Output.all` and its tasks per dict and list (11 % of the fleet's render; benchmarks/)."""
    if isinstance(value, pulumi.Output):
        return await _resolved(await value.future(with_unknowns=False))
    if inspect.isawaitable(value):
        return await _resolved(await value)
    if isinstance(value, dict):
        return {key: await _resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)([await _resolved(item) for item in value])
    return value


@contextmanager
def without_source_positions() -> Iterator[None]:
    """Skip the source positions the SDK sends with every registration.

    For each one it walks and reads the whole Python stack (`resource._get_stack_trace`); the mock monitor ignores
    the result, and at fleet scale the walk cost a third of the render (benchmarks/). An empty `StackTrace` is what
    the SDK itself sends when it finds no user frame.
    """
    original = resource_runtime._get_stack_trace
    resource_runtime._get_stack_trace = StackTrace
    try:
        yield
    finally:
        resource_runtime._get_stack_trace = original


def urn(sibling_urn: str, parent_urn: str | None, type_: str, name: str) -> str:
    """The URN the mock monitor gives a resource of `type_` and `name` under `parent_urn`, in `sibling_urn`'s stack
    and project: aliases need the URNs of names nothing registers. The scheme is `MockMonitor.make_urn`'s (the
    parent's own type, `$`, the type, the stack included), not the engine's (no stack, the parent's whole chain).
    """
    prefix = sibling_urn.split("::", 2)  # urn:pulumi:<stack>, <project>, <qualified type>::<name>
    qualified = f"{parent_urn.split('::')[2].split('$')[-1]}${type_}" if parent_urn else type_
    return f"{prefix[0]}::{prefix[1]}::{qualified}::{name}"


def is_secret(value: Any) -> bool:
    """Whether a deserialized value is a secret: the SDK leaves secrets wrapped in a marker dict on the wire."""
    return is_rpc_secret(value)


def _deserialize(properties: Any) -> dict[str, Any]:
    """A request's protobuf Struct as Python values; `keep_internal=False` drops the SDK's own `__`-prefixed keys,
    which are no input of the resource."""
    return deserialize_properties(properties, keep_internal=False)


def _provider_urn(reference: str) -> str | None:
    """The URN in a request's provider reference, `<provider URN>::<provider id>` (the engine's format, written by
    the SDK's `resource._create_provider_ref`), split at the last `::` as the engine does; "" is the default one."""
    return reference.rsplit("::", 1)[0] if reference else None
