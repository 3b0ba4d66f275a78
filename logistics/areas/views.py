"""Areas of the administrative spine: browse, export, load a boundary file in the background."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES
from logistics.areas import imports
from logistics.areas.browse import (
    all_rows,
    area_query,
    page_of,
)
from logistics.areas.forms import BoundaryUploadForm
from logistics.areas.maps import preview_map
from logistics.areas.models import LEVEL_LABELS
from logistics.areas.search import DEFAULT_LIMIT, picker_data, search_areas
from logistics.areas.services import parse_mapping, preview_boundary_file
from logistics.areas.versions import active_versions, list_versions, report_lines, rollback
from logistics.core import jobs
from logistics.core.database import transaction
from logistics.core.errors import DomainError, NotFound
from logistics.core.exports import table_response
from logistics.core.security import roles_required, user_scope, whole_office_required

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
        user_scope(),
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
    sets = list_versions(10)
    return render_template(
        "areas/index.html",
        rows=rows,
        level=level,
        levels=LEVEL_LABELS,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        boundary_sets=sets,
        report_lines=report_lines,
    )


@bp.route("/cari")
@login_required
def search():
    """The area pickers' search: areas by name or code within the user's wilayah (the record
    scope when the field writes, `untuk=catat`), each with its parent chain."""
    levels = [t for t in request.args.get("tingkat", "").split(",") if t]
    found = search_areas(
        request.args.get("q", "")[:100],
        user_scope(),
        purpose="record" if request.args.get("untuk") == "catat" else "see",
        levels=levels,
        parent=request.args.get("induk", "")[:20],
        limit=request.args.get("batas", DEFAULT_LIMIT, type=int),
    )
    # Not cached by the browser: the answer depends on who is signed in on this device.
    response = jsonify(found)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("area_picker_data")
def _area_picker_data(codes, levels, purpose: str) -> dict:
    """The chosen codes' chains and the small office's datalist for templates/_area_picker.html."""
    return picker_data(codes, user_scope(), purpose, levels)


@bp.route("/muat", methods=["GET", "POST"])
@roles_required(*OFFICE_ROLES)
@whole_office_required
def load():
    """Step 1: upload the file; nothing is loaded before its preview is confirmed."""
    form = BoundaryUploadForm()
    if form.validate_on_submit():
        try:
            mapping = parse_mapping(form.mapping.data)
        except DomainError as exc:
            form.mapping.errors.append(exc.message)
            return render_template("areas/load.html", form=form), 422
        upload = form.file.data
        choices = {
            "level": form.level.data,
            "version": form.version.data or None,
            "mapping": mapping,
            "layer": None,
        }
        staged = imports.stage(_instance(), upload.filename, choices, current_user.id)
        upload.save(staged.path)
        return redirect(url_for("wilayah.preview", token=staged.token))
    status = 422 if request.method == "POST" else 200
    return render_template("areas/load.html", form=form), status


def _instance() -> str:
    return current_app.config["INSTANCE_DIR"]


def _staged(token: str):
    try:
        return imports.staged(_instance(), token, current_user.id)
    except NotFound as exc:
        flash(exc.message, "warning")
        return None


@bp.context_processor
def _retention():
    return {"retention_hours": current_app.config.get("IMPORT_UPLOAD_RETENTION_HOURS", 24)}


@bp.route("/muat/<token>")
@roles_required(*OFFICE_ROLES)
@whole_office_required
def preview(token: str):
    """Step 2: the preview map and report, or the layer choice, or why the file is refused."""
    staged = _staged(token)
    if staged is None:
        return redirect(url_for("wilayah.load"))
    layers = staged.layers
    if layers and not staged.meta.get("layer"):
        return render_template("areas/preview.html", staged=staged, layers=layers)
    meta = staged.meta
    try:
        with transaction():
            result = preview_boundary_file(
                staged.path, meta["level"], meta.get("mapping"), meta.get("layer")
            )
            fmap = preview_map(result.pop("frame"))
    except DomainError as exc:
        return render_template(
            "areas/preview.html", staged=staged, layers=layers, problem=exc.message
        ), 422
    return render_template(
        "areas/preview.html",
        staged=staged,
        layers=layers,
        result=result,
        map=fmap,
        levels=LEVEL_LABELS,
    )


@bp.route("/muat/<token>/lapisan", methods=["POST"])
@roles_required(*OFFICE_ROLES)
@whole_office_required
def choose_layer(token: str):
    staged = _staged(token)
    if staged is None:
        return redirect(url_for("wilayah.load"))
    try:
        imports.choose_layer(staged, request.form.get("layer", ""))
    except DomainError as exc:
        flash(exc.message, "danger")
    return redirect(url_for("wilayah.preview", token=token))


@bp.route("/muat/<token>/simpan", methods=["POST"])
@roles_required(*OFFICE_ROLES)
@whole_office_required
def confirm(token: str):
    """Step 3: the confirmed file is loaded by a background job."""
    staged = _staged(token)
    if staged is None:
        return redirect(url_for("wilayah.load"))
    with transaction():
        record = imports.confirm(_instance(), staged, current_user.id)
    # Committed first: the job is on record even when the queue cannot take it now.
    with transaction():
        queued = jobs.submit(record)
    if not queued:
        flash("Antrean belum tersedia; pekerjaan disimpan dan akan dikirim otomatis.", "warning")
    else:
        flash("Berkas diterima. Pemuatan berjalan di latar belakang.", "success")
    return redirect(url_for("jobs.detail", job_id=record.id))


@bp.route("/muat/<token>/batal", methods=["POST"])
@roles_required(*OFFICE_ROLES)
@whole_office_required
def cancel(token: str):
    staged = _staged(token)
    if staged is not None:
        imports.discard(staged)
        flash("Pemuatan dibatalkan; berkas yang diunggah sudah dihapus.", "success")
    return redirect(url_for("wilayah.index"))


@bp.route("/versi/batalkan", methods=["GET", "POST"])
@roles_required("admin")
@whole_office_required
def rollback_version():
    """Undo the newest boundary load after a confirmation page that says what it changed."""
    if request.method == "POST":
        try:
            with transaction():
                (undone,) = rollback()
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(url_for("wilayah.index"))
        flash(
            f"Versi {undone['version']} dibatalkan: {undone['restored']} wilayah dipulihkan, "
            f"{undone['deleted']} dihapus, {undone['retired']} dipensiunkan (masih dirujuk data).",
            "success",
        )
        return redirect(url_for("wilayah.index"))
    with transaction():
        latest = active_versions()[:1]
    return render_template("areas/rollback.html", versions=latest)
