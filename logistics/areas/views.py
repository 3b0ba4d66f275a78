"""Areas of the administrative spine: browse, export, load a boundary file in the background."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.browse import (
    all_rows,
    area_query,
    kecamatan_choices,
    page_of,
    recent_boundary_sets,
)
from logistics.areas.forms import BoundaryUploadForm
from logistics.areas.models import LEVEL_LABELS
from logistics.areas.services import parse_mapping, queue_boundary_load, upload_path
from logistics.core import jobs
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.exports import table_response
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


@bp.route("/")
@login_required
def index():
    level, query = area_query(
        request.args.get("tingkat", "kelurahan"),
        request.args.get("induk", "").strip(),
        request.args.get("q", "").strip(),
    )
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
            for a, parent_name, source in all_rows(query)
        )
        return table_response(f"wilayah-{level}", EXPORT_HEADERS, rows, fmt)
    page = max(1, request.args.get("hal", 1, type=int))
    total, rows = page_of(query, page, PAGE_SIZE)
    kecamatan = kecamatan_choices()
    sets = recent_boundary_sets(10)
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
        target = upload_path(current_app.config["INSTANCE_DIR"], upload.filename)
        upload.save(target)
        with transaction():
            record = queue_boundary_load(
                target, form.level.data, mapping, form.version.data or None, current_user.id
            )
        # Committed first: the job is on record even when the queue cannot take it now.
        with transaction():
            queued = jobs.submit(record)
        if not queued:
            flash(
                "Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning"
            )
        else:
            flash("Berkas diterima. Pemuatan berjalan di latar belakang.", "success")
        return redirect(url_for("jobs.detail", job_id=record.id))
    status = 422 if request.method == "POST" else 200
    return render_template("areas/load.html", form=form), status
