"""gankit's layers, read from its source: no import cycles, and imports point down the layers.

commands -> run services (``gankit.runs``: launch, evaluate, sample, report, ...) -> trainer /
methods / metrics -> nets, losses, data -> core (the Method contract, DataSpec, optimizers) ->
config, registry, errors. Every ``import`` in ``src/gankit`` counts, function-local ones
included (a function-local import that only breaks a cycle still is one); imports under
``if TYPE_CHECKING:`` do not run and do not count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"

RUN_LAYER = ("gankit.runs",)
COMMAND_LINE = ("gankit.commands", "gankit.cli", "gankit.__main__")
BOTTOM = ("gankit.config", "gankit.registry", "gankit.errors", "gankit.core")

# module prefixes -> the prefixes they may not import
RULES = {
    "methods never import the trainer or the run layer": (
        ("gankit.methods",),
        ("gankit.training", *RUN_LAYER, *COMMAND_LINE),
    ),
    "the trainer never imports a method or the run layer": (
        ("gankit.training",),
        ("gankit.methods", *RUN_LAYER, *COMMAND_LINE),
    ),
    "nets never import data (DataSpec is in gankit.core)": (("gankit.nets",), ("gankit.data",)),
    "the library below the run layer never imports it": (
        (
            "gankit.core",
            "gankit.nets",
            "gankit.losses",
            "gankit.regularizers",
            "gankit.data",
            "gankit.metrics",
            "gankit.methods",
            "gankit.viz",
        ),
        (*RUN_LAYER, *COMMAND_LINE),
    ),
    "the library never imports the command line": (
        (*RUN_LAYER, "gankit.training", "gankit.methods", "gankit.metrics"),
        COMMAND_LINE,
    ),
}


def module_names() -> dict[str, Path]:
    names = {}
    for path in (SOURCE / "gankit").rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


MODULES = module_names()


def owner(name: str) -> str | None:
    """The gankit module that defines ``name`` (a module, or a name inside one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_names(module: str, tree: ast.AST) -> Iterable[str]:
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if is_type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package
                    for _ in range(child.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                yield from (f"{base}.{alias.name}" for alias in child.names)
            stack.append(child)


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {owner(name) for name in imported_names(module, ast.parse(path.read_text()))}
        graph[module] = {t for t in targets if t and t != module}
    return graph


GRAPH = import_graph()


def inside(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_the_source():
    assert (
        "gankit.training.trainer" in GRAPH
        and "gankit.core.method" in GRAPH["gankit.training.trainer"]
    )
    assert "gankit.core.spec" in GRAPH["gankit.nets.dcgan"]


def test_there_is_no_import_cycle():
    assert cycles(GRAPH) == []


def test_a_cycle_is_found_when_there_is_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def violations(graph: dict[str, set[str]], rule: str) -> list[str]:
    """The edges of ``graph`` that break ``rule``."""
    sources, banned = RULES[rule]
    return [
        f"{module} -> {target}"
        for module, targets in sorted(graph.items())
        if inside(module, sources) and not inside(module, COMMAND_LINE)
        for target in sorted(targets)
        if inside(target, banned)
    ]


@pytest.mark.parametrize("rule", RULES)
def test_imports_point_down_the_layers(rule):
    assert violations(GRAPH, rule) == [], rule


def test_an_import_up_the_layers_is_caught():
    graph = GRAPH | {
        "gankit.methods.gan": GRAPH["gankit.methods.gan"] | {"gankit.training.trainer"}
    }
    rule = "methods never import the trainer or the run layer"
    assert violations(graph, rule) == ["gankit.methods.gan -> gankit.training.trainer"]


def test_core_imports_only_the_bottom_layer():
    for module, targets in GRAPH.items():
        if inside(module, ("gankit.core",)):
            assert all(inside(t, BOTTOM) for t in targets), (module, sorted(targets))


def local_imports(tree: ast.AST, lines: list[str]) -> Iterable[tuple[int, str]]:
    """Function-local gankit imports with no comment on their line or the line above (each
    once, also when it sits in a function nested in another)."""
    seen = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if not any(name == "gankit" or name.startswith("gankit.") for name in names):
                continue
            if node.lineno in seen:
                continue
            seen.add(node.lineno)
            here, above = lines[node.lineno - 1], lines[node.lineno - 2]
            if "#" not in here and not above.lstrip().startswith("#"):
                yield node.lineno, here.strip()


def test_function_local_imports_are_commented():
    """A gankit import inside a function is there for a heavy optional dependency and says so;
    the command modules import what they run lazily by design (gankit.commands' docstring)."""
    found = [
        f"{path.relative_to(SOURCE)}:{line}: {text}"
        for module, path in MODULES.items()
        if not inside(module, COMMAND_LINE)
        for line, text in local_imports(ast.parse(path.read_text()), path.read_text().splitlines())
    ]
    assert found == []


def test_an_uncommented_local_import_is_caught():
    source = (
        "def f():\n    from gankit.viz import plots\n\ndef g():\n    import gankit  # why\n"
        "\ndef h():\n    def inner():\n        import gankit.nets\n"
    )
    found = list(local_imports(ast.parse(source), source.splitlines()))
    assert found == [(2, "from gankit.viz import plots"), (9, "import gankit.nets")]
