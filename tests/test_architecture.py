"""The package layout is the pipeline: imports run one way between subpackages, and no module
or function grows past the size where it stops being easy to work in.

Read with ``ast``, so imports inside functions and ``TYPE_CHECKING`` blocks count too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newsgen"

# Modules at the top of the package that every layer may use; they import no subpackage.
SHARED = frozenset({"newsgen", "newsgen.errors", "newsgen.reporter"})

# What each subpackage may import besides itself and SHARED, lowest layer first. The order
# comes from the code: the renderer puts feed links and JSON-LD into pages (distribution sits
# below render), and pages are planned against the cache and written by the writer (engine
# sits below everything that builds).
ALLOWED: dict[str, frozenset[str]] = {
    "engine": frozenset(),
    "i18n": frozenset(),  # language tags, Babel dates, gettext catalogs: no news, no files
    "content": frozenset({"engine", "i18n"}),
    "distribution": frozenset({"engine", "content", "i18n"}),
    "render": frozenset({"engine", "content", "distribution", "i18n"}),
    "build": frozenset({"engine", "content", "distribution", "render", "i18n"}),
    "preview": frozenset(),
    "commands": frozenset({"engine", "content", "distribution", "render", "build", "preview",
                           "i18n"}),
}
ENTRY_POINTS = frozenset({"__main__"})  # python -m newsgen: calls the commands
MAX_MODULE_LINES = 420  # "about 400"
MAX_FUNCTION_LINES = 60
LONG_MARK = "# long:"  # on the line above a def: why this function must be longer


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        yield name.removesuffix(".__init__"), path


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every newsgen import in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "newsgen":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "newsgen":
            if node.module == "newsgen":  # from newsgen import engine / __version__
                for alias in node.names:
                    child = f"newsgen.{alias.name}"
                    yield node.lineno, child if layer(child) else "newsgen"
            else:
                yield node.lineno, node.module


def layer(module: str) -> str | None:
    """The subpackage ``module`` belongs to (None for SHARED and top-level modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def violation(importer: str, imported: str) -> str | None:
    """The rule ``importer`` breaks by importing ``imported``, or None."""
    source, target = layer(importer), layer(imported)
    if importer in SHARED:
        if target is not None or imported not in SHARED:
            return f"{importer} is shared by every layer and may import no subpackage"
        return None
    if imported in SHARED or source == target:
        return None
    if source is None:
        if importer.split(".")[-1] in ENTRY_POINTS and target == "commands":
            return None
        return f"top-level module {importer} may import only {sorted(SHARED)}"
    if target is None:
        return f"{imported} is not a known subpackage or shared module"
    if target not in ALLOWED[source]:
        allowed = ", ".join(sorted(ALLOWED[source])) or "nothing but the shared modules"
        return f"{source}/ may import {allowed}; not {target}/"
    return None


def test_every_import_runs_one_way() -> None:
    broken = []
    for name, path in modules():
        for line, imported in imports(path):
            rule = violation(name, imported)
            if rule:
                where = path.relative_to(PACKAGE.parent).as_posix()
                broken.append(f"{where}:{line}: imports {imported}: {rule}")
    assert not broken, "imports that run the wrong way:\n" + "\n".join(broken)


def test_every_subpackage_says_its_place() -> None:
    for package in ALLOWED:
        init = PACKAGE / package / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init}: docstring must say what {package}/ may import"


@pytest.mark.parametrize(("importer", "imported", "rule"), [
    ("newsgen.content.loader", "newsgen.render.markup",
     "content/ may import engine, i18n; not render/"),
    ("newsgen.engine.writer", "newsgen.content.urls",
     "engine/ may import nothing but the shared modules; not content/"),
    ("newsgen.preview.server", "newsgen.build.builder", "not build/"),
    ("newsgen.errors", "newsgen.content.models", "may import no subpackage"),
])
def test_a_wrong_way_import_is_named(importer: str, imported: str, rule: str) -> None:
    """The checker itself: a backward arrow is caught and its message names the rule."""
    assert rule in (violation(importer, imported) or "")


def test_allowed_imports_pass() -> None:
    assert violation("newsgen.build.pages", "newsgen.engine.writer") is None
    assert violation("newsgen.commands.serve", "newsgen.preview.server") is None
    assert violation("newsgen.__main__", "newsgen.commands") is None
    assert violation("newsgen.render.renderer", "newsgen") is None


def test_modules_and_functions_stay_small() -> None:
    """About 400 lines a module and 60 a function; a longer function says why on the line
    above its ``def`` (``# long: ...``)."""
    too_big = []
    for _name, path in modules():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        where = path.relative_to(PACKAGE.parent).as_posix()
        if len(lines) > MAX_MODULE_LINES:
            too_big.append(f"{where}: {len(lines)} lines (limit {MAX_MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                if length > MAX_FUNCTION_LINES and \
                        not lines[start - 2].strip().startswith(LONG_MARK):
                    too_big.append(f"{where}:{node.lineno}: {node.name} is {length} lines "
                                   f"(limit {MAX_FUNCTION_LINES} without a '{LONG_MARK}' "
                                   "comment above it)")
    assert not too_big, "\n".join(too_big)
