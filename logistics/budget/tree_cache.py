"""The budget tree kept in memory for hot paths: codes, ids and the sub-kegiatan of each component."""

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event as orm_event
from sqlalchemy import select

from logistics.budget import services as budget
from logistics.budget.models import BudgetNode
from logistics.core import inputs
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db

# The budget tree changes a few times a year; a hand-out is recorded many times a minute. The tree
# is read once per app and kept a minute (other workers' edits show within it); edits made in
# this process clear it at once.
BUDGET_CACHE_SECONDS = 60.0
_BUDGET_CACHE = "posko_budget_nodes"


@dataclass(frozen=True)
class BudgetNodes:
    by_code: dict[str, tuple[int, str]]  # canonical code -> (id, level)
    code_of: dict[int, str]
    by_component: dict[str, int]  # SPM component -> sub-kegiatan id
    loaded: float


def _budget_nodes() -> BudgetNodes:
    cached = current_app.extensions.get(_BUDGET_CACHE)
    if cached is not None and time.monotonic() - cached.loaded < BUDGET_CACHE_SECONDS:
        return cached
    rows = db.session.execute(
        select(BudgetNode.id, BudgetNode.code, BudgetNode.level, BudgetNode.spm_component)
    ).all()
    nodes = BudgetNodes(
        by_code={code: (node_id, level) for node_id, code, level, _c in rows},
        code_of={node_id: code for node_id, code, _l, _c in rows},
        by_component={
            component: node_id
            for node_id, _code, level, component in rows
            if component and level == "sub_kegiatan"
        },
        loaded=time.monotonic(),
    )
    current_app.extensions[_BUDGET_CACHE] = nodes
    return nodes


def forget_budget_nodes(*_args) -> None:
    """Drop the cached budget tree (after a node is added, renamed or re-linked)."""
    from flask import has_app_context

    if has_app_context():
        current_app.extensions.pop(_BUDGET_CACHE, None)


for _name in ("after_insert", "after_update", "after_delete"):
    orm_event.listen(BudgetNode, _name, forget_budget_nodes)


def sub_kegiatan_code(node_id: int | None) -> str | None:
    """The code of a sub-kegiatan by id, from the cached tree."""
    if node_id is None:
        return None
    code = _budget_nodes().code_of.get(node_id)
    if code is None:
        code = db.session.scalar(select(BudgetNode.code).where(BudgetNode.id == node_id))
    return code


def resolve_sub_kegiatan(value, field: str = "sub_kegiatan") -> int | None:
    """The id of a sub-kegiatan written as a code in either form (1.06.06.2.01.0001 or
    1.06.06.02.01.0001); None when blank. An unknown code or a program/kegiatan code is a
    DomainError on the field (422), not a missing page."""
    if inputs.is_blank(value):
        return None
    canonical, _level = budget.split_code(str(value).strip(), field)
    found = _budget_nodes().by_code.get(canonical)
    if found is not None and found[1] == "sub_kegiatan":
        return found[0]
    try:
        return budget.get_sub_kegiatan(canonical, field).id
    except NotFound as exc:
        raise DomainError(
            f"{exc.message} Pilih sub-kegiatan dari daftar, atau kosongkan agar mengikuti "
            "komponen SPM.",
            field=field,
        ) from None


def default_sub_kegiatan(component: str) -> int | None:
    """The sub-kegiatan linked to an SPM component in the budget tree, if the office has one."""
    return _budget_nodes().by_component.get(component)
