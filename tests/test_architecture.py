"""Imports point one way: geo imports nothing of ours, logistics never imports workers."""

import ast

import pytest

from tests.conftest import ROOT


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(str(path), alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path), node.module.split(".")[0]))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("geo", {"logistics", "workers", "flask"}), ("logistics", {"workers"})],
)
def test_import_direction(package, forbidden):
    offenders = [(path, name) for path, name in imported_modules(package) if name in forbidden]
    assert offenders == []


def test_every_module_has_a_docstring():
    missing = []
    for package in ("logistics", "geo", "workers"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            if not ast.get_docstring(tree):
                missing.append(str(path))
    assert missing == []
