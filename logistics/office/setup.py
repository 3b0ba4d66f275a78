"""First-run setup of an empty office: profile, first admin, boundary preview and load."""

import json
import secrets
import shutil
from pathlib import Path

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from logistics.admin.models import User
from logistics.admin.users import create_user
from logistics.areas.services import invalidate_index, load_boundary_file, summarize
from logistics.core.audit import record_action
from logistics.core.errors import Conflict, DomainError
from logistics.core.extensions import db
from logistics.office.models import OfficeProfile
from logistics.office.services import check_area, check_logo, check_signatories, save_profile

MIN_PASSWORD_LENGTH = 10
DRAFT_FILE = "draft.json"


def setup_needed() -> bool:
    """True while the instance has neither a user nor an office profile."""
    users = db.session.scalar(select(func.count()).select_from(User))
    return not users and not db.session.scalar(select(func.count()).select_from(OfficeProfile))


def refuse_when_set_up() -> None:
    if not setup_needed():
        raise Conflict(
            "Posko ini sudah disiapkan (sudah ada akun pengguna atau profil kantor). "
            "Ubah profil lewat Admin > Profil kantor."
        )


def check_admin_password(username: str, password: str, confirm: str, office_name: str) -> None:
    """Strength rules for the first admin: 10+ characters that are not easy to guess."""
    from zxcvbn import zxcvbn

    if password != confirm:
        raise DomainError("Ulangi kata sandi yang sama di kedua kolom.", field="password_confirm")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            f"Kata sandi admin minimal {MIN_PASSWORD_LENGTH} karakter.", field="password"
        )
    hints = [username, *office_name.split(), "posko", "dinsos", "dinas", "sosial"]
    if zxcvbn(password[:100], user_inputs=hints)["score"] < 3:
        raise DomainError(
            "Kata sandi terlalu mudah ditebak. Pakai gabungan beberapa kata yang tidak umum, "
            "angka dan tanda baca, dan jangan memakai nama pengguna atau nama kantor.",
            field="password",
        )


def check_draft(values: dict, signatories: list[dict], admin: dict) -> None:
    """Every check of the setup that writes nothing: office, signatories, admin account."""
    refuse_when_set_up()
    if len((values.get("name") or "").strip()) < 5:
        raise DomainError(
            "Nama kantor wajib diisi, mis. Dinas Sosial Kabupaten Serang.", field="name"
        )
    check_area(values.get("level") or "", values.get("area_code") or "")
    check_signatories(signatories)
    check_admin_password(
        admin.get("username") or "",
        admin.get("password") or "",
        admin.get("password_confirm") or "",
        values.get("name") or "",
    )


def preview_boundaries(path: str | Path, office_code: str) -> dict:
    """What loading the file would do, with a map of its areas; nothing is kept.

    The file goes through the real load inside a savepoint that is then rolled back, so the
    preview reports exactly what the load will (checks, counts, repairs).
    """
    from logistics.areas.maps import session_map

    savepoint = db.session.begin_nested()
    try:
        result = load_boundary_file(path, version="Penyiapan kantor", office_code=office_code)
        rendered = session_map()
    finally:
        savepoint.rollback()
        invalidate_index()
    return {
        "features": result["features"],
        "stats": result["stats"],
        "summary": summarize(result["stats"]),
        "map": rendered,
    }


def run_setup(
    values: dict,
    signatories: list[dict],
    admin: dict,
    instance_dir: str,
    logo: tuple[str, bytes] | None = None,
    boundaries: str | Path | None = None,
) -> dict:
    """Set up an empty office in one unit of work: profile, first admin, boundaries.

    `admin` has username, full_name and either password (checked for strength here) or
    password_hash (a draft already checked). Raises DomainError/Conflict and writes nothing
    when any part is refused or the office is already set up.
    """
    refuse_when_set_up()
    if "password_hash" not in admin:
        check_admin_password(
            admin.get("username") or "",
            admin.get("password") or "",
            admin.get("password_confirm", admin.get("password")) or "",
            values.get("name") or "",
        )
    if logo:
        check_logo(*logo)
    profile = save_profile(values, signatories, logo, instance_dir)
    # create_user checks the name; a draft's password was checked (and hashed) on its first step.
    user = create_user(
        admin.get("username") or "",
        admin.get("password") or secrets.token_urlsafe(16),
        "admin",
        admin.get("full_name") or "",
    )
    if "password_hash" in admin:
        user.password_hash = admin["password_hash"]
    loaded = None
    if boundaries:
        loaded = load_boundary_file(
            boundaries, version="Penyiapan kantor", office_code=profile.area_code
        )
    db.session.flush()
    record_action("office_setup", "office_profile", profile.id, {"admin": user.username})
    return {"profile": profile, "user": user, "boundaries": loaded}


# --- the browser wizard's draft --------------------------------------------------------------
# Between the wizard's steps the checked answers wait in the instance folder (never in the
# cookie, which is signed but readable): the admin's password only as a hash.


def draft_dir(instance_dir: str) -> Path:
    return Path(instance_dir) / "uploads" / "setup"


def save_draft(instance_dir: str, values: dict, signatories: list[dict], admin: dict, logo) -> str:
    """Keep a checked first step; returns the token the browser's session holds."""
    folder = draft_dir(instance_dir)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    token = secrets.token_urlsafe(24)
    logo_name = None
    if logo:
        logo_name = "logo." + check_logo(*logo)
        (folder / logo_name).write_bytes(logo[1])
    draft = {
        "token": token,
        "values": values,
        "signatories": signatories,
        "admin": {
            "username": admin["username"],
            "full_name": admin.get("full_name", ""),
            "password_hash": generate_password_hash(admin["password"]),
        },
        "logo": logo_name,
        "boundaries": None,
    }
    (folder / DRAFT_FILE).write_text(json.dumps(draft), encoding="utf-8")
    return token


def load_draft(instance_dir: str, token: str | None) -> dict | None:
    path = draft_dir(instance_dir) / DRAFT_FILE
    if not token or not path.is_file():
        return None
    draft = json.loads(path.read_text(encoding="utf-8"))
    return draft if secrets.compare_digest(draft["token"], token) else None


def boundary_upload_path(instance_dir: str, draft: dict, filename: str | None) -> Path:
    """Where the uploaded boundary file waits beside the draft (recorded in it)."""
    from werkzeug.utils import secure_filename

    folder = draft_dir(instance_dir)
    for old in folder.glob("batas-*"):
        old.unlink()
    path = folder / f"batas-{secure_filename(filename or '') or 'batas.geojson'}"
    draft["boundaries"] = path.name
    (folder / DRAFT_FILE).write_text(json.dumps(draft), encoding="utf-8")
    return path


def drop_boundaries(instance_dir: str, draft: dict) -> None:
    """Forget a refused boundary file: the setup goes on without one until another is chosen."""
    folder = draft_dir(instance_dir)
    for old in folder.glob("batas-*"):
        old.unlink()
    draft["boundaries"] = None
    (folder / DRAFT_FILE).write_text(json.dumps(draft), encoding="utf-8")


def finish_draft(instance_dir: str, draft: dict) -> dict:
    """Run the setup from a draft; the draft folder is removed once the caller commits."""
    folder = draft_dir(instance_dir)
    logo = None
    if draft.get("logo"):
        logo = (draft["logo"], (folder / draft["logo"]).read_bytes())
    boundaries = folder / draft["boundaries"] if draft.get("boundaries") else None
    return run_setup(
        draft["values"], draft["signatories"], draft["admin"], instance_dir, logo, boundaries
    )


def discard_draft(instance_dir: str) -> None:
    shutil.rmtree(draft_dir(instance_dir), ignore_errors=True)
