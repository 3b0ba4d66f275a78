"""Kota Bekasi's kelurahan the tests use, and where their label points are."""

from sqlalchemy import select

from logistics.areas.models import Area
from logistics.core.extensions import db

BEKASIJAYA = "32.75.01.1001"
MARGAHAYU = "32.75.01.1002"


def label_point(code: str) -> tuple[float, float]:
    area = db.session.scalar(select(Area).where(Area.code == code))
    return area.label_lat, area.label_lng


def spine_rows(path) -> list[dict]:
    """Area rows (provinsi, kab/kota, kecamatan, desa; parents first, no geometry) from the
    attributes of a boundary file of the repository: enough for the area search, and quick."""
    import gzip
    import json
    import re

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        text = fh.read()
    # Only the flat attribute objects are parsed: the coordinates are most of the file.
    found = re.finditer(r'"properties"\s*:\s*(\{[^{}]*\})', text)
    levels: dict[str, dict] = {"provinsi": {}, "kab_kota": {}, "kecamatan": {}, "kelurahan": {}}
    for match in found:
        p = json.loads(match.group(1))
        prov = p["kode"][:2]
        kab_kind = "kota" if p["kab_kota"].lower().startswith("kota") else "kabupaten"
        levels["provinsi"][prov] = ("provinsi", f"Provinsi {prov}", None)
        levels["kab_kota"][p["kode_kab"]] = (kab_kind, p["kab_kota"], prov)
        levels["kecamatan"][p["kode_kec"]] = ("kecamatan", p["kecamatan"], p["kode_kab"])
        levels["kelurahan"][p["kode"]] = (p["jenis"], p["nama"], p["kode_kec"])
    return [
        {"code": code, "level": level, "kind": kind, "name": name, "parent_code": parent}
        for level, areas in levels.items()
        for code, (kind, name, parent) in sorted(areas.items())
    ]


def insert_spine(rows: list[dict]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Area), rows[start : start + 2000])
    db.session.commit()
