"""The "Laporan" module: its index of report kinds and recent files, and downloads of stored files."""

from io import BytesIO

from flask import Blueprint, current_app, render_template, send_file
from flask_login import login_required

from logistics.areas.kab_kota import scope_key
from logistics.core.security import user_scope
from logistics.core.wording import office_level
from logistics.reports import files as report_files
from logistics.reports.models import REPORT_FORMATS, REPORT_KINDS
from logistics.reports.office_documents import whole_office

bp = Blueprint("reports", __name__, url_prefix="/laporan")

# (endpoint, title, what it holds); a card shows once its module's blueprint exists.
SECTIONS = [
    (
        "sitrep.index",
        "Laporan situasi harian",
        "Situasi per kejadian dan tanggal: dampak, pengungsian, bantuan, kebutuhan, Tagana, stok.",
    ),
    (
        "year_report.index",
        "Laporan akhir tahun",
        "Korban bencana tertangani, capaian SPM dan realisasi anggaran untuk LKIP.",
    ),
    (
        "multi_year.index",
        "Capaian periode Renstra",
        "Target, realisasi dan capaian lima tahun berdampingan, untuk Renstra dan LKIP.",
    ),
    (
        "province_recap.index",
        "Rekap per kabupaten/kota",
        "Kejadian, korban, pengungsian, stok, kiriman gudang provinsi dan SPM per kabupaten/kota.",
    ),
    (
        "open_data.index",
        "Data terbuka",
        "CSV bertag HXL dan lapisan GeoJSON tanpa data pribadi untuk mitra.",
    ),
]
# The office's own documents, made for its whole area (office_documents.py).
OFFICE_DOCUMENTS = ("year_report.index", "multi_year.index")


@bp.route("/")
@login_required
def index():
    scope = user_scope()
    provinsi = office_level() == "provinsi"
    sections = [
        s
        for s in SECTIONS
        if s[0] in current_app.view_functions and (provinsi or s[0] != "province_recap.index")
    ]
    if not whole_office(scope):
        sections = [s for s in sections if s[0] not in OFFICE_DOCUMENTS]
    files = report_files.recent(scope=scope_key(scope))
    return render_template("reports/index.html", sections=sections, files=files, kinds=REPORT_KINDS)


@bp.route("/berkas/<int:file_id>")
@login_required
def download(file_id: int):
    # A file holds the figures of the scope it was made for: another scope gets a 404.
    record = report_files.get(file_id, scope_key(user_scope()))
    return send_file(
        BytesIO(record.content),
        mimetype=REPORT_FORMATS[record.format],
        as_attachment=record.format != "html",
        download_name=record.filename,
    )
