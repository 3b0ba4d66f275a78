"""Areas of the administrative spine: browse, export, load a boundary file in the background."""

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from werkzeug.utils import secure_filename

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.forms import BoundaryUploadForm
from logistics.areas.models import LEVEL_LABELS, LEVELS, Area, BoundarySet
from logistics.core import jobs
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
from logistics.core.extensions import db
from logistics.core.queue import LOAD_BOUNDARIES
from logistics.core.security import roles_required

bp = Blueprint("wilayah", __name__, url_prefix="/wilayah")
PAGE_SIZE = 50
EXPORT_HEADERS = [
    "Kode",
    "Nama",
    "Jenis",
    "Tingkat",
    "Kode induk",
    "Induk",
    "Luas (km2)",
    "Lintang",
    "Bujur",
    "Perkiraan",
    "Sumber",
]


def _filtered():
    level = request.args.get("tingkat", "kelurahan")
    if level not in LEVELS:
        level = "kelurahan"
    parent = Area.__table__.alias("parent_area")
    query = (
        select(Area, parent.c.name.label("parent_name"), BoundarySet.source_name)
        .outerjoin(parent, parent.c.code == Area.parent_code)
        .outerjoin(BoundarySet, BoundarySet.id == Area.boundary_set_id)
        .where(Area.level == level)
    )
    parent_code = request.args.get("induk", "").strip()
    if parent_code:
        query = query.where(
            or_(Area.parent_code == parent_code, Area.code.startswith(parent_code + "."))
        )
    text = request.args.get("q", "").strip()
    if text:
        query = query.where(or_(Area.name.ilike(f"%{text}%"), Area.code.startswith(text)))
    return level, query.order_by(Area.code)


@bp.route("/")
@login_required
def index():
    level, query = _filtered()
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        rows = (
            [
                a.code,
                a.name,
                a.kind,
                a.level_label,
                a.parent_code or "",
                parent_name or "",
                a.area_km2,
                a.label_lat,
                a.label_lng,
                "ya" if a.approximate else "tidak",
                source or "",
            ]
            for a, parent_name, source in db.session.execute(query)
        )
        return table_response(f"wilayah-{level}", EXPORT_HEADERS, rows, fmt)
    page = max(1, request.args.get("hal", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    kecamatan = db.session.execute(
        select(Area.code, Area.name).where(Area.level == "kecamatan").order_by(Area.name)
    ).all()
    sets = db.session.scalars(select(BoundarySet).order_by(BoundarySet.id.desc()).limit(10)).all()
    return render_template(
        "areas/index.html",
        rows=rows,
        level=level,
        levels=LEVEL_LABELS,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        kecamatan=kecamatan,
        boundary_sets=sets,
    )


def parse_mapping(text: str | None) -> dict | None:
    """'code=KODE, name=NAMA' -> {'code': 'KODE', 'name': 'NAMA'}."""
    if not text or not text.strip():
        return None
    mapping = {}
    for part in text.split(","):
        if "=" not in part:
            raise DomainError(
                f"Pemetaan '{part.strip()}' harus berbentuk kolom_kita=KOLOM_BERKAS.",
                field="mapping",
            )
        ours, theirs = (s.strip() for s in part.split("=", 1))
        if not ours or not theirs:
            raise DomainError(f"Pemetaan '{part.strip()}' tidak lengkap.", field="mapping")
        mapping[ours] = theirs
    return mapping


@bp.route("/muat", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
def load():
    form = BoundaryUploadForm()
    if form.validate_on_submit():
        try:
            mapping = parse_mapping(form.mapping.data)
        except DomainError as exc:
            form.mapping.errors.append(exc.message)
            return render_template("areas/load.html", form=form), 422
        upload = form.file.data
        name = secure_filename(upload.filename or "batas.geojson") or "batas.geojson"
        folder = Path(current_app.config["INSTANCE_DIR"]) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix="batas-", dir=folder)) / name
        upload.save(target)
        record = jobs.create_job(
            LOAD_BOUNDARIES,
            f"Muat batas wilayah: {name}",
            {
                "path": str(target),
                "level": form.level.data,
                "mapping": mapping,
                "version": form.version.data or None,
                "source_name": name,
            },
            current_user.id,
        )
        db.session.commit()
        if not jobs.submit(record):
            db.session.commit()
            flash(
                "Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning"
            )
        else:
            flash("Berkas diterima. Pemuatan berjalan di latar belakang.", "success")
        return redirect(url_for("jobs.detail", job_id=record.id))
    status = 422 if request.method == "POST" else 200
    return render_template("areas/load.html", form=form), status
