"""The office profile: check and save it, and put it into the app config every worker reads."""

import csv
import gzip
import io
import json
import re
import time
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from logistics.core.audit import record_action
from logistics.core.config import ROOT
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.lkip import LKIP_SERAPAN_PLACES, SERAPAN_ROUNDINGS
from logistics.core.time import utcnow
from logistics.core.wording import LEVELS
from logistics.office.models import SIGNATORY_ROLES, TIMEZONES, OfficeProfile, Signatory

PROVINSI_FILE = ROOT / "data" / "provinsi.csv"
KAB_KOTA_FILE = ROOT / "data" / "boundaries" / "indonesia_kab_kota.geojson.gz"
LOGO_TYPES = {"PNG": "png", "JPEG": "jpg"}
LOGO_MAX_BYTES = 1024 * 1024
NIP_RE = re.compile(r"^\d{18}$")
# The config keys a profile fills; an instance without one keeps the defaults (config.py).
PROFILE_KEYS = (
    "OFFICE_NAME",
    "OFFICE_LEVEL",
    "OFFICE_AREA_CODE",
    "OFFICE_AREA_NAME",
    "OFFICE_TIMEZONE",
    "OFFICE_ADDRESS",
    "OFFICE_PHONE",
    "OFFICE_EMAIL",
    "OFFICE_LOGO",
    "OFFICE_SIGNATORIES",
    "OFFICE_HEAD_TITLE",
    "OFFICE_SERAPAN_PLACES",
)
_STATE = "posko.office"


@cache
def reference_areas() -> dict[str, str]:
    """Kemendagri codes of every provinsi and kab/kota, with their names (from data/)."""
    with open(PROVINSI_FILE, newline="", encoding="utf-8") as fh:
        areas = {row["code"]: row["name"] for row in csv.DictReader(fh)}
    with gzip.open(KAB_KOTA_FILE, "rt", encoding="utf-8") as fh:
        for feature in json.load(fh)["features"]:
            areas[feature["properties"]["kode"]] = feature["properties"]["nama"]
    return areas


def check_area(level: str, code: str) -> str:
    """The name of the office's area; DomainError when the code does not fit the level or is unknown."""
    if level not in LEVELS:
        raise DomainError("Pilih tingkat kantor: kota, kabupaten atau provinsi.", field="level")
    code = (code or "").strip()
    pattern = r"^\d{2}$" if level == "provinsi" else r"^\d{2}\.\d{2}$"
    example = "36" if level == "provinsi" else "36.04"
    if not re.match(pattern, code):
        raise DomainError(
            f"Kode wilayah '{code}' salah format untuk kantor {level}; tulis seperti {example}.",
            field="area_code",
        )
    if level != "provinsi":
        is_kota = int(code[3:]) >= 71
        if is_kota != (level == "kota"):
            wanted = "71-99" if level == "kota" else "01-69"
            raise DomainError(
                f"Kode {code} bukan kode {level}: nomor {level} di Kemendagri adalah {wanted}.",
                field="area_code",
            )
    name = reference_areas().get(code)
    if name is None:
        raise DomainError(
            f"Kode wilayah {code} tidak ada dalam daftar Kemendagri. Periksa kode provinsi "
            "dan kabupaten/kota kantor Anda.",
            field="area_code",
        )
    return name


def check_nip(nip: str, label: str, field: str = "nip") -> str:
    """An 18-digit NIP whose birth date and appointment month are real dates."""
    nip = re.sub(r"\s+", "", nip or "")
    if not NIP_RE.match(nip):
        raise DomainError(f"NIP {label} harus 18 angka (tanpa spasi atau titik).", field=field)
    try:
        date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
        date(int(nip[8:12]), int(nip[12:14]), 1)
    except ValueError:
        raise DomainError(
            f"NIP {label} tidak sah: 8 angka pertama tanggal lahir (TTTTBBHH), "
            "6 berikutnya bulan pengangkatan (TTTTBB).",
            field=field,
        ) from None
    if nip[14] not in "12":
        raise DomainError(f"NIP {label} tidak sah: angka ke-15 harus 1 atau 2.", field=field)
    return nip


def check_signatories(rows: list[dict]) -> list[dict]:
    """Rows with a name need a NIP and a jabatan; the Kepala Dinas must be named."""
    clean = []
    for row in rows:
        role = row.get("role")
        if role not in SIGNATORY_ROLES:
            raise DomainError(f"Penanda tangan '{role}' tidak dikenal.", field="kepala_dinas_name")
        name = (row.get("name") or "").strip()
        label = SIGNATORY_ROLES[role]
        if not name:
            if role == "kepala_dinas":
                raise DomainError("Nama Kepala Dinas wajib diisi.", field="kepala_dinas_name")
            continue
        nip = check_nip(row.get("nip", ""), label, f"{role}_nip")
        position = (row.get("position") or "").strip() or label
        clean.append({"role": role, "name": name[:160], "nip": nip, "position": position[:200]})
    if not any(r["role"] == "kepala_dinas" for r in clean):
        raise DomainError("Nama Kepala Dinas wajib diisi.", field="kepala_dinas_name")
    return clean


def check_serapan_places(value) -> int:
    """How serapan is rounded before efisiensi: 0 (whole percent, the LKIP default) or 2."""
    if value is None or str(value).strip() == "":
        return LKIP_SERAPAN_PLACES
    try:
        places = int(str(value).strip())
    except ValueError:
        places = None
    if places not in SERAPAN_ROUNDINGS:
        raise DomainError(
            "Pilih pembulatan serapan: bulat (seperti LKIP) atau dua desimal.",
            field="serapan_places",
        )
    return places


def check_logo(filename: str, content: bytes) -> str:
    """The file extension of an uploaded logo; DomainError unless it is a PNG or JPEG under 1 MB."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > LOGO_MAX_BYTES:
        raise DomainError("Logo paling besar 1 MB; perkecil gambarnya.", field="logo")
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        kind = None
    if kind not in LOGO_TYPES:
        raise DomainError(f"Berkas logo '{filename}' bukan gambar PNG atau JPEG.", field="logo")
    return LOGO_TYPES[kind]


def current_profile() -> OfficeProfile | None:
    return db.session.scalar(select(OfficeProfile).order_by(OfficeProfile.id).limit(1))


def save_profile(
    values: dict, signatories: list[dict], logo: tuple[str, bytes] | None, instance_dir: str
) -> OfficeProfile:
    """Create or update the office profile; nothing is changed when any value is refused."""
    name = (values.get("name") or "").strip()
    if len(name) < 5:
        raise DomainError(
            "Nama kantor wajib diisi, mis. Dinas Sosial Kabupaten Serang.", field="name"
        )
    level = values.get("level") or ""
    area_name = check_area(level, values.get("area_code") or "")
    timezone = values.get("timezone") or ""
    if timezone not in TIMEZONES:
        raise DomainError("Pilih zona waktu: WIB, WITA atau WIT.", field="timezone")
    email = (values.get("email") or "").strip()
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise DomainError(f"Alamat surel '{email}' tidak sah.", field="email")
    rows = check_signatories(signatories)
    places = check_serapan_places(values.get("serapan_places"))
    extension = check_logo(logo[0], logo[1]) if logo else None

    profile = current_profile() or OfficeProfile(revision=0)
    profile.name = name[:160]
    profile.level = level
    profile.area_code = values["area_code"].strip()
    profile.area_name = area_name
    profile.timezone = timezone
    profile.address = (values.get("address") or "").strip()[:300]
    profile.phone = (values.get("phone") or "").strip()[:40]
    profile.email = email[:120]
    profile.serapan_places = places
    profile.revision = (profile.revision or 0) + 1
    profile.updated_at = utcnow()
    if extension:
        profile.logo_filename = _store_logo(logo[1], extension, profile.revision, instance_dir)
    kept = {s.role: s for s in profile.signatories}
    profile.signatories = []
    for order, row in enumerate(rows):
        signatory = kept.get(row["role"]) or Signatory(role=row["role"])
        for key in ("name", "nip", "position"):
            setattr(signatory, key, row[key])
        signatory.position_order = order
        profile.signatories.append(signatory)
    db.session.add(profile)
    db.session.flush()
    record_action(
        "office_profile_saved", "office_profile", profile.id, {"revision": profile.revision}
    )
    return profile


def _store_logo(content: bytes, extension: str, revision: int, instance_dir: str) -> str:
    """Write the logo under the instance's uploads; a new name per revision, so caches never lie."""
    folder = Path(instance_dir) / "uploads" / "office"
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"logo-{revision}.{extension}"
    (folder / filename).write_bytes(content)
    return filename


def logo_path(instance_dir: str, filename: str | None) -> Path | None:
    return Path(instance_dir) / "uploads" / "office" / filename if filename else None


def profile_config(profile: OfficeProfile, instance_dir: str) -> dict:
    """The config values of a saved profile (the keys in PROFILE_KEYS)."""
    signatories = [
        {"role": s.role, "name": s.name, "nip": s.nip, "position": s.position}
        for s in profile.signatories
    ]
    head = next((s for s in signatories if s["role"] == "kepala_dinas"), None)
    logo = logo_path(instance_dir, profile.logo_filename)
    return {
        "OFFICE_NAME": profile.name,
        "OFFICE_LEVEL": profile.level,
        "OFFICE_AREA_CODE": profile.area_code,
        "OFFICE_AREA_NAME": profile.area_name,
        "OFFICE_TIMEZONE": profile.timezone,
        "OFFICE_ADDRESS": profile.address,
        "OFFICE_PHONE": profile.phone,
        "OFFICE_EMAIL": profile.email,
        "OFFICE_LOGO": str(logo) if logo else None,
        "OFFICE_SIGNATORIES": signatories,
        "OFFICE_HEAD_TITLE": head["position"] if head else None,
        "OFFICE_SERAPAN_PLACES": profile.serapan_places or 0,
    }


def refresh_office_config(app, force: bool = False) -> None:
    """Put the saved profile into `app.config` when it changed since this worker last looked.

    Called before every request and job: one indexed one-row query at most once per
    OFFICE_CHECK_SECONDS, so a profile saved in one gunicorn worker reaches all of them.
    """
    state = app.extensions.setdefault(
        _STATE,
        {
            "checked": 0.0,
            "revision": None,
            "defaults": {k: app.config.get(k) for k in PROFILE_KEYS},
        },
    )
    now = time.monotonic()
    if not force and now - state["checked"] < app.config.get("OFFICE_CHECK_SECONDS", 2):
        return
    state["checked"] = now
    try:
        row = db.session.execute(
            select(OfficeProfile.id, OfficeProfile.revision).order_by(OfficeProfile.id).limit(1)
        ).first()
    except SQLAlchemyError:
        # No table yet (before `flask db upgrade`): the defaults stand.
        db.session.rollback()
        return
    revision = (row.id, row.revision) if row else None
    if revision == state["revision"] and not force:
        return
    values = (
        profile_config(db.session.get(OfficeProfile, row.id), app.config["INSTANCE_DIR"])
        if row
        else state["defaults"]
    )
    app.config.update(values)
    state["revision"] = revision
