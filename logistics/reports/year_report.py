"""The year-end report on korban bencana tertangani: SPM, budget and preparedness against targets."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from logistics.budget import rules as budget_math
from logistics.budget import services as budget
from logistics.budget.models import BUDGET_LEVELS
from logistics.core import jobs
from logistics.core.extensions import db
from logistics.core.job_models import JobRecord
from logistics.core.queue import YEAR_REPORT_GENERATE
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import utcnow
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.figures import notes as figure_notes
from logistics.events.models import Event
from logistics.reports import year_victims
from logistics.reports.year_victims import REGION_LABELS
from logistics.shelters.models import Shelter
from logistics.spm import dashboard as spm_dashboard
from logistics.spm import settings as spm_settings
from logistics.spm.models import AGGREGATION_MODES, INDICATORS, SpmYear
from logistics.stock.models import Warehouse
from logistics.tagana.models import Deployment, KampungSiagaBencana, TaganaMember
from logistics.victims.models import Person

Progress = Callable[[int, str], None]

REPORT_KIND = "year_end"
# The planner, the office and the head of office produce the report; Tagana members do not.
GENERATOR_ROLES = ("admin", "operator", "pimpinan")
# Sub-kegiatan of the preparedness kegiatan whose capaian kinerja is a Tagana/KSB output.
OUTPUT_SUB_KEGIATAN = {"1.06.06.2.02.0001": "ksb", "1.06.06.2.02.0002": "tagana"}
# Units a person count can be compared with; other units (unit, lokasi, KK) need their own count.
PERSON_UNITS = {"orang", "jiwa"}
SHELTER_UNITS = {"unit", "lokasi", "tenda", "tempat"}
HOUSEHOLD_UNITS = {"kk", "keluarga"}

NOTES = (
    "Korban terdampak: orang yang terdaftar sebagai korban kejadian tahun ini (registri korban), "
    "dihitung sekali per orang (jiwa) dan per kartu keluarga (KK); duplikat yang digabung dihitung "
    "satu. Korban lembaga (panti, yayasan) dihitung per lembaga dan jiwanya menurut jumlah "
    "penghuni, termasuk dalam jumlah jiwa; angka kaji cepat tidak termasuk.",
    "Korban tertangani: korban yang menerima paling sedikit satu penyaluran atau layanan pada "
    "kejadian yang sama. KK tertangani: KK dengan paling sedikit satu anggota tertangani. "
    "Lembaga tertangani: lembaga yang menerima penyaluran; seluruh penghuninya dihitung jiwa "
    "tertangani.",
    "Per wilayah (kecamatan; kabupaten/kota bagi Dinas Sosial provinsi): menurut kelurahan/desa "
    "tempat korban terdaftar; jumlah kejadian menghitung kejadian yang wilayah atau korbannya ada "
    "di wilayah itu, sehingga satu kejadian dapat tercatat di beberapa wilayah.",
    "Realisasi komponen SPM: orang berbeda yang dilayani komponen itu pada kejadian tahun ini "
    "(tabel capaian SPM tahunan). Capaian = realisasi / target x 100; untuk indikator 'makin "
    "kecil makin baik' target / realisasi x 100.",
    "Target komponen dalam satuan lain: tempat penampungan dalam unit/lokasi dibandingkan dengan "
    "tempat pengungsian yang dibuka untuk kejadian tahun ini; target dalam KK dengan KK berbeda "
    "yang dilayani; satuan lain tidak diberi capaian.",
    "Indikator SPM: korban yang terpenuhi kebutuhan dasarnya / korban yang membutuhkan (jiwa "
    "berbeda) x 100, menurut pengaturan 'terpenuhi' kantor.",
    "Serapan = realisasi anggaran / pagu x 100 (pagu perubahan bila ada, selain itu pagu awal). "
    "Efisiensi = capaian kinerja - serapan, dari angka yang sudah dibulatkan.",
    "Tagana: anggota yang dikerahkan (surat tugas, tidak dibatalkan) yang mulai bertugas tahun "
    "ini; anggota aktif: anggota berstatus aktif yang bergabung paling lambat akhir tahun.",
    "Korban yang menerima bantuan sosial selama masa tanggap darurat: jiwa yang menerima "
    "penyaluran pada tanggal ketika SK tanggap darurat kejadiannya berlaku (menurut tanggal SK, "
    "bukan isian fase), dibagi jiwa terdampak.",
    "KSB: Kampung Siaga Bencana yang dibentuk tahun ini. Lumbung sosial: kelurahan/desa yang "
    "memiliki gudang lumbung sosial aktif yang tercatat paling lambat akhir tahun.",
    "Persentase dibulatkan setengah ke atas menjadi dua desimal.",
)


def _pct(part, whole) -> Decimal | None:
    return budget_math.percentage(part, whole) if whole else None


def _target(t) -> dict:
    if t is None:
        return {
            "target": None,
            "unit": None,
            "mode": None,
            "mode_label": None,
            "lower_is_better": False,
        }
    return {
        "target": t.value,
        "unit": t.unit,
        "mode": t.mode,
        "mode_label": AGGREGATION_MODES.get(t.mode, t.mode),
        "lower_is_better": t.lower_is_better,
    }


def _capaian(realisasi, target) -> Decimal | None:
    if target is None or realisasi is None:
        return None
    return budget_math.capaian(
        Decimal(realisasi), target.value, lower_is_better=target.lower_is_better
    )


def _distinct_households_served(year: int, component: str) -> int:
    return int(
        db.session.scalar(
            select(func.count(func.distinct(Person.household_id)))
            .select_from(DistributionRecipient)
            .join(Distribution, Distribution.id == DistributionRecipient.distribution_id)
            .join(Event, Event.id == Distribution.event_id)
            .join(Person, Person.id == DistributionRecipient.person_id)
            .where(Event.year == year, Distribution.component == component)
        )
        or 0
    )


def _shelters_opened(year: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(Shelter.id))
            .join(Event, Event.id == Shelter.event_id)
            .where(Event.year == year)
        )
        or 0
    )


def components(year: int, targets: dict, tree: list) -> tuple[list[dict], dict]:
    """Per SPM component: target, realisation (distinct persons), capaian and its budget; and the
    SPM indicator (distinct jiwa met / needing)."""
    summary = {row["indicator"]: row for row in spm_dashboard.year_summary(year)}
    by_component = {row.spm_component: row for row in tree if row.spm_component}
    rows = []
    for component, label in SPM_COMPONENTS.items():
        target = targets.get(component)
        realisasi = summary[component]["realisation"] if component in summary else 0
        realisasi_label = "orang"
        unit = (target.unit.strip().lower() if target else "orang") or "orang"
        # A target in units other than persons is compared with a count in that unit.
        if unit in SHELTER_UNITS and component == "tempat_penampungan":
            realisasi, realisasi_label = _shelters_opened(year), "tempat"
        elif unit in HOUSEHOLD_UNITS:
            realisasi, realisasi_label = _distinct_households_served(year, component), "KK"
        # A target in a unit nothing here counts (e.g. paket) gets no capaian rather than a
        # percentage of persons against packages.
        comparable = realisasi_label != "orang" or unit in PERSON_UNITS
        node = by_component.get(component)
        money = node.amounts if node else None
        capaian = _capaian(realisasi, target) if comparable else None
        serapan = money.serapan if money else None
        rows.append(
            {
                "component": component,
                "label": label,
                "sub_kegiatan_code": node.code if node else None,
                "sumber_dana": node.funding if node else "",
                **_target(target),
                "realisasi": realisasi,
                "realisasi_unit": realisasi_label,
                "comparable": comparable,
                "capaian": capaian,
                "pagu": money.pagu if money else None,
                "realisasi_anggaran": money.realisasi if money else None,
                "serapan": serapan,
                "efisiensi": budget_math.efisiensi(capaian, serapan),
            }
        )
    spm_row = summary.get("capaian_spm", {})
    needing, met = int(spm_row.get("needing") or 0), int(spm_row.get("met") or 0)
    persen = _pct(met, needing)
    target = targets.get("capaian_spm")
    indicator = {
        "needing": needing,
        "met": met,
        "not_met": needing - met,
        "persen": persen,
        **_target(target),
        "capaian": _capaian(persen, target),
    }
    return rows, indicator


def outputs(year: int, targets: dict, assisted: dict) -> list[dict]:
    """Tagana and KSB outputs of the year, lumbung sosial and the share of victims assisted."""
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    deployed = db.session.scalar(
        select(func.count(func.distinct(Deployment.member_id))).where(
            Deployment.starts_at >= start,
            Deployment.starts_at < end,
            Deployment.status != "dibatalkan",
        )
    )
    active = db.session.scalar(
        select(func.count(TaganaMember.id)).where(
            TaganaMember.active.is_(True),
            (TaganaMember.joined_on.is_(None)) | (TaganaMember.joined_on < date(year + 1, 1, 1)),
        )
    )
    formed = db.session.scalar(
        select(func.count(KampungSiagaBencana.id)).where(KampungSiagaBencana.formed_year == year)
    )
    # facilitation_years is a JSON list; a few hundred groups at most, read in Python.
    facilitated = sum(
        1
        for years in db.session.scalars(select(KampungSiagaBencana.facilitation_years))
        if year in (years or [])
    )
    lumbung = db.session.scalar(
        select(func.count(func.distinct(Warehouse.kelurahan_code))).where(
            Warehouse.tier == "lumbung_sosial",
            Warehouse.active.is_(True),
            Warehouse.kelurahan_code.is_not(None),
            Warehouse.created_at < end,
        )
    )
    rows = []
    for indicator, realisasi, unit, note in (
        ("tagana", int(deployed or 0), "orang", "anggota dikerahkan"),
        ("ksb", int(formed or 0), "KSB", "dibentuk tahun ini"),
        ("lumbung_sosial", int(lumbung or 0), "kelurahan", "kelurahan/desa ber-lumbung sosial"),
        (
            "persen_korban_dibantu",
            assisted["persen"],
            "%",
            "jiwa yang menerima bantuan selama SK tanggap darurat berlaku / jiwa terdampak",
        ),
    ):
        target = targets.get(indicator)
        rows.append(
            {
                "indicator": indicator,
                "label": INDICATORS[indicator],
                "definition": note,
                "realisasi": realisasi,
                "realisasi_unit": unit,
                **_target(target),
                "capaian": _capaian(realisasi, target),
            }
        )
    rows.append(
        {
            "indicator": "tagana_aktif",
            "label": "Anggota Tagana aktif",
            "definition": "anggota aktif pada akhir tahun",
            "realisasi": int(active or 0),
            "realisasi_unit": "orang",
            **_target(None),
            "capaian": None,
        }
    )
    rows.append(
        {
            "indicator": "ksb_dibina",
            "label": "KSB yang dibina",
            "definition": "KSB dengan pembinaan pada tahun ini",
            "realisasi": facilitated,
            "realisasi_unit": "KSB",
            **_target(None),
            "capaian": None,
        }
    )
    return rows


def budget_rows(tree: list, capaian_by_code: dict) -> list[dict]:
    """The budget tree with pagu awal and perubahan apart, realisasi, serapan and efisiensi."""
    rows = []
    for node in tree:
        money = node.amounts
        capaian = capaian_by_code.get(node.code)
        rows.append(
            {
                "code": node.code,
                "name": node.name,
                "level": node.level,
                "level_label": BUDGET_LEVELS[node.level],
                "sumber_dana": node.funding,
                "depth": node.depth,
                "pagu_awal": money.pagu_awal,
                "pagu_perubahan": money.pagu_perubahan,
                "pagu": money.pagu,
                "realisasi": money.realisasi,
                "sisa": money.sisa,
                "serapan": money.serapan,
                "capaian": capaian,
                "efisiensi": budget_math.efisiensi(capaian, money.serapan),
            }
        )
    return rows


def build(year: int, progress: Progress | None = None) -> dict:
    """Every table of the year-end report for a fiscal year, computed with SQL aggregates."""
    report = progress or (lambda percent, message: None)
    year = budget.fiscal_year(year, "year")
    level = year_victims.region_level()
    report(5, "Menghitung korban terdampak dan tertangani")
    year_victims.build_tables(year, level)
    hazard_rows, hazard_total = year_victims.by_hazard(year)
    report(25, f"Menghitung per {REGION_LABELS[level].lower()}")
    region_rows, region_total = year_victims.by_region(year, level)
    assisted = year_victims.assisted_in_emergency()
    year_victims.drop_tables()
    report(45, "Menghitung capaian komponen SPM")
    targets = {t.indicator: t for t in spm_settings.list_targets(year)}
    tree = budget.year_tree(year)
    component_rows, indicator = components(year, targets, tree)
    report(65, "Menghitung keluaran Tagana dan KSB")
    output_rows = outputs(year, targets, assisted)
    report(80, "Menghitung anggaran per sub-kegiatan")
    capaian_by_code = {
        row["sub_kegiatan_code"]: row["capaian"]
        for row in component_rows
        if row["sub_kegiatan_code"]
    }
    by_indicator = {row["indicator"]: row["capaian"] for row in output_rows}
    for code, name in OUTPUT_SUB_KEGIATAN.items():
        capaian_by_code.setdefault(code, by_indicator.get(name))
    budget_table = budget_rows(tree, capaian_by_code)
    programs = [r for r in budget_table if r["level"] == "program"]
    report(90, "Laporan siap")
    return {
        "year": year,
        "office_name": current_app.config["OFFICE_NAME"],
        "generated_at": utcnow(),
        "by_hazard": hazard_rows,
        "by_hazard_total": hazard_total,
        "region_level": level,
        "region_label": REGION_LABELS[level],
        "by_region": region_rows,
        "by_region_total": region_total,
        "components": component_rows,
        "indicator": indicator,
        "outputs": output_rows,
        "assisted_in_emergency": assisted,
        "budget": budget_table,
        "budget_total": {
            "pagu": sum(r["pagu"] for r in programs),
            "realisasi": sum(r["realisasi"] for r in programs),
            "serapan": _pct(
                sum(r["realisasi"] for r in programs), sum(r["pagu"] for r in programs)
            ),
        },
        "notes": [*NOTES, *figure_notes("terdata", "tertangani", "kk", "jiwa", "lembaga")],
        # The SPM figures are as fresh as the yearly table the workers keep.
        "spm_computed_at": db.session.scalar(
            select(func.max(SpmYear.computed_at)).where(SpmYear.year == year)
        ),
    }


def years() -> list[int]:
    """Fiscal years with events or budget lines, newest first."""
    found = set(db.session.scalars(select(Event.year).distinct()))
    found |= set(budget.years_with_budget())
    return sorted(found, reverse=True)


# --- renderers -----------------------------------------------------------------------------------

INT_FORMAT = "#,##0"
RUPIAH_FORMAT = '"Rp "#,##0'
PERCENT_FORMAT = "#,##0.00"
DASH = "-"


def _cell_value(value):
    """Numbers stay numbers (the spreadsheet formats them); missing ones print as '-'."""
    if value is None:
        return DASH
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    return value


# (header, key, width, kind) per sheet; kind picks the number format.
HAZARD_COLUMNS = (
    ("No", "no", 5, "int"),
    ("Jenis bencana", "name", 30, "text"),
    ("Jumlah kejadian", "events", 11, "int"),
    ("KK terdampak", "kk_affected", 11, "int"),
    ("Lembaga terdampak", "lembaga_affected", 11, "int"),
    ("Jiwa terdampak", "jiwa_affected", 11, "int"),
    ("KK tertangani", "kk_handled", 11, "int"),
    ("Lembaga tertangani", "lembaga_handled", 11, "int"),
    ("Jiwa tertangani", "jiwa_handled", 11, "int"),
    ("Jiwa tertangani (%)", "persen_handled", 12, "pct"),
)


def _region_columns(label: str) -> tuple:
    return (
        ("No", "no", 5, "int"),
        ("Kode", "code", 12, "text"),
        (label, "name", 26, "text"),
        *HAZARD_COLUMNS[2:],
    )


COMPONENT_COLUMNS = (
    ("No", "no", 5, "int"),
    ("Komponen SPM", "label", 36, "text"),
    ("Sub-kegiatan", "sub_kegiatan_code", 18, "text"),
    ("Sumber dana", "sumber_dana", 12, "text"),
    ("Target", "target", 10, "num"),
    ("Satuan", "unit", 9, "text"),
    ("Cara hitung", "mode_label", 14, "text"),
    ("Realisasi", "realisasi", 10, "int"),
    ("Satuan realisasi", "realisasi_unit", 10, "text"),
    ("Capaian (%)", "capaian", 11, "pct"),
    ("Pagu (Rp)", "pagu", 17, "rp"),
    ("Realisasi anggaran (Rp)", "realisasi_anggaran", 17, "rp"),
    ("Serapan (%)", "serapan", 11, "pct"),
    ("Efisiensi (%)", "efisiensi", 11, "pct"),
)
BUDGET_COLUMNS = (
    ("Kode", "code", 19, "text"),
    ("Program / kegiatan / sub-kegiatan", "name", 48, "text"),
    ("Sumber dana", "sumber_dana", 12, "text"),
    ("Pagu awal (Rp)", "pagu_awal", 17, "rp"),
    ("Pagu perubahan (Rp)", "pagu_perubahan", 17, "rp"),
    ("Pagu berlaku (Rp)", "pagu", 17, "rp"),
    ("Realisasi (Rp)", "realisasi", 17, "rp"),
    ("Sisa (Rp)", "sisa", 17, "rp"),
    ("Serapan (%)", "serapan", 11, "pct"),
    ("Capaian kinerja (%)", "capaian", 11, "pct"),
    ("Efisiensi (%)", "efisiensi", 11, "pct"),
)
OUTPUT_COLUMNS = (
    ("No", "no", 5, "int"),
    ("Indikator", "label", 44, "text"),
    ("Definisi realisasi", "definition", 30, "text"),
    ("Target", "target", 10, "num"),
    ("Satuan", "unit", 10, "text"),
    ("Realisasi", "realisasi", 10, "num"),
    ("Satuan realisasi", "realisasi_unit", 10, "text"),
    ("Capaian (%)", "capaian", 11, "pct"),
)
# "num" is a target or realisation that may be whole or not; "#,##0.##" would print "12," for 12.
FORMATS = {"int": INT_FORMAT, "num": INT_FORMAT, "rp": RUPIAH_FORMAT, "pct": PERCENT_FORMAT}
HEADER_ROW = 3  # row 1 the title, row 2 the source line, then the header


def _sheet(book, title: str, heading: str, subtitle: str, columns, rows, total=None):
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet = book.create_sheet(title)
    sheet["A1"] = heading
    sheet["A1"].font = Font(bold=True, size=12)
    sheet["A2"] = subtitle
    sheet["A2"].font = Font(italic=True, size=9, color="555555")
    for index, (header, _key, width, _kind) in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.row_dimensions[HEADER_ROW].height = 32
    body = list(rows) + ([total] if total is not None else [])
    for offset, row in enumerate(body, start=1):
        is_total = total is not None and offset == len(body)
        strong = is_total or row.get("level") in ("program", "kegiatan")
        for index, (_header, key, _width, kind) in enumerate(columns, start=1):
            cell = sheet.cell(row=HEADER_ROW + offset, column=index)
            if key == "no":
                cell.value = "" if is_total else offset
            elif kind == "text":
                value = row.get(key)
                cell.value = "" if value is None else str(value)
            else:
                cell.value = _cell_value(row.get(key))
                cell.number_format = FORMATS[kind]
                if kind == "num" and isinstance(cell.value, float):
                    cell.number_format = PERCENT_FORMAT
                cell.alignment = Alignment(horizontal="right")
            if key == "name" and "depth" in row:
                cell.alignment = Alignment(indent=2 * row["depth"], wrap_text=True)
            cell.border = border
            if strong:
                cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_options.gridLines = False
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return sheet


def _charts(book, report: dict, component_sheet, budget_sheet) -> None:
    from openpyxl.chart import BarChart, Reference

    sheet = book.create_sheet("Grafik")
    sheet["A1"] = f"Grafik capaian dan belanja tahun {report['year']}"
    first, count = HEADER_ROW + 1, len(report["components"])
    achievement = BarChart()
    achievement.type = "bar"
    achievement.title = "Capaian komponen SPM (%)"
    achievement.y_axis.title = "%"
    achievement.add_data(
        Reference(component_sheet, min_col=10, min_row=HEADER_ROW, max_row=HEADER_ROW + count),
        titles_from_data=True,
    )
    achievement.set_categories(
        Reference(component_sheet, min_col=2, min_row=first, max_row=HEADER_ROW + count)
    )
    achievement.height, achievement.width = 9, 18
    sheet.add_chart(achievement, "A3")
    leaves = [i for i, r in enumerate(report["budget"]) if r["level"] == "sub_kegiatan"]
    spending = BarChart()
    spending.type = "bar"
    spending.title = "Pagu dan realisasi per sub-kegiatan (Rp)"
    if leaves:
        low, high = first + leaves[0], first + leaves[-1]
        for column in (6, 7):  # pagu in force, realisasi
            spending.add_data(
                Reference(budget_sheet, min_col=column, min_row=low, max_row=high),
                titles_from_data=False,
            )
        spending.set_categories(Reference(budget_sheet, min_col=2, min_row=low, max_row=high))
        from openpyxl.chart.series import SeriesLabel

        spending.series[0].tx = SeriesLabel(v="Pagu berlaku")
        spending.series[1].tx = SeriesLabel(v="Realisasi")
    spending.height, spending.width = 11, 18
    sheet.add_chart(spending, "A22")


def xlsx_bytes(report: dict) -> bytes:
    """The report as a workbook: one formatted sheet per table, a chart sheet and the notes."""
    import io

    from openpyxl import Workbook

    year = report["year"]
    source = f"{report['office_name']} · Tahun anggaran {year}"
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        "Per jenis bencana",
        f"Korban bencana tertangani per jenis bencana tahun {year}",
        source,
        HAZARD_COLUMNS,
        report["by_hazard"],
        {**report["by_hazard_total"], "name": "Jumlah"},
    )
    _sheet(
        book,
        f"Per {report['region_label'].lower().replace('/', '-')}",
        f"Korban bencana tertangani per {report['region_label'].lower()} tahun {year}",
        source,
        _region_columns(report["region_label"]),
        report["by_region"],
        {**report["by_region_total"], "code": "", "name": "Jumlah"},
    )
    components_sheet = _sheet(
        book,
        "Komponen SPM",
        f"Target, realisasi dan anggaran per komponen SPM tahun {year}",
        source,
        COMPONENT_COLUMNS,
        report["components"],
    )
    _indicator_sheet(book, report, source)
    budget_sheet = _sheet(
        book,
        "Anggaran",
        f"Pagu, realisasi, serapan dan efisiensi anggaran tahun {year}",
        source,
        BUDGET_COLUMNS,
        report["budget"],
    )
    _sheet(
        book,
        "Tagana dan KSB",
        f"Keluaran Tagana, KSB dan lumbung sosial terhadap target tahun {year}",
        source,
        OUTPUT_COLUMNS,
        report["outputs"],
    )
    _charts(book, report, components_sheet, budget_sheet)
    _notes_sheet(book, report)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _indicator_sheet(book, report: dict, source: str) -> None:
    """The SPM indicator: victims needing and met, the percentage, the target and the capaian."""
    year = report["year"]
    indicator = report["indicator"]
    indicator_rows = [
        {
            "label": "Korban yang membutuhkan perlindungan dan jaminan sosial",
            "value": indicator["needing"],
            "unit": "jiwa",
        },
        {
            "label": "Korban yang terpenuhi kebutuhan dasarnya",
            "value": indicator["met"],
            "unit": "jiwa",
        },
        {"label": "Korban yang belum terpenuhi", "value": indicator["not_met"], "unit": "jiwa"},
        {"label": "Capaian SPM", "value": indicator["persen"], "unit": "%"},
        {"label": "Target", "value": indicator["target"], "unit": indicator["unit"] or "%"},
        {"label": "Capaian terhadap target", "value": indicator["capaian"], "unit": "%"},
    ]
    sheet = _sheet(
        book,
        "Indikator SPM",
        f"Indikator SPM bidang sosial (korban bencana) tahun {year}",
        source,
        (
            ("Uraian", "label", 58, "text"),
            ("Nilai", "value", 14, "num"),
            ("Satuan", "unit", 8, "text"),
        ),
        indicator_rows,
    )
    for row in (HEADER_ROW + 4, HEADER_ROW + 5, HEADER_ROW + 6):
        sheet.cell(row=row, column=2).number_format = PERCENT_FORMAT


def _notes_sheet(book, report: dict) -> None:
    """How each figure is counted, one note a row."""
    from openpyxl.styles import Alignment, Font

    notes = book.create_sheet("Catatan")
    notes["A1"] = "Catatan perhitungan"
    notes["A1"].font = Font(bold=True, size=12)
    notes.column_dimensions["A"].width = 120
    for offset, note in enumerate(report["notes"], start=2):
        notes.cell(row=offset, column=1, value=note).alignment = Alignment(wrap_text=True)


def _bar_rows(report: dict) -> tuple[list[dict], list[dict]]:
    """Bars for the SVG charts: capaian per indicator, pagu and realisasi per sub-kegiatan."""
    achievement = [
        {"label": r["label"], "value": r["capaian"]}
        for r in report["components"] + report["outputs"]
        if r["capaian"] is not None
    ]
    if report["indicator"]["capaian"] is not None:
        achievement.append({"label": "Capaian SPM", "value": report["indicator"]["capaian"]})
    scale = max([100.0] + [float(a["value"]) for a in achievement])
    for bar in achievement:
        bar["width"] = round(float(bar["value"]) / scale * 100, 2)
        bar["target_x"] = round(100 / scale * 100, 2)
    leaves = [r for r in report["budget"] if r["level"] == "sub_kegiatan" and r["pagu"]]
    top = max([r["pagu"] for r in leaves] + [1])
    spending = [
        {
            "label": f"{r['code']} {r['name']}",
            "pagu": r["pagu"],
            "realisasi": r["realisasi"],
            "serapan": r["serapan"],
            "pagu_width": round(r["pagu"] / top * 100, 2),
            "realisasi_width": round(r["realisasi"] / top * 100, 2),
        }
        for r in leaves
    ]
    return achievement, spending


def render_html(
    report: dict, template: str = "reports/year_report/document_pdf.html", **extra
) -> str:
    from flask import render_template

    achievement, spending = _bar_rows(report)
    return render_template(
        template,
        r=report,
        achievement_bars=achievement,
        spending_bars=spending,
        mode_labels=AGGREGATION_MODES,
        **extra,
    )


def pdf_bytes(report: dict) -> bytes:
    """The report as an A4 landscape PDF (WeasyPrint), charts drawn as inline SVG."""
    from logistics.core.pdf import html_to_pdf

    return html_to_pdf(render_html(report), base_url=current_app.root_path)


def generate(
    year: int,
    job_id: str | None = None,
    user_id: int | None = None,
    progress: Progress | None = None,
) -> dict:
    """Build the report, render XLSX and PDF, store both; returns the stored files' ids."""
    from logistics.reports import files as report_files

    report_progress = progress or (lambda percent, message: None)

    def scaled(percent: int, message: str) -> None:
        report_progress(int(percent * 0.6), message)  # the tables are 60% of the work

    report = build(year, scaled)
    key = f"year:{report['year']}"
    report_progress(65, "Menyusun berkas XLSX")
    xlsx = report_files.save(
        REPORT_KIND,
        key,
        "xlsx",
        f"laporan-tahunan-{report['year']}.xlsx",
        xlsx_bytes(report),
        job_id,
        user_id,
    )
    report_progress(80, "Menyusun berkas PDF")
    pdf = report_files.save(
        REPORT_KIND,
        key,
        "pdf",
        f"laporan-tahunan-{report['year']}.pdf",
        pdf_bytes(report),
        job_id,
        user_id,
    )
    report_progress(100, "Selesai")
    return {"year": report["year"], "files": {"xlsx": xlsx.id, "pdf": pdf.id}}


def latest_files(year: int) -> dict:
    from logistics.reports import files as report_files

    return report_files.latest_of_kind(REPORT_KIND, f"year:{year}")


def create_generation_job(year: int, user_id: int | None) -> JobRecord:
    """Record one generation job; the caller commits it before submitting it to the queue."""
    return jobs.create_job(
        YEAR_REPORT_GENERATE, f"Laporan akhir tahun {year}", {"year": year}, user_id
    )


def visible_job(job_id: str, actor) -> JobRecord | None:
    """This report's generation job, if the actor may follow it; None otherwise."""
    record = db.session.get(JobRecord, job_id)
    # Only this report's jobs, and someone else's only for those who see every job.
    if record is not None and (
        record.func != YEAR_REPORT_GENERATE
        or (record.user_id != actor.id and actor.role not in ("admin", "pimpinan"))
    ):
        return None
    return record
