"""The import graph of aigc_desktop/, read from the source (ast): layers point one way, and no loop.

The stack, top to bottom: cli (the entry point) → bench, learn_cli → app → ui → engine, with
arguments and resources beside them. The engine imports nothing of the app above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from lazy_import_rule import unjustified_lazy_imports

PACKAGE = Path(__file__).resolve().parents[1] / "aigc_desktop"
ABOVE_THE_ENGINE = ("aigc_desktop.ui", "aigc_desktop.cli", "aigc_desktop.bench", "aigc_desktop.app",
                    "aigc_desktop.learn_cli")


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: set[str], root: Path = PACKAGE) -> set[str]:
    """The package's modules that `path` imports, at the top or inside a function alike."""
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in modules:  # `from . import x` names a module
                    found.add(f"{target}.{alias.name}")
                elif target in modules:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
    found.discard(name)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = {module_name(p, root): p for p in root.rglob("*.py")}
    return {name: imports_of(path, set(files), root) for name, path in files.items()}


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_engine_imports_nothing_above_it():
    graph = import_graph()
    wrong = {name: sorted(d for d in deps if d.startswith(ABOVE_THE_ENGINE))
             for name, deps in graph.items() if name.startswith("aigc_desktop.engine")}
    assert {name: deps for name, deps in wrong.items() if deps} == {}


def test_the_window_layer_imports_no_entry_point():
    graph = import_graph()
    wrong = {name: sorted(d for d in deps if d.startswith(("aigc_desktop.cli", "aigc_desktop.bench",
                                                           "aigc_desktop.app", "aigc_desktop.learn_cli")))
             for name, deps in graph.items() if name.startswith("aigc_desktop.ui")}
    assert {name: deps for name, deps in wrong.items() if deps} == {}


def test_no_import_loop():
    assert loops(import_graph()) == []


def test_the_checks_see_a_loop_and_an_upward_import(tmp_path):
    """The graph reader itself: relative imports at any depth, and a loop of three modules."""
    package = tmp_path / "aigc_desktop"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "engine" / "__init__.py").write_text("from .a import x\n")
    (package / "engine" / "a.py").write_text("def f():\n    from ..ui import panel\n")
    (package / "ui").mkdir()
    (package / "ui" / "__init__.py").write_text("")
    (package / "ui" / "panel.py").write_text("from . import view\n")
    (package / "ui" / "view.py").write_text("import aigc_desktop.engine.a\n")
    graph = import_graph(package)
    assert graph["aigc_desktop.engine.a"] == {"aigc_desktop.ui.panel"}
    assert graph["aigc_desktop.engine"] == {"aigc_desktop.engine.a"}
    assert loops(graph) == [["aigc_desktop.engine.a", "aigc_desktop.ui.panel", "aigc_desktop.ui.view"]]


def _rooms(graph: dict[str, set[str]], room: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    wrong = {name: sorted(d for d in deps if d.startswith(forbidden))
             for name, deps in graph.items() if name.startswith(room)}
    return {name: deps for name, deps in wrong.items() if deps}


def test_the_engine_rooms_point_one_way():
    """The text pipeline is shared by the local model and the server, which know nothing of each other."""
    graph = import_graph()
    local, server, text = "aigc_desktop.engine.local", "aigc_desktop.engine.server", "aigc_desktop.engine.text"
    assert _rooms(graph, text, (local, server, "aigc_desktop.engine.style", "aigc_desktop.engine.backend")) == {}
    assert _rooms(graph, local, (server, "aigc_desktop.engine.backend")) == {}
    assert _rooms(graph, server, (local, "aigc_desktop.engine.style", "aigc_desktop.engine.backend")) == {}


def test_every_module_is_one_room_under_500_lines():
    """One concept per module: a docstring that names it, and no module past 500 lines."""
    too_long, undocumented = {}, []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 500:
            too_long[module_name(path)] = len(text.splitlines())
        if path.name != "__main__.py" and not ast.get_docstring(ast.parse(text)):
            undocumented.append(module_name(path))
    assert too_long == {}
    assert undocumented == []


def test_imports_inside_functions_keep_something_heavy_away():
    found = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {ast.unparse(node)}"
             for path, _, node in unjustified_lazy_imports(PACKAGE)]
    assert found == []


def test_the_lazy_import_rule_tells_heavy_from_light(tmp_path):
    package = tmp_path / "aigc_desktop"
    package.mkdir()
    (package / "__init__.py").write_text('"""p"""\n')
    (package / "model.py").write_text('"""m"""\nimport torch\n')
    (package / "words.py").write_text('"""w"""\nimport re\n')
    (package / "view.py").write_text(
        '"""v"""\n'
        "def run():\n    from .model import x\n    from .words import y\n    import json\n"
        "def probe():\n    try:\n        import keyring\n    except ImportError:\n        pass\n"
        "@shows_failure\ndef open_dialog():\n    from .words import z\n")
    found = sorted(ast.unparse(node) for _, _, node in unjustified_lazy_imports(package))
    assert found == ["from .words import y", "import json"]
