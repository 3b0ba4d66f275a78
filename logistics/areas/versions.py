"""Boundary load versions: what each load changed, and rolling loads back."""

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, delete, insert, select, update

from logistics.areas.models import LEVELS, Area, AreaSnapshot, BoundarySet
from logistics.core.audit import current_actor, record_action
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.formatting import angka, tanggal_jam
from logistics.core.time import utcnow

_CHUNK = 500
_AREAS = Area.__table__


def _encode(row) -> dict:
    """Every column of an area row as JSON values that decode to the very same bytes."""
    out = {}
    for column in _AREAS.columns:
        value = row._mapping[column]
        if isinstance(value, bytes | bytearray | memoryview):
            value = bytes(value).hex()
        elif isinstance(value, datetime):
            value = value.isoformat()
        out[column.name] = value
    return out


def _decode(data: dict) -> dict:
    out = {}
    for column in _AREAS.columns:
        value = data.get(column.name)
        if value is not None and isinstance(column.type, LargeBinary):
            value = bytes.fromhex(value)
        elif value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        out[column.name] = value
    return out


class Recorder:
    """Collects, during one load, the areas it creates and the areas as they were before it
    changed them; `write` stores them as the load's snapshots."""

    def __init__(self, boundary_set: BoundarySet):
        self.boundary_set = boundary_set
        self.rows: list[dict] = []
        self.seen: set[int] = set()

    def before(self, ids: list[int]) -> None:
        """Snapshot these areas as they are now (call before changing them)."""
        ids = [i for i in ids if i not in self.seen]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for row in db.session.execute(select(_AREAS).where(_AREAS.c.id.in_(chunk))):
                self._add(row.id, row.code, _encode(row))

    def created(self, codes: list[str]) -> None:
        """Mark these just-inserted areas as the load's own (a rollback removes them)."""
        for start in range(0, len(codes), _CHUNK):
            chunk = codes[start : start + _CHUNK]
            for area_id, code in db.session.execute(
                select(Area.id, Area.code).where(Area.code.in_(chunk))
            ):
                if area_id not in self.seen:
                    self._add(area_id, code, None)

    def _add(self, area_id: int, code: str, before: dict | None) -> None:
        self.seen.add(area_id)
        self.rows.append(
            {
                "boundary_set_id": self.boundary_set.id,
                "area_id": area_id,
                "code": code,
                "before": before,
            }
        )

    def write(self) -> None:
        for start in range(0, len(self.rows), _CHUNK):
            db.session.execute(insert(AreaSnapshot), self.rows[start : start + _CHUNK])
        self.boundary_set.reversible = True


def list_versions(limit: int | None = None) -> list[BoundarySet]:
    """Every boundary load, newest first."""
    query = select(BoundarySet).order_by(BoundarySet.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def referenced_codes(codes: list[str]) -> set[str]:
    """The area codes that rows of any other table refer to (events, victims, shelters...)."""
    found: set[str] = set()
    if not codes:
        return found
    for table in db.metadata.sorted_tables:
        if table is _AREAS:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not _AREAS or fk.column.name != "code":
                continue
            column = fk.parent
            for start in range(0, len(codes), _CHUNK):
                chunk = codes[start : start + _CHUNK]
                found.update(db.session.scalars(select(column).where(column.in_(chunk)).distinct()))
    return found


def active_versions() -> list[BoundarySet]:
    """The loads not rolled back, newest first."""
    return list(
        db.session.scalars(
            select(BoundarySet)
            .where(BoundarySet.rolled_back_at.is_(None))
            .order_by(BoundarySet.id.desc())
        )
    )


def rollback(to: int | None = None) -> list[dict]:
    """Undo the newest load, or every load after version `to`; returns what each undo did.

    Areas are restored column for column as they were before each load. Areas a load
    created are deleted, unless a row elsewhere refers to them (or to an area below them):
    those are retired. Raises DomainError, changing nothing, when there is nothing to undo
    or a load in the way predates versioning.
    """
    active = active_versions()
    if to is None:
        if not active:
            raise DomainError("Tidak ada versi batas wilayah yang dapat dibatalkan.")
        undo = active[:1]
    else:
        target = db.session.get(BoundarySet, to)
        if target is None or target.rolled_back_at is not None:
            raise DomainError(f"Versi {to} tidak ada atau sudah dibatalkan.", field="to")
        undo = [s for s in active if s.id > to]
        if not undo:
            raise DomainError(f"Versi {to} adalah versi terbaru; tidak ada yang dibatalkan.")
    blocked = [s.id for s in undo if not s.reversible]
    if blocked:
        raise DomainError(
            f"Versi {', '.join(map(str, blocked))} dimuat sebelum riwayat versi dicatat dan "
            "tidak dapat dibatalkan. Muat ulang berkas yang benar sebagai versi baru."
        )
    results = [_undo(boundary_set) for boundary_set in undo]
    # Bulk statements bypass the identity map: loaded Area objects are stale now.
    db.session.expire_all()
    return results


def _undo(boundary_set: BoundarySet) -> dict:
    snapshots = db.session.execute(
        select(AreaSnapshot.area_id, AreaSnapshot.code, AreaSnapshot.before).where(
            AreaSnapshot.boundary_set_id == boundary_set.id
        )
    ).all()
    restored = [_decode(before) for _, _, before in snapshots if before is not None]
    present = set(
        db.session.scalars(select(Area.id).where(Area.id.in_([r["id"] for r in restored])))
    )
    if present:
        db.session.execute(update(Area), [r for r in restored if r["id"] in present])
    missing = [r for r in restored if r["id"] not in present]
    if missing:
        db.session.execute(insert(Area), missing)
    created = {code: area_id for area_id, code, before in snapshots if before is None}
    kept = _kept(created)
    now = utcnow()
    retire = [created[code] for code in kept]
    if retire:
        db.session.execute(update(Area).where(Area.id.in_(retire)).values(retired_at=now))
    # Children first: an area's parent_code points at its parent.
    order = sorted(
        (code for code in created if code not in kept),
        key=lambda code: -LEVELS.index(_level_of(code)),
    )
    for start in range(0, len(order), _CHUNK):
        ids = [created[code] for code in order[start : start + _CHUNK]]
        db.session.execute(delete(Area).where(Area.id.in_(ids)))
    boundary_set.rolled_back_at = now
    boundary_set.rolled_back_by = current_actor()[1]
    result = {
        "version": boundary_set.id,
        "restored": len(restored),
        "deleted": len(order),
        "retired": len(retire),
    }
    record_action("boundary_rollback", "boundary_sets", boundary_set.id, result)
    db.session.flush()
    return result


def _level_of(code: str) -> str:
    return {2: "provinsi", 5: "kab_kota", 8: "kecamatan"}.get(len(code), "kelurahan")


def _kept(created: dict[str, int]) -> set[str]:
    """Created areas that must stay (retired): referenced ones and the ancestors of those,
    and any with a child that the rollback does not remove."""
    codes = list(created)
    kept = referenced_codes(codes)
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        for code, parent in db.session.execute(
            select(Area.code, Area.parent_code).where(Area.parent_code.in_(chunk))
        ):
            if code not in created:
                kept.add(parent)
    for code in list(kept):
        for length in (2, 5, 8):
            if len(code) > length and code[:length] in created:
                kept.add(code[:length])
    return kept


def report_lines(report: dict | None) -> list[str]:
    """The load report as Indonesian sentences: repairs, moved label points, skipped areas."""
    if not report:
        return []
    lines = []
    for repair in report.get("repairs", []):
        change = repair.get("change_pct")
        change_text = "" if change is None else f", {'+' if change >= 0 else ''}{angka(change, 1)}%"
        lines.append(
            f"Geometri {repair['code']} diperbaiki (dibuat valid): luas "
            f"{angka(repair['area_before_km2'], 2)} → {angka(repair['area_after_km2'], 2)} km²"
            f"{change_text}."
        )
    moved = report.get("label_points_moved") or []
    if moved:
        lines.append(
            f"{len(moved)} titik label berada di luar wilayahnya dan dipindah ke dalam: "
            f"{', '.join(moved[:20])}{' …' if len(moved) > 20 else ''}."
        )
    elif report.get("label_points_replaced"):
        lines.append(f"{report['label_points_replaced']} titik label dihitung ulang.")
    for level in ("kecamatan", "kab_kota", "provinsi"):
        if report.get(f"{level}_code_mismatches"):
            lines.append(
                f"{report[f'{level}_code_mismatches']} kode {level.replace('_', '/')} di berkas "
                "berbeda dari awalan kode wilayahnya; awalan kode yang dipakai."
            )
    if report.get("skipped_outside"):
        lines.append(
            f"{report['skipped_outside']} wilayah di luar wilayah kantor dilewati "
            f"(mis. {', '.join(report.get('skipped_outside_codes', []))})."
        )
    if report.get("outline_checked") is False:
        lines.append(
            "Peta kabupaten/kota nasional tidak memuat wilayah kantor: letak wilayah hanya "
            "diperiksa menurut kodenya."
        )
    return lines


def describe_version(boundary_set: BoundarySet) -> str:
    """One line per version for the CLI: number, time, who, file, counts, state."""
    state = ""
    if boundary_set.rolled_back_at is not None:
        state = f" [dibatalkan {tanggal_jam(boundary_set.rolled_back_at)}]"
    elif not boundary_set.reversible:
        state = " [tanpa riwayat, tidak dapat dibatalkan]"
    stats = boundary_set.stats or {}
    counts = "; ".join(
        f"{level.replace('_', '/')} {s.get('created', 0)} baru, {s.get('updated', 0)} diperbarui"
        + (f", {s['retired']} dipensiunkan" if s.get("retired") else "")
        for level, s in stats.items()
        if s.get("created") or s.get("updated") or s.get("retired")
    )
    return (
        f"{boundary_set.id:>4}  {tanggal_jam(boundary_set.loaded_at)}  "
        f"{boundary_set.loaded_by or '-'}  {boundary_set.source_name}  "
        f"{boundary_set.feature_count} wilayah ({counts or 'tanpa perubahan'}){state}"
    )
