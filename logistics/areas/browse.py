"""Browsing the administrative spine: filtered area lists, counts, boundary sets, geometry."""

from sqlalchemy import Select, func, or_, select

from logistics.areas.models import LEVELS, Area, BoundarySet
from logistics.core.extensions import db
from logistics.core.scope import WHOLE_OFFICE, Scope


def area_query(
    level: str, parent_code: str = "", text: str = "", scope: Scope = WHOLE_OFFICE
) -> tuple[str, Select]:
    """(level, query) of the areas of a level (kelurahan when unknown) with their parent's name
    and boundary source, narrowed to a parent code and a name or code prefix, ordered by code;
    a scoped user's own areas and those above them."""
    if level not in LEVELS:
        level = "kelurahan"
    parent = Area.__table__.alias("parent_area")
    query = (
        select(Area, parent.c.name.label("parent_name"), BoundarySet.source_name)
        .outerjoin(parent, parent.c.code == Area.parent_code)
        .outerjoin(BoundarySet, BoundarySet.id == Area.boundary_set_id)
        .where(Area.level == level)
    )
    query = scope.narrow_covering(query, Area.code)
    if parent_code:
        query = query.where(
            or_(Area.parent_code == parent_code, Area.code.startswith(parent_code + "."))
        )
    if text:
        query = query.where(or_(Area.name.ilike(f"%{text}%"), Area.code.startswith(text)))
    return level, query.order_by(Area.code)


def all_rows(query: Select):
    """Every row of an area query, for an export."""
    return db.session.execute(query)


def page_of(query: Select, page: int, size: int) -> tuple[int, list]:
    """(total rows, the rows of one page) of an area query."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(size).offset((page - 1) * size)).all()
    return total, rows


def latest_boundary_set() -> BoundarySet | None:
    return db.session.scalar(select(BoundarySet).order_by(BoundarySet.id.desc()).limit(1))


def area_counts() -> dict[str, int]:
    """How many areas of each level are loaded."""
    return dict(db.session.execute(select(Area.level, func.count()).group_by(Area.level)).all())


def areas_of_level(level: str, parent: str | None = None) -> list[Area]:
    """The current areas of a level (retired ones left out), optionally of one parent, by code."""
    query = select(Area).where(Area.level == level, Area.retired_at.is_(None)).order_by(Area.code)
    if parent:
        query = query.where(Area.parent_code == parent)
    return db.session.scalars(query).all()


def area_geometry_wkb(area: Area) -> bytes | None:
    """An area's stored outline (WKB), read on its own: area rows are loaded without it."""
    return db.session.scalar(select(Area.geometry_wkb).where(Area.id == area.id))


def area_names(codes: list[str]) -> dict[str, str]:
    """The names of the areas with these codes (in pieces: SQLite caps a query's parameters)."""
    names: dict[str, str] = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        names.update(
            db.session.execute(select(Area.code, Area.name).where(Area.code.in_(chunk))).all()
        )
    return names
