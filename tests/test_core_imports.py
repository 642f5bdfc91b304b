"""The core is a one-way graph (issue 12): every import of a core module sits at its top, so the
graph read from the module level is the whole graph, and that graph has no cycle. lint-imports
checks the same with its contracts (pyproject.toml); this needs nothing installed."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"


def modules() -> dict[str, Path]:
    out = {}
    for f in sorted(CORE.rglob("*.py")):
        parts = f.relative_to(CORE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def test_imports_sit_at_the_top_of_every_core_module():
    """An import inside a function or after other code would hide a dependency; one is allowed
    only for an optional heavy dependency, with a comment saying so."""
    late = []
    for f in modules().values():
        source = f.read_text()
        tree = ast.parse(source)
        lines = source.splitlines()
        top = set()
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                top.add(node)
            elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):  # the docstring
                break
        for node in ast.walk(tree):
            if (
                isinstance(node, (ast.Import, ast.ImportFrom))
                and node not in top
                and "optional" not in lines[node.lineno - 1]
            ):
                late.append(f"{f.relative_to(CORE.parent)}:{node.lineno}")
    assert late == []


def _imports(name: str, f: Path, known: set[str]) -> set[str]:
    package = name if f.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.parse(f.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            out |= {m for m in [base] + [f"{base}.{a.name}" for a in node.names] if m in known}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
    return out - {name}


def test_the_core_import_graph_has_no_cycle():
    """Every strongly connected component of the graph of core modules is a single module."""
    mods = modules()
    graph = {name: _imports(name, f, set(mods)) for name, f in mods.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components = []

    def visit(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            components.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert [c for c in components if len(c) > 1] == []
