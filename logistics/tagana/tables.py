"""The Tagana pages' CSV/XLSX exports: headers and rows of members, deployments, the roster
board, KSB, vehicles and the year figures."""

from collections.abc import Iterable, Iterator
from datetime import datetime

from flask import current_app

from logistics.areas import kab_kota as kab_kota_areas
from logistics.core.formatting import tanggal_jam
from logistics.core.wording import AREA_CODE_HEADER, AREA_HEADER
from logistics.events.models import Event
from logistics.tagana.board import BoardEntry
from logistics.tagana.deployments import PHASES, deployment_phase, person_days
from logistics.tagana.figures import YearFigures
from logistics.tagana.models import (
    LEVELS,
    PLACE_KINDS,
    Deployment,
    KampungSiagaBencana,
    TaganaMember,
    Vehicle,
)
from logistics.tagana.places import area_names, place_label, place_names
from logistics.tagana.vehicles import plates

MEMBER_HEADERS = [
    "NIA",
    "Nama",
    "Jenis kelamin",
    "Tingkat",
    "Kompetensi",
    "Telepon",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Nomor SK",
    "Tanggal SK",
    "Tanggal bergabung",
    "Jumlah pelatihan",
    "Aktif",
]
DEPLOYMENT_HEADERS = [
    "ID",
    "Kejadian",
    "NIA",
    "Nama",
    "Telepon",
    "Jenis tempat",
    "Tempat",
    "Peran",
    "Nomor surat tugas",
    "Mulai",
    "Selesai",
    "Check-in",
    "Check-out",
    "Status",
    "Kendaraan",
    "Hari-orang",
]
BOARD_HEADERS = [
    "Tempat",
    "Jenis tempat",
    "Nama",
    "NIA",
    "Telepon",
    "Peran",
    "Status",
    "Mulai",
    "Selesai",
    "Check-in",
    "Check-out",
    "Kendaraan",
    "Nomor surat tugas",
]
KSB_HEADERS = [
    "Nama KSB",
    AREA_CODE_HEADER,
    AREA_HEADER,
    "Tahun terbentuk",
    "Tahun pembinaan",
    "Nomor SK",
    "Kontak",
    "Telepon",
    "Lumbung sosial",
    "Kode gudang",
    "Aktif",
]
VEHICLE_HEADERS = ["Nomor polisi", "Jenis", "Unit pemegang", "Aktif"]


def _when(value: datetime | None) -> str:
    """A stored timestamp in office time, or empty."""
    return tanggal_jam(value, current_app.config["OFFICE_TIMEZONE"]) if value else ""


def member_rows(people: list[TaganaMember]) -> Iterator[list]:
    names = area_names(m.home_kelurahan_code for m in people)
    return (
        [
            m.nia,
            m.name,
            m.sex,
            LEVELS[m.level],
            ", ".join(c.name for c in m.competencies),
            m.phone,
            m.home_kelurahan_code or "",
            names.get(m.home_kelurahan_code or "", ""),
            m.decree_number,
            m.decree_date.isoformat() if m.decree_date else "",
            m.joined_on.isoformat() if m.joined_on else "",
            len(m.trainings),
            "ya" if m.active else "tidak",
        ]
        for m in people
    )


def deployment_rows(deployments: list[tuple[Deployment, Event]]) -> Iterator[list]:
    names = place_names(d for d, _e in deployments)
    vehicle_plates = plates()
    for d, event in deployments:
        yield [
            d.id,
            event.code,
            d.member.nia,
            d.member.name,
            d.member.phone,
            PLACE_KINDS[d.place_kind],
            place_label(d, names),
            d.role,
            d.letter_number,
            _when(d.starts_at),
            _when(d.ends_at),
            _when(d.checked_in_at),
            _when(d.checked_out_at),
            PHASES[deployment_phase(d)],
            vehicle_plates.get(d.vehicle_id, ""),
            person_days(d),
        ]


def board_table(entries: Iterable[BoardEntry]) -> tuple[list[str], Iterator[list]]:
    """The board's headers and rows by place and name; a provinsi office's are grouped by
    kab/kota (province-wide places last) and start with the kab/kota's name."""
    if not kab_kota_areas.by_kab_kota():
        ordered = sorted(entries, key=lambda e: (e.place_label, e.member.name))
        return BOARD_HEADERS, (_board_row(e) for e in ordered)
    names = kab_kota_areas.kab_kota_names()
    ordered = sorted(
        entries, key=lambda e: (not e.kab_kota, e.kab_kota, e.place_label, e.member.name)
    )
    rows = ([kab_kota_areas.kab_kota_label(e.kab_kota, names), *_board_row(e)] for e in ordered)
    return [kab_kota_areas.KAB_KOTA_HEADER, *BOARD_HEADERS], rows


def _board_row(e: BoardEntry) -> list:
    return [
        e.place_label,
        PLACE_KINDS[e.deployment.place_kind],
        e.member.name,
        e.member.nia,
        e.member.phone,
        e.deployment.role,
        e.phase_label,
        _when(e.deployment.starts_at),
        _when(e.deployment.ends_at),
        _when(e.deployment.checked_in_at),
        _when(e.deployment.checked_out_at),
        e.vehicle_plate,
        e.deployment.letter_number,
    ]


def ksb_rows(items: list[KampungSiagaBencana], names: dict, warehouses: dict) -> Iterator[list]:
    return (
        [
            k.name,
            k.kelurahan_code,
            names.get(k.kelurahan_code, ""),
            k.formed_year,
            ", ".join(str(y) for y in k.facilitation_years or []),
            k.decree_number,
            k.contact_name,
            k.contact_phone,
            warehouses[k.warehouse_id].name if k.warehouse_id in warehouses else "",
            warehouses[k.warehouse_id].code if k.warehouse_id in warehouses else "",
            "ya" if k.active else "tidak",
        ]
        for k in items
    )


def vehicle_rows(items: list[Vehicle]) -> Iterator[list]:
    return ([v.plate, v.kind, v.assigned_unit, "ya" if v.active else "tidak"] for v in items)


def figures_table(result: YearFigures, table: str) -> tuple[str, list[str], list[list]]:
    """(table name, headers, rows) of one table of the year figures: anggota, kejadian, or
    ringkasan (also for an unknown name)."""
    if table == "anggota":
        rows = [[r.label, r.men, r.women, r.total] for r in result.levels]
        rows.append(["Jumlah", result.men, result.women, result.members_total])
        return table, ["Tingkat", "Laki-laki", "Perempuan", "Jumlah"], rows
    if table == "kejadian":
        rows = [[e.code, e.title, e.deployments, e.members, e.person_days] for e in result.events]
        rows.append(["Jumlah", "", result.deployments, result.deployed_members, result.person_days])
        return table, ["Kode kejadian", "Kejadian", "Penugasan", "Anggota", "Hari-orang"], rows
    rows = [[label, value] for label, value in result.summary_rows()]
    return "ringkasan", ["Uraian", f"Tahun {result.year}"], rows
