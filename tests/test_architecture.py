"""Imports point one way: geo imports nothing of ours, logistics never imports workers."""

import ast
import re

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


# A path literal that climbs out of the repository (a dot-dot component, or a sibling folder named
# shared), or a parents[k] of a module that reaches above the repository root.
OUTSIDE = re.compile(r"""["']\.\.["']|["']\.\./|/\s*["']shared["']""")
PARENTS = re.compile(r"parents\[(\d+)\]")


def test_nothing_reads_outside_the_repository():
    """A fresh clone with nothing beside it must pass: no code, test or benchmark reaches out."""
    offenders = []
    for package in ("logistics", "geo", "workers", "tests", "bench", "scripts"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if OUTSIDE.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: path outside the repository")
            for depth in PARENTS.findall(text):
                target = path.resolve().parents[int(depth)]
                if not target.is_relative_to(ROOT):
                    offenders.append(f"{path.relative_to(ROOT)}: parents[{depth}] is {target}")
    assert offenders == []


def test_boundary_files_live_in_the_repository(boundaries_dir):
    assert boundaries_dir.is_relative_to(ROOT)
    assert (boundaries_dir / "LICENSE-wilayah_boundaries.txt").is_file()
    assert (boundaries_dir / "kota_bekasi.geojson").is_file()


def test_no_test_module_imports_another():
    """Shared helpers live in tests/support (and tests/conftest.py), never in a test module."""
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                if any(part.startswith("test_") for part in name.split(".")[1:]) and (
                    name.startswith("tests.")
                ):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
