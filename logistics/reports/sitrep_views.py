"""Laporan situasi harian pages: pick an event and date, read the live sitrep, write notes, send."""

from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from logistics.admin.models import OFFICE_ROLES
from logistics.areas.kab_kota import scope_key
from logistics.core import jobs
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.forms import attach_error
from logistics.core.security import reads_only, roles_required, user_scope
from logistics.events.services import get_event
from logistics.reports import files as report_files
from logistics.reports import sitrep, sitrep_today, sitrep_whatsapp
from logistics.reports.sitrep_forms import NoteForm

bp = Blueprint("sitrep", __name__, url_prefix="/laporan/situasi")


@bp.route("/")
@login_required
def index():
    event_id = request.args.get("kejadian", type=int)
    if event_id:
        day = request.args.get("tanggal") or None
        if day:
            return redirect(url_for("sitrep.show", event_id=event_id, day=day))
        return redirect(url_for("sitrep.today", event_id=event_id))
    return render_template("reports/sitrep/index.html", rows=sitrep.events_for_index(user_scope()))


@bp.route("/kejadian/<int:event_id>")
@login_required
def today(event_id: int):
    event = get_event(event_id)
    return redirect(
        url_for("sitrep.show", event_id=event.id, day=sitrep.default_day(event).isoformat())
    )


def _render_show(event, the_day, form, status=200):
    scope = user_scope()
    data = sitrep.build(event.id, the_day, scope)
    text = sitrep_whatsapp.whatsapp_text(data)
    first, last = sitrep.event_days(event)
    return render_template(
        "reports/sitrep/show.html",
        **sitrep.template_context(data),
        event=event,
        form=form,
        files=report_files.latest_of_kind(
            sitrep.KIND, sitrep.report_key(event.id, the_day), scope_key(scope)
        ),
        pending=sitrep.pending_job(event.id, the_day, scope),
        whatsapp=text,
        whatsapp_url="https://wa.me/?text=" + quote(text, safe=""),
        can_write=current_user.role in OFFICE_ROLES,
        can_create=current_user.role in sitrep_today.CREATOR_ROLES,
        first_day=first,
        last_day=last,
    ), status


@bp.route("/kejadian/<int:event_id>/<day>")
@login_required
def show(event_id: int, day: str):
    event, the_day = sitrep.event_and_day(event_id, day)
    note = sitrep.get_note(event.id, the_day)
    form = NoteForm(obj=note)
    return _render_show(event, the_day, form)


@bp.route("/kejadian/<int:event_id>/<day>/catatan", methods=["POST"])
@roles_required(*OFFICE_ROLES)
def save_note(event_id: int, day: str):
    event, the_day = sitrep.event_and_day(event_id, day)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            with transaction():
                sitrep.save_note(
                    event,
                    the_day,
                    {name: getattr(form, name).data or "" for name in sitrep.NOTE_FIELDS},
                    current_user.id,
                )
            flash("Catatan laporan situasi disimpan.", "success")
            return redirect(url_for("sitrep.show", event_id=event.id, day=the_day.isoformat()))
        except DomainError as exc:
            attach_error(form, exc)
    return _render_show(event, the_day, form, 422)


def _start_generation(event, the_day) -> None:
    with transaction():
        record = sitrep.create_generation_job(event, the_day, current_user.id, user_scope())
    # A second unit of work: the job is committed before it is sent, so it outlives the request.
    with transaction():
        jobs.submit(record)
    if record.message == jobs.QUEUE_UNAVAILABLE:
        flash("Antrean belum tersedia; laporan akan dibuat begitu antrean kembali.", "warning")
    else:
        flash(
            "Laporan situasi sedang dibuat; PDF dan XLSX muncul di sini begitu selesai.", "success"
        )


@bp.route("/kejadian/<int:event_id>/<day>/buat", methods=["POST"])
# Making the report of one's own wilayah changes nothing of the event: a kab/kota user makes
# theirs of an event over the whole province.
@reads_only
@roles_required(*sitrep_today.CREATOR_ROLES)
def generate(event_id: int, day: str):
    event, the_day = sitrep.event_and_day(event_id, day)
    _start_generation(event, the_day)
    return redirect(url_for("sitrep.show", event_id=event.id, day=the_day.isoformat()))


@bp.route("/kejadian/<int:event_id>/hari-ini", methods=["POST"])
@reads_only
@roles_required(*sitrep_today.CREATOR_ROLES)
def create_today(event_id: int):
    """The home page's one tap: make the day's report unless it is made or being made, then
    open it where the WhatsApp text is; a second tap opens the same report."""
    event = get_event(event_id)
    the_day, found = sitrep_today.todays_report(event, user_scope())
    if found is None:
        _start_generation(event, the_day)
    else:
        flash("Laporan situasi hari ini sudah dibuat; silakan bagikan.", "success")
    return redirect(
        url_for("sitrep.show", event_id=event.id, day=the_day.isoformat(), _anchor="kirim")
    )


@bp.route("/pekerjaan/<job_id>")
@login_required
def job_result(job_id: str):
    record = sitrep.generation_job(job_id)
    if record is None or (record.kwargs or {}).get("scope") != sitrep.scope_codes(user_scope()):
        abort(404)  # no such sitrep job, or one made for another wilayah (not confirmed)
    kwargs = record.kwargs or {}
    return redirect(url_for("sitrep.show", event_id=kwargs["event_id"], day=kwargs["day"]))
