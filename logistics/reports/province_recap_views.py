"""The province recap page: per kab/kota figures of a year, as a page, XLSX or PDF."""

from io import BytesIO

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import login_required

from logistics.budget import services as budget
from logistics.core.database import transaction
from logistics.core.security import user_scope
from logistics.core.time import default_year
from logistics.core.wording import office_level
from logistics.reports import province_recap, province_recap_files

bp = Blueprint("province_recap", __name__, url_prefix="/laporan/rekap-provinsi")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def provinsi_only():
    # A kab/kota office has no kab/kota below it to recap: the page does not exist there.
    if office_level() != "provinsi":
        abort(404)


def _data() -> tuple[dict, list[int]]:
    with transaction():
        available = province_recap.years()
        raw = request.args.get("tahun")
        year = budget.fiscal_year(raw, "tahun") if raw else default_year(available)
        return province_recap.build(year, user_scope()), available


@bp.route("/")
@login_required
def index():
    data, available = _data()
    return render_template(
        "reports/province_recap/index.html",
        d=data,
        years=sorted(set(available) | {data["year"]}, reverse=True),
    )


@bp.route("/unduh.<any(xlsx, pdf):fmt>")
@login_required
def download(fmt: str):
    data, _available = _data()
    name = f"rekap-kab-kota-{data['year']}.{fmt}"
    if fmt == "xlsx":
        content, mime = province_recap_files.xlsx_bytes(data), XLSX_MIME
    else:
        content, mime = province_recap_files.pdf_bytes(data), "application/pdf"
    return send_file(BytesIO(content), mimetype=mime, as_attachment=True, download_name=name)
