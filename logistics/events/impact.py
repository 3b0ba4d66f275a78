"""Impact figures: kaji cepat typed in per kelurahan, terdata as the victim registry counts it."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.areas.services import require_kelurahan
from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.wording import istilah
from logistics.events.areas import add_areas
from logistics.events.models import (
    AGE_GROUPS,
    DAMAGE_LEVELS,
    FACILITIES,
    IMPACT_MEASURES,
    PEOPLE_STATUSES,
    SEXES,
    Event,
    EventArea,
    ImpactFigure,
)

# A count in the impact matrix above this is a typing error, not a disaster (and stays inside a
# 32-bit integer column on PostgreSQL).
MAX_COUNT = 10_000_000
# Extra cells only the victim registry can give: persons without a birth date, and the
# headcount of institutions hit as a group (no age or sex split).
UNKNOWN_AGE = "tidak_diketahui"
INSTITUTION = "lembaga"
# Distinct households with a victim of any status, per kelurahan (registry only).
KK_TOTAL = "kk_total"


def measure_label(measure: str) -> str:
    """'mengungsi.lansia.P' -> 'Mengungsi lansia perempuan' (for forms, tables and exports)."""
    parts = measure.split(".")
    if parts[0] in PEOPLE_STATUSES:
        status = PEOPLE_STATUSES[parts[0]].split(" (")[0]
        if parts[1] == INSTITUTION:
            return f"{status} – penghuni lembaga"
        age = AGE_GROUPS.get(parts[1], "umur tidak diketahui").lower()
        return f"{status} {age} {SEXES[parts[2]].lower()}"
    if parts[0] == "kk":
        return f"KK {PEOPLE_STATUSES[parts[1]].split(' (')[0].lower()}"
    if parts[0] == "ibu_hamil":
        return "Ibu hamil"
    if parts[0] in FACILITIES:
        return f"{FACILITIES[parts[0]]} {DAMAGE_LEVELS[parts[1]].lower()}"
    return measure


def set_impact(
    event: Event,
    kelurahan_code: str,
    figures: Mapping,
    *,
    source: str = "kaji_cepat",
    clear: bool = False,
) -> dict[str, int]:
    """Record rapid-assessment (kaji cepat) figures for one kelurahan of the event.

    figures maps measure names of IMPACT_MEASURES to non-negative whole numbers. A blank value
    (an empty form field) keeps the stored figure, so a form sent empty wipes nothing; None
    (JSON null) removes the cell (not known); `clear` removes every figure of the kelurahan
    before the given ones are written. A kelurahan not yet affected is added to the event.
    Returns the kelurahan's kaji cepat figures after the change.
    """
    if source != "kaji_cepat":
        raise DomainError(
            "Hanya angka kaji cepat yang diisi tangan; angka terdata dihitung dari registri "
            "korban.",
            field="source",
        )
    if kelurahan_code is not None and not isinstance(kelurahan_code, str):
        raise DomainError(f"Kode {istilah('wilayah')} harus berupa teks.", field="kelurahan_code")
    area = require_kelurahan(kelurahan_code)
    values = _impact_values(figures)
    if not values and not clear:
        raise DomainError(
            "Semua isian kosong: tidak ada angka yang diubah. Isi minimal satu angka dampak, "
            f"atau pilih 'Hapus semua angka' untuk mengosongkan {istilah('wilayah_singkat')} ini.",
            field="figures",
        )
    existing = {
        f.measure: f
        for f in db.session.scalars(
            select(ImpactFigure).where(
                ImpactFigure.event_id == event.id,
                ImpactFigure.kelurahan_code == area.code,
                ImpactFigure.source == source,
            )
        )
    }
    if clear:
        values = {measure: None for measure in existing} | values
    for measure, value in values.items():
        row = existing.get(measure)
        if value is None:
            if row is not None:
                db.session.delete(row)
                del existing[measure]
        elif row is None:
            row = ImpactFigure(
                event_id=event.id,
                kelurahan_code=area.code,
                source=source,
                measure=measure,
                value=value,
            )
            db.session.add(row)
            existing[measure] = row
        elif row.value != value:
            row.value = value
    add_areas(event, [area.code], "dipilih")
    db.session.flush()
    return {m: r.value for m, r in existing.items()}


def _impact_values(figures: Mapping) -> dict[str, int | None]:
    """The figures to write: known measures, whole numbers or None; blank text left out."""
    if not isinstance(figures, Mapping):
        raise DomainError("Isi minimal satu angka dampak.", field="figures")
    allowed = set(IMPACT_MEASURES)
    values: dict[str, int | None] = {}
    for measure, raw in figures.items():
        if measure not in allowed:
            raise DomainError(
                f"Ukuran dampak '{measure}' tidak dikenal; pakai nama seperti "
                "'mengungsi.anak.L', 'kk.mengungsi' atau 'rumah.rusak_berat'.",
                field=f"figures.{measure}",
            )
        if isinstance(raw, str) and not raw.strip():
            continue
        values[measure] = inputs.whole_number(
            raw, f"figures.{measure}", measure_label(measure), maximum=MAX_COUNT
        )
    return values


def impact_figures(event: Event, kelurahan_code: str) -> dict[str, int]:
    """The kaji cepat figures of one kelurahan, for the form."""
    return dict(
        db.session.execute(
            select(ImpactFigure.measure, ImpactFigure.value).where(
                ImpactFigure.event_id == event.id,
                ImpactFigure.kelurahan_code == kelurahan_code,
                ImpactFigure.source == "kaji_cepat",
            )
        ).all()
    )


def _people_total(figures: Mapping[str, int], status: str) -> int:
    prefix = status + "."
    return sum(v for k, v in figures.items() if k.startswith(prefix))


HOUSE_DAMAGE = ("rumah.rusak_berat", "rumah.rusak_sedang", "rumah.rusak_ringan")


@dataclass
class KelurahanImpact:
    """One kelurahan's impact from both sources; terdata also has unknown-age and institution
    cells (see terdata_measures) that kaji cepat does not. Treat the figures as read-only."""

    code: str
    name: str
    kecamatan: str
    how: str | None  # dipilih, digambar, or None when only victims put it here
    kaji_cepat: dict[str, int] = field(default_factory=dict)
    terdata: dict[str, int] = field(default_factory=dict)

    def figures(self, source: str) -> dict[str, int]:
        return self.kaji_cepat if source == "kaji_cepat" else self.terdata

    def _people(self, source: str) -> dict[str, int]:
        # Summed once per source: a province table asks for these thousands of times.
        cache = self.__dict__.setdefault("_people_cache", {})
        if source not in cache:
            figures = self.figures(source)
            totals = {s: _people_total(figures, s) for s in PEOPLE_STATUSES}
            totals[""] = sum(totals.values())
            cache[source] = totals
        return cache[source]

    def jiwa(self, source: str, status: str | None = None) -> int:
        """Persons of a status (all statuses when None): jiwa terdampak."""
        return self._people(source)[status or ""]

    def kk(self, source: str, status: str) -> int:
        return self.figures(source).get(f"kk.{status}", 0)

    def kk_total(self, source: str) -> int:
        """KK terdampak (events.figures 'kk'): the registry's distinct households of any
        status; the kaji cepat KK of every status as typed in."""
        figures = self.figures(source)
        if source == "terdata":
            return figures.get(KK_TOTAL, 0)
        return sum(figures.get(f"kk.{status}", 0) for status in PEOPLE_STATUSES)

    def houses_damaged(self, source: str) -> int:
        figures = self.figures(source)
        return sum(figures.get(m, 0) for m in HOUSE_DAMAGE)

    def has(self, source: str) -> bool:
        return bool(self.figures(source))

    @property
    def best_source(self) -> str:
        """The source of 'terdampak' (events.figures), on the map, the sitrep and the event
        page alike: terdata once the registry counts at least as many jiwa as the rapid
        assessment, else kaji cepat, so a report does not shrink the disaster to the few
        already registered by name in the first days."""
        registered, assessed = self.jiwa("terdata"), self.jiwa("kaji_cepat")
        return "terdata" if registered >= assessed and registered > 0 else "kaji_cepat"

    def difference(self, status: str | None = None) -> int:
        """Terdata minus kaji cepat: negative while the registry is still catching up."""
        return self.jiwa("terdata", status) - self.jiwa("kaji_cepat", status)


@dataclass
class ImpactMatrix:
    """The event's impact per kelurahan from both sources, with totals."""

    rows: list[KelurahanImpact]
    totals: dict[str, dict[str, int]]  # source -> measure -> sum
    unknown_age: int  # registry persons without a birth date (counted, no age group)
    persons_without_household: int  # registry persons not counted in any KK
    # What readers work out from these figures (a report's impact table per scope): kept with
    # the matrix, so a matrix kept until the next write is worked out once, not on every page.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def summary(self) -> KelurahanImpact:
        """The whole event as one pseudo-kelurahan, so the same helpers give the summary."""
        return KelurahanImpact(
            "", "Jumlah", "", None, self.totals["kaji_cepat"], self.totals["terdata"]
        )

    def terdampak(self, status: str | None = None) -> int:
        """Jiwa terdampak (events.figures): per kelurahan from its best_source, summed."""
        return sum(row.jiwa(row.best_source, status) for row in self.rows)

    def terdampak_kk(self) -> int:
        """KK terdampak (events.figures): per kelurahan from its best_source, summed."""
        return sum(row.kk_total(row.best_source) for row in self.rows)

    def row(self, code: str) -> KelurahanImpact | None:
        return next((r for r in self.rows if r.code == code), None)


@dataclass(frozen=True)
class Terdata:
    """Figures counted from the victim registry (victims.figures.registry_figures): distinct
    persons and households per kelurahan and cell, and the persons no cell can place."""

    cells: dict[str, dict[str, int]]  # kelurahan code -> measure -> count
    unknown_age: int = 0  # persons without a birth date
    persons_without_household: int = 0  # persons not counted in any KK


def impact_matrix(
    event: Event, kelurahan_code: str | None = None, *, terdata: Terdata
) -> ImpactMatrix:
    """Per affected kelurahan (and any kelurahan with victims): kaji cepat as typed in, terdata
    as the caller counted it from the registry (victims.figures.registry_figures: persons
    merged into another are not counted; institutions add their headcount without an age or
    sex split)."""
    kaji: dict[str, dict[str, int]] = defaultdict(dict)
    for code, measure, value in db.session.execute(
        select(ImpactFigure.kelurahan_code, ImpactFigure.measure, ImpactFigure.value).where(
            ImpactFigure.event_id == event.id, ImpactFigure.source == "kaji_cepat"
        )
    ):
        kaji[code][measure] = value
    how = dict(
        db.session.execute(
            select(EventArea.kelurahan_code, EventArea.how).where(EventArea.event_id == event.id)
        ).all()
    )
    codes = set(how) | set(kaji) | set(terdata.cells)
    if kelurahan_code:
        codes &= {kelurahan_code}
    parent = Area.__table__.alias("parent_area")
    names: dict[str, tuple[str, str]] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 900):
        chunk = ordered[start : start + 900]
        for code, name, kecamatan in db.session.execute(
            select(Area.code, Area.name, parent.c.name)
            .outerjoin(parent, parent.c.code == Area.parent_code)
            .where(Area.code.in_(chunk))
        ):
            names[code] = (name, kecamatan or "")
    rows = [
        KelurahanImpact(
            code=code,
            name=names.get(code, (code, ""))[0],
            kecamatan=names.get(code, ("", ""))[1],
            how=how.get(code),
            kaji_cepat=kaji.get(code, {}),
            terdata=terdata.cells.get(code, {}),
        )
        for code in ordered
    ]
    rows.sort(key=lambda r: (r.kecamatan, r.name, r.code))
    totals: dict[str, dict[str, int]] = {
        "kaji_cepat": defaultdict(int),
        "terdata": defaultdict(int),
    }
    for row in rows:
        for source in totals:
            for measure, value in row.figures(source).items():
                totals[source][measure] += value
    return ImpactMatrix(
        rows=rows,
        totals={source: dict(cells) for source, cells in totals.items()},
        unknown_age=terdata.unknown_age,
        persons_without_household=terdata.persons_without_household,
    )


def terdata_measures() -> list[str]:
    """Every cell the registry can fill, in matrix order (IMPACT_MEASURES plus the extras)."""
    measures = []
    for status in PEOPLE_STATUSES:
        for age in (*AGE_GROUPS, UNKNOWN_AGE):
            for sex in SEXES:
                measures.append(f"{status}.{age}.{sex}")
        measures.append(f"{status}.{INSTITUTION}")
    measures += [f"kk.{status}" for status in PEOPLE_STATUSES]
    measures.append("ibu_hamil")
    return measures
