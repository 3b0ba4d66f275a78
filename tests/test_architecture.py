"""Imports point one way: geo imports nothing of ours, logistics never imports workers."""

import ast
import functools
import re
import sys

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


# The LKIP percentages both rules modules share: itself standard library only.
SHARED_ARITHMETIC = "logistics.core.lkip"


def _is_shared_arithmetic(module: str, names: list[str]) -> bool:
    return module == SHARED_ARITHMETIC or (module == "logistics.core" and names == ["lkip"])


@pytest.mark.parametrize(
    "module", ["logistics/spm/rules.py", "logistics/budget/rules.py", "logistics/core/lkip.py"]
)
def test_rules_use_the_standard_library_only(module):
    """The pure arithmetic of SPM and budget imports nothing but the standard library and the
    one shared definition of the LKIP percentages (core/lkip.py), which imports only it."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    relative = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level]
    others = {
        m
        for m, names in imports_of(tree)
        if m.split(".")[0] not in sys.stdlib_module_names and not _is_shared_arithmetic(m, names)
    }
    if module.endswith("lkip.py"):
        others |= {m for m, _names in imports_of(tree) if m.startswith("logistics")}
    assert (relative, sorted(others)) == ([], [])


# --- layers and domains (ARCHITECTURE.md) -----------------------------------------------------

PACKAGE = ROOT / "logistics"
WEB_CORE = {"api", "errors", "forms", "nav", "precompressed", "security"}  # serve requests
REQUEST_NAMES = {
    "request",
    "current_user",
    "url_for",
    "abort",
    "session",
    "g",
    "has_request_context",
}
LONG_FUNCTION = 80


def module_kind(path) -> tuple[str, str]:
    """(domain, kind) of a module under logistics/: kind is web, models or service."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    domain, name = (parts[0], parts[-1]) if len(parts) > 1 else ("", parts[0])
    if name in ("views", "api", "forms") or name.endswith(("_views", "_api", "_forms")):
        return domain, "web"
    if domain == "core" and name in WEB_CORE:
        return domain, "web"
    if "models" in parts[1:]:
        return domain, "models"
    return domain, "service"


def logistics_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def imports_of(tree) -> list[tuple[str, list[str]]]:
    """(module, imported names) for every absolute import of our own packages."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def is_route_module(dotted: str) -> bool:
    """A domain's views or API module (forms are the views' own helpers)."""
    parts = dotted.split(".")
    if parts[0] != "logistics" or len(parts) < 3 or parts[1] == "core":
        return False
    if parts[-1] == "forms" or parts[-1].endswith("_forms"):
        return False
    return module_kind(PACKAGE.joinpath(*parts[1:]).with_suffix(".py"))[1] == "web"


def layer_findings() -> dict[str, set[str]]:
    found = {rule: set() for rule in RULES}
    edges: dict[str, set[str]] = {}
    for path, tree in logistics_modules():
        domain, kind = module_kind(path)
        name = str(path.relative_to(ROOT))
        source = path.read_text(encoding="utf-8")
        for module, names in imports_of(tree):
            parts = module.split(".")
            targets = [module] + [f"{module}.{n}" for n in names]
            if parts[0] == "logistics" and len(parts) > 1 and domain == "core" != parts[1]:
                found["core imports no domain"].add(f"{name} -> {module}")
            if kind == "web" and any(is_route_module(t) for t in targets) and domain != "core":
                own = [t for t in targets if is_route_module(t)]
                found["views and API never import each other"].add(f"{name} -> {own[0]}")
            if kind != "web" and domain and module in ("flask", "flask_login"):
                for n in set(names) & REQUEST_NAMES:
                    found["services never touch the request"].add(f"{name}: {n}")
            # Pages and API sit above every domain's services and may compose them; the
            # services and models underneath must not depend on each other in a circle.
            if (
                kind != "web"
                and parts[0] == "logistics"
                and len(parts) > 1
                and parts[1] not in ("core", domain)
                and domain not in ("", "demo")
            ):
                edges.setdefault(domain, set()).add(parts[1])
        if kind == "web" and "db.session" in source:
            found["web modules never use the session"].add(name)
        if "session.commit()" in source and name != "logistics/core/database.py":
            found["commits happen in core.database only"].add(name)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                doc = ast.get_docstring(node) or ""
                if length > LONG_FUNCTION and "Long because" not in doc:
                    found["functions stay under 80 lines"].add(f"{name}:{node.name}")
    for group in tangled_domains(edges):
        found["domains depend on each other without cycles"].add(", ".join(group))
    return found


def tangled_domains(edges: dict[str, set[str]]) -> list[list[str]]:
    """Groups of domains that reach each other (strongly connected, more than one domain)."""
    reach = {a: set() for a in edges}
    for start in edges:
        todo = [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in reach[start]:
                    reach[start].add(nxt)
                    todo.append(nxt)
    groups = {tuple(sorted({a} | {b for b in reach[a] if a in reach.get(b, ())})) for a in edges}
    return sorted(list(g) for g in groups if len(g) > 1)


RULES = (
    "core imports no domain",
    "views and API never import each other",
    "web modules never use the session",
    "services never touch the request",
    "commits happen in core.database only",
    "domains depend on each other without cycles",
    "functions stay under 80 lines",
)


@functools.cache
def findings() -> dict[str, set[str]]:
    return layer_findings()


@pytest.mark.parametrize("rule", RULES)
def test_layers_point_one_way(rule):
    assert sorted(findings()[rule]) == [], rule


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


@pytest.mark.parametrize("package", ["geo", "workers"])
def test_functions_outside_the_app_stay_short_too(package):
    """The length rule of logistics/ holds for the geography library and the job entry points."""
    long = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > LONG_FUNCTION and "Long because" not in (ast.get_docstring(node) or ""):
                    long.append(f"{path.relative_to(ROOT)}:{node.name} ({length} lines)")
    assert long == []
