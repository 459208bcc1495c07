"""The code's shape that reviewers rely on: no import cycles, layers that import only downwards, modules of a size
one can read."""

from __future__ import annotations

import ast
from pathlib import Path

from render.runtime import PROJECT_ROOT

PACKAGES = ("foundation", "components", "render", "policies", "benchmarks", "tools")
# Who may import whom: the program's entry point reads components, components read foundation; the readers of a
# render (render/, policies/) and the administrator's tools (tools/) read foundation only.
ALLOWED = {
    "foundation": {"foundation"},
    "components": {"components", "foundation"},
    "render": {"render", "foundation"},
    "policies": {"policies", "foundation"},
    "tools": {"tools", "foundation"},  # commands run outside Pulumi, with an administrator's credentials
}
MAX_LINES = 400  # foundation/ and policies/


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _parse(path: Path) -> ast.Module:
    """`path`'s syntax tree. CPython 3.11 keeps the AST constructor's recursion count per interpreter, not per thread,
    and now and then refuses a sound file with "AST constructor recursion depth mismatch" (python/cpython#106905; seen
    here under pytest-xdist, whose worker runs a thread of its own): a second parse of the same text then succeeds."""
    text = path.read_text()
    try:
        return ast.parse(text)
    except SystemError:
        return ast.parse(text)


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Every project module `module` imports, at any depth of its code (an import in a function is still one)."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(_parse(path)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            # Importing a.b.c runs a/b/__init__.py first: the package is imported too.
            while name:
                if name in known and name != module and not module.startswith(f"{name}."):
                    found.add(name)
                name = name.rpartition(".")[0]
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(p, m, set(modules)) for m, p in modules.items()}


def test_no_module_imports_itself_through_others():
    graph, cycles = _graph(), []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_layers_import_only_downwards():
    wrong = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if module.split(".")[0] in ALLOWED and target.split(".")[0] not in ALLOWED[module.split(".")[0]]
    ]
    assert wrong == []


def test_foundation_and_policy_modules_stay_readable():
    long = {
        str(path.relative_to(PROJECT_ROOT)): lines
        for package in ("foundation", "policies")
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
