"""Tagana: shelters, members, deployments, Jakarta times, and member workbooks to import."""

import io
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from openpyxl import Workbook, load_workbook

from logistics.core.extensions import db
from logistics.shelters.models import Shelter
from logistics.tagana import deployments as deployment_service
from logistics.tagana import members as member_service
from logistics.tagana.imports import member_template
from tests.support.areas import label_point

JAKARTA = ZoneInfo("Asia/Jakarta")


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Jakarta wall-clock time as the stored naive UTC timestamp."""
    local = datetime(year, month, day, hour, minute, tzinfo=JAKARTA)
    return local.astimezone(UTC).replace(tzinfo=None)


def make_shelter(
    event, name: str, code: str = "32.75.01.1002", *, status: str = "buka", located: bool = True
) -> Shelter:
    """An open shelter at its kelurahan's label point (tagged to the event unless event=None)."""
    lat, lng = label_point(code) if located else (None, None)
    shelter = Shelter(
        event_id=event.id if event is not None else None,
        name=name,
        kind="gedung_sekolah",
        kelurahan_code=code,
        lat=lat,
        lng=lng,
        capacity=200,
        status=status,
    )
    db.session.add(shelter)
    db.session.commit()
    return shelter


def make_member(nia: str, name: str, competencies=("shelter",), **fields):
    fields.setdefault("sex", "L")
    fields.setdefault("level", "muda")
    fields.setdefault("home_kelurahan_code", "32.75.01.1001")
    member = member_service.create_member(
        nia=nia, name=name, competencies=list(competencies), **fields
    )
    db.session.commit()
    return member


# The office deploying (as a command or the demo would): services only read the role and id.
OFFICE = SimpleNamespace(id=None, role="operator")


def deploy(member, event, shelter, starts_at: datetime, ends_at: datetime | None = None, **fields):
    fields.setdefault("role", "Petugas shelter")
    fields.setdefault("letter_number", f"800/{member.nia}/Linjamsos")
    deployment = deployment_service.deploy_member(
        member_id=member.id,
        event_id=event.id,
        place_kind=fields.pop("place_kind", "shelter"),
        shelter_id=shelter.id if shelter is not None else None,
        starts_at=starts_at,
        ends_at=ends_at,
        actor=fields.pop("actor", OFFICE),
        **fields,
    )
    db.session.commit()
    return deployment


GOOD_ROWS = [
    # NIA, Nama, JK, lahir, telepon, kelurahan, tingkat, SK, tgl SK, bergabung, kompetensi, aktif
    [
        "3275-2019-001",
        "Budi Santoso",
        "L",
        datetime(1990, 4, 2),
        81234567890,  # Excel dropped the leading zero
        "32.75.01.1001",
        "Madya",
        "800/12/Dinsos",
        "15/03/2019",
        "2019-03-01",
        "dapur_umum, shelter",
        "ya",
    ],
    [
        "3275-2020-002",
        "Sari Wulandari",
        "P",
        None,
        "0813 1111 2222",
        "32.75.09.1002",
        "muda",
        None,
        None,
        None,
        "Dukungan psikososial",
        None,
    ],
    [
        3275202100,  # a numeric NIA cell
        "Joko Prasetyo",
        "l",
        None,
        None,
        None,
        "Task Force",
        None,
        None,
        None,
        None,
        "tidak",
    ],
]


def workbook_bytes(member_rows, training_rows=None, *, from_template=True) -> bytes:
    if from_template:
        book = load_workbook(io.BytesIO(member_template()))
    else:
        book = Workbook()
        book.active.title = "Anggota"
        book.active.append(["NIA", "Nama", "Jenis kelamin", "Tingkat"])
        book.create_sheet("Pelatihan").append(["NIA", "Nama pelatihan", "Tanggal mulai"])
    for row in member_rows:
        book["Anggota"].append(row)
    for row in training_rows or []:
        book["Pelatihan"].append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
