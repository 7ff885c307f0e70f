"""The house's floors: the import-linter contracts in pyproject.toml hold, they do catch a lower
app importing a higher one, nothing dodges them with an import inside a function, and
docs/architecture.md lists the same floors."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "ninety"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# In-function imports of another ninety module that are still there: the importer loads the
# experiment analysis (and SciPy) only when an import has running experiments to refresh (no
# cycle: ingest sits above experiments). Nothing else may join them.
KNOWN_FUNCTION_IMPORTS = {
    ("ninety.ingest.services", "ninety.experiments.models"),
    ("ninety.ingest.services", "ninety.experiments.services"),
}


def _lint(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "layers"]
    return contract["layers"]


def test_the_import_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_a_lower_app_importing_a_higher_one_breaks_the_contract(tmp_path: Path) -> None:
    # A copy of the package with one upward import (diagnosis reaching up to the home app).
    shutil.copytree(SRC, tmp_path / "pkg" / "ninety", ignore=shutil.ignore_patterns("__pycache__"))
    loaders = tmp_path / "pkg" / "ninety" / "diagnosis" / "loaders.py"
    loaders.write_text(loaders.read_text() + "\nfrom ninety.home import panels  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = _lint(tmp_path, pythonpath=tmp_path / "pkg")
    assert result.returncode != 0
    assert "ninety.diagnosis is not allowed to import ninety.home" in result.stdout
    assert "ninety.diagnosis.loaders -> ninety.home.panels" in result.stdout


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _function_imports(source: str, module: str) -> set[tuple[str, str]]:
    """(module, imported ninety module) for each import inside a function body of ``source``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                names = [inner.module]
            elif isinstance(inner, ast.Import):
                names = [a.name for a in inner.names]
            else:
                continue
            found |= {(module, n) for n in names if n.split(".")[0] == "ninety"}
    return found


def test_no_function_imports_a_ninety_module() -> None:
    # An import inside a function hides a dependency from the contracts' reader and usually
    # dodges a cycle; a module's imports stand at its top.
    found: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            found |= _function_imports(path.read_text(), _module_name(path))
    assert found - KNOWN_FUNCTION_IMPORTS == set()


def test_the_scan_sees_an_import_inside_a_function() -> None:
    source = "import ninety.core\n\ndef f():\n    if True:\n        from ninety.home import views\n"
    assert _function_imports(source, "m") == {("m", "ninety.home")}


def test_the_architecture_doc_lists_the_contract_layers() -> None:
    doc = (ROOT / "docs" / "architecture.md").read_text()
    block = re.search(r"<!-- layers -->\s*```text\n(.*?)```", doc, re.S)
    assert block, "docs/architecture.md has no layer block"
    listed = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    normal = [" | ".join(sorted(p.strip() for p in layer.split("|"))) for layer in _layers()]
    assert [" | ".join(sorted(p.strip() for p in x.split("|"))) for x in listed if x] == normal


#: The longest a function's body may be, docstring aside (the house's "small parts").
MAX_FUNCTION_LINES = 80
#: Functions over it while they are being split (none now).
LONG_FUNCTIONS_IN_WORK: set[tuple[str, str]] = set()


def _long_functions(source: str, module: str) -> set[tuple[str, str, int]]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = node.body[0]
        doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        lines = node.end_lineno - node.lineno + 1  # type: ignore[operator]
        if doc and isinstance(first.value.value, str):  # type: ignore[attr-defined]
            lines -= first.end_lineno - first.lineno + 1  # type: ignore[operator]
        if lines > MAX_FUNCTION_LINES:
            found.add((module, node.name, lines))
    return found


def test_no_function_is_longer_than_eighty_lines() -> None:
    found: set[tuple[str, str, int]] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            found |= _long_functions(path.read_text(), _module_name(path))
    assert {f for f in found if f[:2] not in LONG_FUNCTIONS_IN_WORK} == set()


def test_the_length_check_skips_the_docstring() -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 1))
    doc = '    """' + "\n" * 30 + '    """\n'
    assert _long_functions(f"def f():\n{doc}{body}", "m") == set()
    assert _long_functions(f"def f():\n{body}    y = 1\n    z = 2\n", "m") == {("m", "f", 82)}


#: Modules that decide what a request shows or allows: they ask the permission gate's named
#: functions (``people/permissions.py``, each app's own permissions module) and never compare a
#: role inline, so that a rule lives in one place and the persona tests cover it.
GATED_MODULES = ("views.py", "api.py", "presenters.py", "panels.py")


def _inline_role_checks(source: str, module: str) -> set[tuple[str, int]]:
    """``x.role == …``, ``x.role != …``, ``x.role in …`` (and ``not in``), ``x.is_admin``,
    ``x.is_leader``: a query's ``filter(role=Role.REP)`` selects rows and is not a check."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "role" for s in sides):
                found.add((module, node.lineno))
        elif isinstance(node, ast.Attribute) and node.attr in ("is_admin", "is_leader"):
            found.add((module, node.lineno))
    return found


def test_no_view_or_api_compares_a_role_inline() -> None:
    found: set[tuple[str, int]] = set()
    for name in GATED_MODULES:
        for path in SRC.rglob(name):
            found |= _inline_role_checks(path.read_text(), _module_name(path))
    assert found == set(), "ask a named permission function instead of comparing roles"


def test_the_role_scan_sees_each_inline_form() -> None:
    source = (
        "if viewer.role == Role.REP: pass\n"
        "if viewer.role != 'admin': pass\n"
        "ok = viewer.role in ('leader', 'admin')\n"
        "ok = p.role not in ROLES\n"
        "ok = viewer.is_admin\n"
        "qs = Person.objects.filter(role=Role.REP)\n"
    )
    assert {line for _, line in _inline_role_checks(source, "m")} == {1, 2, 3, 4, 5}
