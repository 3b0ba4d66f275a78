"""Wilayah scope: which Kemendagri area codes a user may see and record, enforced here only."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Boolean, and_, false, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from logistics.core.errors import Forbidden, NotFound

OUT_OF_SCOPE = "Data ini berada di luar wilayah kerja Anda ({codes})."
NOT_FOUND = "Halaman atau data tidak ditemukan."
PROVINCE_EVENTS_ONLY = (
    "Kejadian ini milik kabupaten/kota: diubah oleh operator kabupaten/kota itu. Akun tingkat "
    "provinsi mencatat kejadian tingkat provinsi saja."
)


def split_codes(text: str | None) -> tuple[str, ...]:
    """The codes of a stored or typed list ("17.01, 17.02" or one a line), in order, once each."""
    parts = (text or "").replace(",", " ").replace(";", " ").split()
    return tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))


def within(code: str | None, codes: tuple[str, ...]) -> bool:
    """Whether an area code lies in one of the areas (itself or below it, by code prefix)."""
    if not code:
        return False
    return any(code == parent or code.startswith(parent + ".") for parent in codes)


def is_province(code: str) -> bool:
    """A provinsi's code (`17`): the one level without a dot."""
    return "." not in code


def ancestors(code: str) -> list[str]:
    """The codes above an area: 17.02.05 → 17, 17.02."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


@dataclass(frozen=True)
class Scope:
    """A user's wilayah: `see` and `record` hold area codes; empty means the whole office area."""

    see: tuple[str, ...] = ()
    record: tuple[str, ...] = ()

    @property
    def whole_office(self) -> bool:
        return not self.see and not self.record

    @property
    def label(self) -> str | None:
        """How the audit log writes it; None for the whole office area."""
        if self.whole_office:
            return None
        see = " ".join(self.see) or "*"
        record = " ".join(self.record) or "*"
        return f"lihat {see}; catat {record}"

    def sees(self, code: str | None) -> bool:
        return not self.see or within(code, self.see)

    def records(self, code: str | None) -> bool:
        return not self.record or within(code, self.record)

    def records_event(self, code: str | None) -> bool:
        """For an event, whose code is the area it was opened for: a record code of a whole
        provinsi gives the province's own events only (its code, or none: opened by the whole
        office), never a kab/kota's, which that kab/kota's operators keep; other codes as
        `records`. An unscoped user records every event."""
        if not self.record:
            return True
        return any(
            code in (own, None) if is_province(own) else within(code, (own,)) for own in self.record
        )

    def sees_any(self, codes) -> bool:
        return not self.see or any(within(code, self.see) for code in codes)

    def sees_covering(self, code: str | None) -> bool:
        """For records that cover an area (an event): inside the scope, or over all of it (a
        province-wide event is visible to a kab/kota user); no code means the whole office."""
        if not self.see or not code:
            return True
        return within(code, self.see) or any(code in ancestors(own) for own in self.see)

    def condition(self, column):
        """The SQL condition "the area column lies in the see scope" (always true unscoped)."""
        return _within_condition(column, self.see) if self.see else true()

    def narrow(self, query, column):
        """The query limited to rows whose area column lies in the see scope."""
        if not self.see:
            return query
        return query.where(self.condition(column))

    def narrow_covering(self, query, column):
        """As `narrow`, also keeping rows whose area covers the scope or is not set."""
        if not self.see:
            return query
        above = sorted({code for own in self.see for code in ancestors(own)})
        condition = or_(_within_condition(column, self.see), column.is_(None))
        if above:
            condition = or_(condition, column.in_(above))
        return query.where(condition)

    @property
    def home_area(self) -> str | None:
        """The area a new event of this user belongs to: their one record area (a provincial
        user's province, a kab/kota operator's kab/kota); None for the whole office or when
        they record in several areas."""
        return self.record[0] if len(self.record) == 1 else None

    def require_records(self, codes) -> None:
        """`require_record` for typed or posted codes; an empty one is left to the service's
        own "required" message."""
        for code in codes or ():
            if code:
                self.require_record(str(code))

    def require_record(self, code: str | None) -> None:
        """Refuse a write whose area is outside the record scope (403, nothing written)."""
        if not self.records(code):
            raise Forbidden(OUT_OF_SCOPE.format(codes=", ".join(self.record)), field="kelurahan")


WHOLE_OFFICE = Scope()


class _Below(ColumnElement):
    """ "The code column starts with `code` and a dot", written for each database's index: on
    SQLite the range [code + ".", code + "/") ("/" is the character after "."), because its LIKE
    ignores case and so never uses an index; on PostgreSQL LIKE 'code.%', which an index with
    text_pattern_ops serves whatever the database's collation (a locale collation skips
    punctuation, so a range would not keep the code order)."""

    inherit_cache = True
    _is_implicitly_boolean = True  # a condition of its own: no "= 1" after it on SQLite
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("code", InternalTraversal.dp_string),
    ]

    def __init__(self, column, code: str):
        self.column = column
        self.code = code
        self.type = Boolean()


@compiles(_Below)
def _below_range(element, compiler, **kw):
    column = element.column
    return compiler.process(and_(column >= element.code + ".", column < element.code + "/"), **kw)


@compiles(_Below, "postgresql")
def _below_like(element, compiler, **kw):
    return compiler.process(element.column.like(element.code + ".%"), **kw)


def _within_condition(column, codes: tuple[str, ...]):
    """The code itself or any code below it: "17.1" holds "17.1.05" but not "17.10"."""
    if not codes:
        return false()
    return or_(*(or_(column == code, _Below(column, code)) for code in codes))


# --- the guard on every route that names one record by id ---------------------------------------


@dataclass(frozen=True)
class Resolver:
    """How to find the areas of the record a URL parameter names: `areas(id)` gives its area
    codes (None when no such record: the view answers 404 itself); `granted(user_id, id)` lets
    a break-the-glass grant open it; `covering` uses the event rule for reading, and `event`
    for writing as well (`Scope.records_event`)."""

    areas: Callable[[int], list[str | None] | None]
    granted: Callable[[int, int], bool] | None = None
    covering: bool = False
    event: bool = False


_RESOLVERS: dict[str, Resolver] = {}
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def guard_parameter(name: str, resolver: Resolver) -> None:
    """Every route with a URL parameter `name` (event_id, victim_id, ...) is checked against the
    user's scope before its view runs; registered by the domain that owns the record."""
    _RESOLVERS[name] = resolver


def guarded_parameters() -> tuple[str, ...]:
    return tuple(_RESOLVERS)


def check_view_args(scope: Scope, user_id: int | None, view_args: dict, method: str) -> None:
    """404 for a record outside the see scope (its existence is not confirmed), 403 for a write
    to a record outside the record scope. Called before every request's view."""
    if scope.whole_office:
        return
    for name, value in view_args.items():
        resolver = _RESOLVERS.get(name)
        if resolver is None or not isinstance(value, int):
            continue
        codes = resolver.areas(value)
        if codes is None:
            continue
        covering = resolver.covering or resolver.event
        visible = all(map(scope.sees_covering, codes)) if covering else scope.sees_any(codes)
        if not visible and resolver.granted and user_id and method in READ_METHODS:
            visible = resolver.granted(user_id, value)
        if not visible:
            raise NotFound(NOT_FOUND)
        writable = scope.records_event if resolver.event else scope.records
        if method not in READ_METHODS and not any(map(writable, codes)):
            raise Forbidden(_refusal(scope, resolver))


def _refusal(scope: Scope, resolver: Resolver) -> str:
    if resolver.event and any(map(is_province, scope.record)):
        return PROVINCE_EVENTS_ONLY
    return OUT_OF_SCOPE.format(codes=", ".join(scope.record))


def in_area(column, code: str):
    """The SQL condition "the area column lies in this area (itself or below it)": a list
    filtered by a kab/kota, kecamatan or kelurahan picked in an area picker."""
    return _within_condition(column, (code,))
