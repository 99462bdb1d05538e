"""The rule for imports inside functions: only where they keep something heavy from loading.

An import inside a function is justified when
- it brings in a heavy library that its module does not load already at the top (torch,
  transformers, Qt, httpx…), directly or through the package's own modules; or
- it loads a whole sub-command (`aigc-desktop learn`, `aigc-desktop bench`) when that one is
  chosen, so the editor starts without reading them; or
- it opens a dialog on demand: the function is decorated with `shows_failure`, whose banner
  reports a module that fails to import, or the module is a dialog's (`*_dialog`, the model
  manager), so that a broken one fails when it is opened, not when the window starts; or
- it is a platform's own module (`resource` exists on Unix only), or it sits in a try whose
  handler catches ImportError (an optional dependency).
Every other import belongs at the top of its module, where a reader looks for it.
"""

from __future__ import annotations

import ast
from pathlib import Path

HEAVY = {"torch", "transformers", "peft", "onnx", "onnxruntime", "numpy", "gguf", "huggingface_hub",
         "safetensors", "httpx", "keyring", "llama_cpp", "qasync", "PySide6", "tokenizers", "psutil"}
SUB_COMMANDS = {"aigc_desktop.learn_cli", "aigc_desktop.bench.cli"}
DIALOGS = {"model_manager"}  # dialog modules not named *_dialog
PLATFORM_ONLY = {"resource", "winreg", "msvcrt", "fcntl", "termios"}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.Import | ast.ImportFrom, name: str, is_package: bool, modules: set[str]) -> list[str]:
    """The modules an import statement loads, as dotted names (the package's own resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = name.split(".") if is_package else name.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    found = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
    return found or [target]


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


class _Package:
    def __init__(self, root: Path) -> None:
        self.files = {_module_name(p, root): p for p in root.rglob("*.py")}
        self.trees = {n: ast.parse(p.read_text(encoding="utf-8"), str(p)) for n, p in self.files.items()}
        self._heavy: dict[str, frozenset[str]] = {}

    def is_package(self, name: str) -> bool:
        return self.files[name].name == "__init__.py"

    def top_imports(self, name: str) -> list[str]:
        """What importing `name` loads at once: its top-level imports (not under TYPE_CHECKING)."""
        found = []
        for node in self.trees[name].body:
            stack = [node]
            while stack:
                n = stack.pop()
                if isinstance(n, (ast.Import, ast.ImportFrom)):
                    found += _targets(n, name, self.is_package(name), set(self.files))
                elif isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test):
                    continue
                elif isinstance(n, (ast.If, ast.Try, ast.With)):
                    stack.extend(ast.iter_child_nodes(n))
        return found

    def heavy(self, target: str) -> frozenset[str]:
        """The heavy libraries importing `target` loads, through the package's own modules."""
        if target.split(".")[0] != "aigc_desktop":
            root = target.split(".")[0]
            return frozenset({root}) if root in HEAVY else frozenset()
        if target in self._heavy:
            return self._heavy[target]
        self._heavy[target] = frozenset()  # a loop ends here
        found: set[str] = set()
        for module in _with_parents(target):
            if module not in self.files:
                continue
            for sub in self.top_imports(module):
                if sub != module:
                    found |= self.heavy(sub)
        self._heavy[target] = frozenset(found)
        return self._heavy[target]


def _is_dialog(module: str) -> bool:
    leaf = module.rsplit(".", 1)[-1]
    return leaf.endswith("_dialog") or leaf in DIALOGS


def _catches_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    return any(h.type is None or any(k in ast.unparse(h.type) for k in ("ImportError", "Exception",
                                                                          "ModuleNotFoundError"))
               for h in handlers)


def unjustified_lazy_imports(root: Path):
    """(path, function, import node) for each import inside a function that the rule does not justify."""
    package = _Package(root)
    modules = set(package.files)
    for name, tree in package.trees.items():
        loaded_at_top = package.heavy(name)
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if any("shows_failure" in ast.unparse(d) for d in fn.decorator_list):
                continue
            guarded: set[int] = set()
            for node in ast.walk(fn):
                if isinstance(node, ast.Try) and _catches_import_error(node.handlers):
                    guarded |= {id(n) for b in node.body for n in ast.walk(b)}
            for node in _own_nodes(fn):  # a nested function's imports are judged with it
                if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in guarded:
                    continue
                targets = _targets(node, name, package.is_package(name), modules)
                if any(t.split(".")[0] in PLATFORM_ONLY or t in SUB_COMMANDS or _is_dialog(t) for t in targets):
                    continue
                if any(package.heavy(t) - loaded_at_top for t in targets):
                    continue
                yield package.files[name], fn, node


def _own_nodes(fn: ast.AST):
    """The nodes of a function's body, not those of the functions nested in it."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
