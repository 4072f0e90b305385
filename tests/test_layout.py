"""House rules of the test folder that no linter checks: a test module imports shared code from
``tests/support`` (or gets it as a fixture through ``tests/conftest.py``), never from another test
module, so that moving or deleting one test file never breaks another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_test_module_imports_another_test_module():
    test_modules = {path.stem for path in TESTS.glob("test_*.py")}
    offenders = {
        f"{path.name} imports {name}"
        for path in sorted(TESTS.glob("test_*.py"))
        for name in imported_modules(path)
        if name.removeprefix("tests.").split(".")[0] in test_modules
    }
    assert not offenders, sorted(offenders)


def test_shared_test_code_lives_in_tests_support():
    loose = sorted(
        path.name
        for path in TESTS.glob("*.py")
        if not path.name.startswith("test_") and path.name != "conftest.py"
    )
    assert loose == [], f"move {loose} into tests/support/"
