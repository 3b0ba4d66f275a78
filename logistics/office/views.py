"""The office profile page (admin) and the first-run setup wizard of an empty office."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import login_user

from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.forms import attach_error
from logistics.core.office import office_info
from logistics.core.security import roles_required
from logistics.office import setup
from logistics.office.forms import BoundaryForm, ProfileForm, SetupForm
from logistics.office.services import refresh_office_config, save_profile

bp = Blueprint("office", __name__)
DRAFT_KEY = "posko_setup_draft"


def _instance() -> str:
    return current_app.config["INSTANCE_DIR"]


def _fill_from_profile(form: ProfileForm) -> None:
    """A fresh form shows the saved profile (or the config defaults before one exists)."""
    office = office_info()
    form.name.data = office.name
    form.level.data = office.level
    form.area_code.data = office.area_code
    form.timezone.data = office.timezone
    form.address.data = office.address
    form.phone.data = office.phone
    form.email.data = office.email
    form.serapan_places.data = str(office.serapan_places)
    for s in office.signatories:
        form[f"{s.role}_name"].data = s.name
        form[f"{s.role}_nip"].data = s.nip
        form[f"{s.role}_position"].data = s.position


@bp.route("/admin/profil-kantor", methods=["GET", "POST"])
@roles_required("admin")
def profile():
    form = ProfileForm()
    if request.method == "GET":
        _fill_from_profile(form)
    elif form.validate_on_submit():
        try:
            with transaction():
                save_profile(form.values(), form.signatory_rows(), form.logo_upload(), _instance())
        except DomainError as exc:
            attach_error(form, exc)
            return render_template("office/profile.html", form=form, office=office_info()), 422
        refresh_office_config(current_app, force=True)
        flash(
            "Profil kantor disimpan; kop surat dan tanda tangan dokumen memakai data ini.",
            "success",
        )
        return redirect(url_for("office.profile"))
    else:
        return render_template("office/profile.html", form=form, office=office_info()), 422
    return render_template("office/profile.html", form=form, office=office_info())


@bp.route("/kantor/logo")
def logo():
    office = office_info()
    if not office.logo_path:
        abort(404)
    return send_file(office.logo_path, max_age=3600)


# --- first-run setup ---------------------------------------------------------------------


def _open_setup() -> None:
    """The wizard exists only while the instance is empty; afterwards it is gone for good."""
    if not setup.setup_needed():
        abort(404)


def _draft() -> dict | None:
    return setup.load_draft(_instance(), session.get(DRAFT_KEY))


@bp.route("/siapkan", methods=["GET", "POST"])
def setup_office():
    _open_setup()
    form = SetupForm()
    if request.method == "GET":
        form.timezone.data = "Asia/Jakarta"
        return render_template("office/setup.html", form=form, step=1)
    if form.validate_on_submit():
        try:
            setup.check_draft(form.values(), form.signatory_rows(), form.admin())
            session[DRAFT_KEY] = setup.save_draft(
                _instance(),
                form.values(),
                form.signatory_rows(),
                form.admin(),
                form.logo_upload(),
            )
        except DomainError as exc:
            attach_error(form, exc)
            return render_template("office/setup.html", form=form, step=1), exc.status
        return redirect(url_for("office.setup_boundaries"))
    return render_template("office/setup.html", form=form, step=1), 422


@bp.route("/siapkan/batas", methods=["GET", "POST"])
def setup_boundaries():
    _open_setup()
    draft = _draft()
    if draft is None:
        flash("Isi data kantor dan akun admin terlebih dahulu.", "warning")
        return redirect(url_for("office.setup_office"))
    form = BoundaryForm()
    preview = None
    status = 200
    if form.validate_on_submit() and getattr(form.boundaries.data, "filename", ""):
        upload = form.boundaries.data
        path = setup.boundary_upload_path(_instance(), draft, upload.filename)
        upload.save(path)
        try:
            with transaction():
                preview = setup.preview_boundaries(path, draft["values"]["area_code"])
        except DomainError as exc:
            setup.drop_boundaries(_instance(), draft)
            form.boundaries.errors = [exc.message]
            status = 422
    elif request.method == "POST":
        form.boundaries.errors = ["Pilih berkas batas wilayah, atau lewati langkah ini."]
        status = 422
    return render_template(
        "office/setup_boundaries.html", form=form, draft=draft, preview=preview, step=2
    ), status


@bp.route("/siapkan/selesai", methods=["POST"])
def setup_finish():
    _open_setup()
    draft = _draft()
    if draft is None:
        return redirect(url_for("office.setup_office"))
    if request.form.get("without_boundaries"):
        setup.drop_boundaries(_instance(), draft)
    try:
        with transaction():
            done = setup.finish_draft(_instance(), draft)
            login_user(done["user"])
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("office.setup_boundaries"))
    setup.discard_draft(_instance())
    session.pop(DRAFT_KEY, None)
    refresh_office_config(current_app, force=True)
    flash("Posko siap dipakai. Selamat bekerja!", "success")
    return redirect(url_for("main.index"))
