"""The Renstra period page: five years of targets and realisation, as a page, XLSX or PDF."""

from io import BytesIO

from flask import Blueprint, render_template, request, send_file
from flask_login import login_required

from logistics.core.database import transaction
from logistics.core.security import user_scope
from logistics.reports import multi_year, multi_year_files
from logistics.reports.office_documents import require_whole_office

bp = Blueprint("multi_year", __name__, url_prefix="/laporan/renstra")


@bp.before_request
def _whole_office_only():
    require_whole_office(user_scope())


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _data() -> tuple[dict, list[int]]:
    with transaction():
        available = multi_year.years()
        start = request.args.get("mulai") or multi_year.default_start(available)
        return multi_year.build(start), available


@bp.route("/")
@login_required
def index():
    data, available = _data()
    return render_template(
        "reports/multi_year/index.html",
        d=data,
        years=sorted(set(available) | {data["start"]}, reverse=True),
        table=multi_year_files.render_html(data, "reports/multi_year/_table.html"),
    )


@bp.route("/unduh.<any(xlsx, pdf):fmt>")
@login_required
def download(fmt: str):
    data, _available = _data()
    name = f"capaian-renstra-{data['start']}-{data['end']}.{fmt}"
    if fmt == "xlsx":
        content, mime = multi_year_files.xlsx_bytes(data), XLSX_MIME
    else:
        content, mime = multi_year_files.pdf_bytes(data), "application/pdf"
    return send_file(BytesIO(content), mimetype=mime, as_attachment=True, download_name=name)
