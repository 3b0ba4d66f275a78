"""Open data for partners: HXL-tagged figures per kelurahan, kecamatan, kab/kota; GeoJSON; no persons.

Every figure is a count. The registry is read with SQL aggregates (distinct persons, a merged
duplicate counting as the person it was merged into); nothing per person leaves this module.
Small cells: a sex or age split of 1 or 2 persons is left blank (None), the other half of a
female/male pair with it, and a kecamatan's (or kab/kota's) split whenever one of its kelurahan's
is blank, so no
published figure can be subtracted from another to single a person out.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely
from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from geo.maps import simplify_for_zoom, to_geojson
from logistics.areas.kab_kota import by_kab_kota, kab_kota_of
from logistics.areas.models import Area
from logistics.core.demography import CHILD_UNDER, ELDERLY_FROM
from logistics.core.errors import DomainError, NotFound
from logistics.core.extensions import db
from logistics.core.time import office_date
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.models import Event, EventArea, ImpactFigure
from logistics.shelters.models import SHELTER_KINDS, Shelter, ShelterCount
from logistics.spm.aggregates import KELURAHAN
from logistics.spm.models import SpmDaily, SpmMetRule
from logistics.victims.models import InstitutionVictim, Person, Victim

LEVELS = ("kelurahan", "kecamatan", "kab_kota")
LAYERS = (*LEVELS, "shelters")
# The adm column that names an area of each level (and groups the kelurahan below it).
LEVEL_KEYS = {"kelurahan": "adm4_code", "kecamatan": "adm3_code", "kab_kota": "adm2_code"}
KAB_KOTA_CODE_LENGTH = 5  # "17.02": Kemendagri codes are fixed width
SMALL_CELL = 3  # split counts below this are not published
# Outline tolerance in degrees by number of polygons (about 10 m, 50 m, 100 m).
SIMPLIFY_TOLERANCE = ((100, 0.0001), (300, 0.0005), (float("inf"), 0.001))
# A private house used as a shelter: no name, and its point only to about 100 m.
PRIVATE_SHELTER_KINDS = ("rumah_warga",)

MEASURES = ("affected", "inneed", "reached")
SPLITS = ("f", "m", "children", "elderly")
SPLIT_LABELS = {
    "f": ("perempuan", "female"),
    "m": ("laki-laki", "male"),
    "children": ("anak <18", "children <18"),
    "elderly": ("lansia 60+", "elderly 60+"),
}
MEASURE_LABELS = {
    "affected": ("Jiwa terdampak", "Affected persons", "#affected"),
    "inneed": ("Jiwa membutuhkan", "Persons in need", "#inneed"),
    "reached": ("Jiwa terlayani", "Persons reached", "#reached"),
}
SOURCE_LABELS = {
    "terdata": "terdata (registri korban)",
    "kaji_cepat": "perkiraan kaji cepat",
    "campuran": "terdata + perkiraan kaji cepat",
    "": "belum ada angka",
}
NOTES = (
    "Tanpa data pribadi: hanya jumlah jiwa, tanpa nama, NIK, nomor KK atau alamat. Rincian "
    "jenis kelamin dan umur di bawah 3 jiwa dikosongkan (beserta pasangannya perempuan/laki-laki, "
    "dan pada kecamatan bila salah satu kelurahannya dikosongkan) agar tidak ada orang yang dapat "
    "dikenali. Terdampak: semua status korban; membutuhkan: status yang menurut pengaturan SPM "
    "membutuhkan layanan; sasaran (#targeted): kebutuhan SPM terbesar per komponen pada hari "
    "terakhir yang dihitung, termasuk hitungan kepala di pengungsian; terlayani: orang berbeda yang "
    "menerima penyaluran. Kelurahan tanpa registri memakai perkiraan kaji cepat."
)


@dataclass(frozen=True)
class Scope:
    """One event, or every event of a fiscal year."""

    event_ids: tuple[int, ...]
    label: str  # event code or the year
    kind: str  # "event" | "year"
    ages_on: dict[int, date]  # per event: the day ages are counted on (its first day)


def rate_limit() -> str:
    """Public downloads are limited per client address (POSKO_OPEN_DATA_RATE_LIMIT)."""
    return current_app.config["OPEN_DATA_RATE_LIMIT"]


def event_scope(event_id: int) -> Scope:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(f"Kejadian {event_id} tidak ditemukan.")
    return Scope((event.id,), event.code, "event", {event.id: office_date(event.started_at)})


def year_scope(year: int) -> Scope:
    events = db.session.execute(select(Event.id, Event.started_at).where(Event.year == year)).all()
    if not events:
        raise NotFound(f"Belum ada kejadian pada tahun {year}.")
    return Scope(
        tuple(e.id for e in events),
        str(year),
        "year",
        {e.id: office_date(e.started_at) for e in events},
    )


def check_level(level: str, allowed=LEVELS) -> str:
    if level not in allowed:
        raise NotFound(f"Tingkat '{level}' tidak dikenal; pilih salah satu: {', '.join(allowed)}.")
    return level


def published_events() -> list[Event]:
    """Events with anything to publish (registry, rapid assessment or affected areas), newest first."""
    ids = (
        select(Victim.event_id)
        .union(select(ImpactFigure.event_id), select(EventArea.event_id))
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Event).where(Event.id.in_(select(ids.c[0]))).order_by(Event.started_at.desc())
        )
    )


def published_years() -> list[int]:
    return sorted({e.year for e in published_events()}, reverse=True)


# --- counting ---------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _age_cutoffs(scope: Scope, event_column):
    """SQL for the per-event birth-date limits: born after -> child, born on or before -> elderly."""
    child = {e: _years_before(d, CHILD_UNDER) for e, d in scope.ages_on.items()}
    elderly = {e: _years_before(d, ELDERLY_FROM) for e, d in scope.ages_on.items()}
    if len(child) == 1:
        (only,) = child
        return child[only], elderly[only]
    return case(child, value=event_column), case(elderly, value=event_column)


def offered_levels() -> tuple[str, ...]:
    """The levels listed for download: kab/kota for a provinsi office only (a kab/kota office
    would publish one row). Every level is still served when asked for."""
    return LEVELS if by_kab_kota() else LEVELS[:2]


def offered_layers() -> tuple[str, ...]:
    return (*offered_levels(), "shelters")


def _key(column, level: str):
    """(key expression, joins) that put a kelurahan code column at the wanted level."""
    if level == "kelurahan":
        return column, None
    if level == "kab_kota":
        return func.substr(column, 1, KAB_KOTA_CODE_LENGTH), None
    area = aliased(Area)
    return area.parent_code, (area, area.code == column)


def _split_columns(pid, sex, birth, child_cut, elderly_cut, condition=None):
    def distinct(extra):
        when = extra if condition is None else (condition & extra)
        return func.count(func.distinct(case((when, pid))))

    total = (
        func.count(func.distinct(pid))
        if condition is None
        else func.count(func.distinct(case((condition, pid))))
    )
    return [
        total,
        distinct(sex == "P"),
        distinct(sex == "L"),
        distinct(birth > child_cut),
        distinct(birth <= elderly_cut),
    ]


def _registry(scope: Scope, level: str, need_statuses: list[str]) -> dict:
    pid = func.coalesce(Person.merged_into_id, Person.id)
    key, join = _key(Victim.kelurahan_code, level)
    child_cut, elderly_cut = _age_cutoffs(scope, Victim.event_id)
    query = select(
        key,
        *_split_columns(pid, Person.sex, Person.birth_date, child_cut, elderly_cut),
        func.count(func.distinct(case((Victim.status == "mengungsi", pid)))),
        *_split_columns(
            pid,
            Person.sex,
            Person.birth_date,
            child_cut,
            elderly_cut,
            Victim.status.in_(need_statuses or ["-"]),
        ),
    ).join(Person, Person.id == Victim.person_id)
    if join is not None:
        query = query.join(*join)
    query = query.where(Victim.event_id.in_(scope.event_ids)).group_by(key)
    figures = {}
    for code, *values in db.session.execute(query):
        figures[code] = {
            "affected": values[0:5],
            "displaced": values[5],
            "inneed": values[6:11],
        }
    return figures


def _reached(scope: Scope, level: str) -> dict:
    pid = func.coalesce(Person.merged_into_id, Person.id)
    key, join = _key(Distribution.kelurahan_code, level)
    child_cut, elderly_cut = _age_cutoffs(scope, Distribution.event_id)
    query = (
        select(key, *_split_columns(pid, Person.sex, Person.birth_date, child_cut, elderly_cut))
        .select_from(DistributionRecipient)
        .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
        .join(Person, Person.id == DistributionRecipient.person_id)
    )
    if join is not None:
        query = query.join(*join)
    query = query.where(Distribution.event_id.in_(scope.event_ids)).group_by(key)
    return {code: list(values) for code, *values in db.session.execute(query)}


def _registered(scope: Scope) -> set[tuple[int, str]]:
    return set(
        db.session.execute(
            select(Victim.event_id, Victim.kelurahan_code)
            .where(Victim.event_id.in_(scope.event_ids))
            .group_by(Victim.event_id, Victim.kelurahan_code)
        ).all()
    )


def _estimates(scope: Scope, registered, need_statuses) -> dict[tuple[int, str], dict]:
    """Rapid-assessment persons of (event, kelurahan) pairs nobody is registered in yet."""
    found: dict[tuple[int, str], dict] = {}
    for event_id, code, measure, value in db.session.execute(
        select(
            ImpactFigure.event_id,
            ImpactFigure.kelurahan_code,
            ImpactFigure.measure,
            ImpactFigure.value,
        ).where(ImpactFigure.source == "kaji_cepat", ImpactFigure.event_id.in_(scope.event_ids))
    ):
        parts = measure.split(".")
        if (event_id, code) in registered or len(parts) != 3:
            continue
        status, age, sex = parts
        entry = found.setdefault(
            (event_id, code), {"affected": [0] * 5, "inneed": [0] * 5, "displaced": 0}
        )
        targets = ["affected"] + (["inneed"] if status in need_statuses else [])
        for measure_name in targets:
            cells = entry[measure_name]
            cells[0] += value
            cells[1 if sex == "P" else 2] += value
            if age == "anak":
                cells[3] += value
            elif age == "lansia":
                cells[4] += value
        if status == "mengungsi":
            entry["displaced"] += value
    return found


def _institutions(scope: Scope, skip) -> dict[tuple[int, str], tuple[int, int]]:
    """Institution headcounts (affected, displaced) per (event, kelurahan) using the registry."""
    found: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for event_id, code, status, headcount in db.session.execute(
        select(
            InstitutionVictim.event_id,
            InstitutionVictim.kelurahan_code,
            InstitutionVictim.status,
            func.sum(InstitutionVictim.headcount),
        )
        .where(InstitutionVictim.event_id.in_(scope.event_ids))
        .group_by(
            InstitutionVictim.event_id, InstitutionVictim.kelurahan_code, InstitutionVictim.status
        )
    ):
        if (event_id, code) in skip:
            continue
        found[(event_id, code)][0] += int(headcount or 0)
        if status == "mengungsi":
            found[(event_id, code)][1] += int(headcount or 0)
    return {k: (v[0], v[1]) for k, v in found.items()}


def _targeted(scope: Scope) -> dict[str, int]:
    """Per kelurahan: the largest component's needing figure on each event's latest SPM day."""
    latest = (
        select(SpmDaily.event_id, func.max(SpmDaily.day).label("day"))
        .where(SpmDaily.event_id.in_(scope.event_ids))
        .group_by(SpmDaily.event_id)
        .subquery()
    )
    per_event = db.session.execute(
        select(SpmDaily.kelurahan_code, func.max(SpmDaily.persons_needing))
        .join(latest, (latest.c.event_id == SpmDaily.event_id) & (latest.c.day == SpmDaily.day))
        .where(SpmDaily.shelter_key == KELURAHAN)
        .group_by(SpmDaily.event_id, SpmDaily.kelurahan_code)
    )
    totals: dict[str, int] = defaultdict(int)
    for code, persons in per_event:
        totals[code] += int(persons or 0)
    return dict(totals)


def _chain(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def _names(codes) -> dict[str, str]:
    wanted = sorted({c for code in codes for c in _chain(code)})
    names = {}
    for start in range(0, len(wanted), 900):
        names.update(
            db.session.execute(
                select(Area.code, Area.name).where(Area.code.in_(wanted[start : start + 900]))
            ).all()
        )
    return names


def _kelurahan_of(scope: Scope) -> set[str]:
    codes = set(
        db.session.scalars(
            select(EventArea.kelurahan_code).where(EventArea.event_id.in_(scope.event_ids))
        )
    )
    for model, column in (
        (Victim, Victim.kelurahan_code),
        (ImpactFigure, ImpactFigure.kelurahan_code),
        (Distribution, Distribution.kelurahan_code),
        (InstitutionVictim, InstitutionVictim.kelurahan_code),
    ):
        codes |= set(
            db.session.scalars(select(column).where(model.event_id.in_(scope.event_ids)).distinct())
        )
    return codes


def _empty() -> dict:
    return {
        "affected": [0] * 5,
        "inneed": [0] * 5,
        "reached": [0] * 5,
        "displaced": 0,
        "targeted": None,
        "sources": set(),
    }


def _raw_figures(scope: Scope, level: str) -> dict[str, dict]:
    """{area code at the level: unsuppressed figures}."""
    rules = db.session.execute(select(SpmMetRule.status).distinct()).scalars().all()
    need_statuses = sorted(rules)
    kelurahan_codes = _kelurahan_of(scope)
    names = dict(
        db.session.execute(
            select(Area.code, Area.parent_code).where(Area.code.in_(kelurahan_codes))
        ).all()
    )

    def up(code: str) -> str:
        if level == "kab_kota":
            return kab_kota_of(code)
        return code if level == "kelurahan" else (names.get(code) or code.rsplit(".", 1)[0])

    figures: dict[str, dict] = {up(c): _empty() for c in kelurahan_codes}
    for code, values in _registry(scope, level, need_statuses).items():
        row = figures.setdefault(code, _empty())
        row["affected"], row["inneed"] = list(values["affected"]), list(values["inneed"])
        row["displaced"] = values["displaced"]
        row["sources"].add("terdata")
    registered = _registered(scope)
    estimates = _estimates(scope, registered, set(need_statuses))
    for (_event_id, code), values in estimates.items():
        row = figures.setdefault(up(code), _empty())
        for name in ("affected", "inneed"):
            row[name] = [a + b for a, b in zip(row[name], values[name], strict=True)]
        row["displaced"] += values["displaced"]
        row["sources"].add("kaji_cepat")
    for (_event_id, code), (affected, displaced) in _institutions(scope, estimates).items():
        row = figures.setdefault(up(code), _empty())
        # A group counted by headcount has no sex or age split.
        row["affected"][0] += affected
        row["displaced"] += displaced
        row["sources"].add("terdata")
    for code, values in _reached(scope, level).items():
        figures.setdefault(code, _empty())["reached"] = list(values)
    for code, persons in _targeted(scope).items():
        row = figures.setdefault(up(code), _empty())
        row["targeted"] = (row["targeted"] or 0) + persons
    return figures


def _suppress(cells: list[int], forced: set[str]) -> list[int | None]:
    """The total as is; splits of 1-2 persons blank, and the f/m pair together."""
    total, *splits = cells
    shown: dict[str, int | None] = {
        name: (None if 0 < value < SMALL_CELL or name in forced else value)
        for name, value in zip(SPLITS, splits, strict=True)
    }
    if (shown["f"] is None) != (shown["m"] is None):
        shown["f"] = shown["m"] = None
    return [total, *(shown[name] for name in SPLITS)]


def figures(scope: Scope, level: str) -> list[dict]:
    """Rows of published figures per area of the level, sorted by code; splits may be None."""
    check_level(level)
    raw = _raw_figures(scope, level)
    # A kecamatan or kab/kota hides every split that one of its kelurahan hides (no
    # subtracting).
    forced: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if level != "kelurahan":
        for row in figures(scope, "kelurahan"):
            for measure in MEASURES:
                for split in SPLITS:
                    if row[f"{measure}_{split}"] is None:
                        forced[row[LEVEL_KEYS[level]]][measure].add(split)
    names = _names(raw)
    rows = []
    for code in sorted(raw):
        values = raw[code]
        row = _admin_columns(code, level, names)
        row["scope"] = scope.label
        for measure in MEASURES:
            shown = _suppress(values[measure], forced[code][measure])
            row[measure] = shown[0]
            for split, value in zip(SPLITS, shown[1:], strict=True):
                row[f"{measure}_{split}"] = value
        row["displaced"] = values["displaced"]
        row["targeted"] = values["targeted"]
        sources = values["sources"]
        row["source"] = "campuran" if len(sources) > 1 else next(iter(sources), "")
        hidden = [
            k for k, v in row.items() if k.endswith(tuple(f"_{s}" for s in SPLITS)) and v is None
        ]
        row["notes"] = "rincian < 3 jiwa dikosongkan" if hidden else ""
        rows.append(row)
    return rows


def _admin_columns(code: str, level: str, names: dict[str, str]) -> dict:
    """adm1-adm4 codes (Kemendagri, as written) and names from the area spine."""
    chain = _chain(code)
    row = {}
    for n in range(1, 5):
        the_code = chain[n - 1] if n <= len(chain) else None
        row[f"adm{n}_code"] = the_code
        row[f"adm{n}_name"] = names.get(the_code, "") if the_code else None
    for n in range({"kecamatan": 4, "kab_kota": 3}.get(level, 5), 5):
        row.pop(f"adm{n}_code")
        row.pop(f"adm{n}_name")
    return row


# --- CSV with the HXL row ---------------------------------------------------------------------


def columns(level: str, scope_kind: str) -> list[tuple[str, str, str]]:
    """(key, header label, HXL hashtag) of every column, in file order."""
    admin = [
        ("adm1", "Provinsi / Province"),
        ("adm2", "Kabupaten/Kota / District"),
        ("adm3", "Kecamatan / Sub-district"),
        ("adm4", "Kelurahan/Desa / Village"),
    ]
    if level != "kelurahan":
        admin = admin[: 3 if level == "kecamatan" else 2]
    result = [
        ("scope", "Kode kejadian / Event code", "#event+code")
        if scope_kind == "event"
        else ("scope", "Tahun / Year", "#date+year")
    ]
    for key, label in admin:
        result.append((f"{key}_name", f"{label}", f"#{key}+name"))
        result.append(
            (
                f"{key}_code",
                f"Kode {label.split(' / ')[0].lower()} / {label.split(' / ')[1]} code",
                f"#{key}+code",
            )
        )
    for measure in MEASURES:
        indonesian, english, tag = MEASURE_LABELS[measure]
        result.append((measure, f"{indonesian} / {english}", tag))
        for split in SPLITS:
            split_id, split_en = SPLIT_LABELS[split]
            result.append(
                (
                    f"{measure}_{split}",
                    f"{indonesian} {split_id} / {english} {split_en}",
                    f"{tag}+{split}",
                )
            )
        if measure == "affected":
            result.append(
                ("displaced", "Jiwa mengungsi / Displaced persons", "#affected+displaced")
            )
        if measure == "inneed":
            result.append(("targeted", "Sasaran layanan SPM / Persons targeted", "#targeted"))
    result.append(("source", "Sumber angka / Source", "#meta+source"))
    result.append(("notes", "Catatan / Notes", "#meta+notes"))
    return result


def to_csv(scope: Scope, level: str) -> str:
    """The HXL-tagged CSV: labels, then hashtags, then one row per area."""
    rows = figures(scope, level)
    cols = columns(level, scope.kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for _key, label, _tag in cols])
    writer.writerow([tag for _key, _label, tag in cols])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else row[key] for key, _l, _t in cols])
    return buffer.getvalue()


def filename(scope: Scope, level: str, extension: str) -> str:
    return f"data-terbuka-{scope.label.lower()}-{level}.{extension}"


# --- GeoJSON ----------------------------------------------------------------------------------


def _geometries(codes: list[str]) -> dict[str, shapely.Geometry]:
    found = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        for code, wkb in db.session.execute(
            select(Area.code, Area.geometry_wkb).where(
                Area.code.in_(chunk), Area.geometry_wkb.is_not(None)
            )
        ):
            found[code] = shapely.from_wkb(wkb)
    return found


def _kecamatan_geometries(codes: list[str]) -> dict[str, shapely.Geometry]:
    found = _geometries(codes)
    missing = [c for c in codes if c not in found]
    if missing:
        # No kecamatan outline stored: the union of its kelurahan.
        children = db.session.execute(
            select(Area.parent_code, Area.geometry_wkb).where(
                Area.parent_code.in_(missing), Area.geometry_wkb.is_not(None)
            )
        ).all()
        parts: dict[str, list] = defaultdict(list)
        for parent, wkb in children:
            parts[parent].append(shapely.from_wkb(wkb))
        for parent, shapes in parts.items():
            found[parent] = shapely.union_all(shapes)
    return found


def _kab_kota_geometries(codes: list[str]) -> dict[str, shapely.Geometry]:
    found = _geometries(codes)
    for code in (c for c in codes if c not in found):
        # No kab/kota outline stored: the union of its kelurahan.
        shapes = db.session.scalars(
            select(Area.geometry_wkb).where(
                Area.code.like(code + ".%"),
                Area.level == "kelurahan",
                Area.geometry_wkb.is_not(None),
            )
        )
        parts = [shapely.from_wkb(wkb) for wkb in shapes]
        if parts:
            found[code] = shapely.union_all(parts)
    return found


def geojson(scope: Scope, layer: str) -> dict:
    """A FeatureCollection: area polygons with the figures, or shelters as points."""
    check_level(layer, LAYERS)
    if layer == "shelters":
        return shelters_geojson(scope)
    rows = figures(scope, layer)
    key = LEVEL_KEYS[layer]
    codes = [r[key] for r in rows]
    outlines = {"kecamatan": _kecamatan_geometries, "kab_kota": _kab_kota_geometries}
    shapes = outlines.get(layer, _geometries)(codes)
    # Object columns: a blank (suppressed) cell must not turn the column's counts into floats.
    data = {"code": pd.Series(codes, dtype=object)}
    for name in rows[0] if rows else ():
        data[name] = pd.Series([r[name] for r in rows], dtype=object)
    frame = gpd.GeoDataFrame(data, geometry=[shapes.get(c) for c in codes], crs="EPSG:4326")
    tolerance = next(t for limit, t in SIMPLIFY_TOLERANCE if len(rows) <= limit)
    frame = simplify_for_zoom(frame, tolerance)
    collection = to_geojson(frame, [c for c in frame.columns if c not in ("code", "geometry")], 5)
    # Areas without an outline still carry their figures (a null geometry is valid GeoJSON).
    present = {f["id"] for f in collection["features"]}
    for row in rows:
        if row[key] not in present:
            collection["features"].append(
                {"type": "Feature", "id": row[key], "properties": row, "geometry": None}
            )
    collection["features"].sort(key=lambda f: f["id"])
    collection["name"] = f"{scope.label} {layer}"
    collection["notes"] = NOTES
    return collection


def shelters_geojson(scope: Scope) -> dict:
    """Shelters of the scope as points: kind, capacity, latest head count; no contacts."""
    latest = (
        select(ShelterCount.shelter_id, func.max(ShelterCount.counted_on).label("day"))
        .group_by(ShelterCount.shelter_id)
        .subquery()
    )
    kelurahan = aliased(Area)
    rows = db.session.execute(
        select(
            Shelter.id,
            Shelter.name,
            Shelter.kind,
            Shelter.status,
            Shelter.lat,
            Shelter.lng,
            Shelter.capacity,
            Shelter.has_dapur_umum,
            Shelter.toilets,
            Shelter.kelurahan_code,
            kelurahan.name.label("kelurahan_name"),
            kelurahan.parent_code.label("kecamatan_code"),
            ShelterCount.persons,
            ShelterCount.households,
            ShelterCount.counted_on,
        )
        .join(kelurahan, kelurahan.code == Shelter.kelurahan_code, isouter=True)
        .join(latest, latest.c.shelter_id == Shelter.id, isouter=True)
        .join(
            ShelterCount,
            (ShelterCount.shelter_id == Shelter.id) & (ShelterCount.counted_on == latest.c.day),
            isouter=True,
        )
        .where(
            Shelter.event_id.in_(scope.event_ids),
            Shelter.lat.is_not(None),
            Shelter.lng.is_not(None),
        )
        .order_by(Shelter.id)
    ).all()
    features = []
    for r in rows:
        private = r.kind in PRIVATE_SHELTER_KINDS
        digits = 3 if private else 5
        persons = r.persons or 0
        features.append(
            {
                "type": "Feature",
                "id": r.id,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(r.lng, digits), round(r.lat, digits)],
                },
                "properties": {
                    "name": SHELTER_KINDS[r.kind] if private else r.name,
                    "kind": r.kind,
                    "status": r.status,
                    "adm3_code": r.kecamatan_code,
                    "adm4_code": r.kelurahan_code,
                    "adm4_name": r.kelurahan_name,
                    "capacity": r.capacity,
                    "persons": persons,
                    "households": r.households or 0,
                    "occupancy_percent": round(persons * 100 / r.capacity, 1)
                    if r.capacity
                    else None,
                    "counted_on": r.counted_on.isoformat() if r.counted_on else None,
                    "dapur_umum": r.has_dapur_umum,
                    "toilets": r.toilets,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": f"{scope.label} shelters",
        "notes": NOTES,
        "features": features,
    }


def datasets(scope: Scope) -> list[dict]:
    """What is published for a scope: (kind, level/layer, file name) for the pages and the API."""
    items = [
        {"format": "csv", "level": level, "filename": filename(scope, level, "csv")}
        for level in offered_levels()
    ]
    items += [
        {"format": "geojson", "level": layer, "filename": filename(scope, layer, "geojson")}
        for layer in offered_layers()
    ]
    return items


def validate_year(value: int) -> int:
    if not 2000 <= value <= 2100:
        raise DomainError("Tahun harus antara 2000 dan 2100.", field="year")
    return value
