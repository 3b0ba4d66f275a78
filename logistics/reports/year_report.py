"""The year-end report on korban bencana tertangani: SPM, budget and preparedness against targets."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from logistics.budget import rules as budget_math
from logistics.budget import services as budget
from logistics.budget.models import BUDGET_LEVELS, TOTAL_FIELDS
from logistics.core import jobs
from logistics.core.extensions import db
from logistics.core.formatting import rupiah
from logistics.core.job_models import JobRecord
from logistics.core.office import office_info
from logistics.core.queue import YEAR_REPORT_GENERATE
from logistics.core.spm_components import SPM_COMPONENTS
from logistics.core.time import utcnow
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.events.figures import notes as figure_notes
from logistics.events.models import Event
from logistics.reports import year_victims

# The files are rendered in year_report_files.py; the pages and jobs reach them through here.
from logistics.reports.year_report_files import (  # noqa: F401
    pdf_bytes,
    render_html,
    xlsx_bytes,
)
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
    "Pagu program dan kegiatan: pagunya sendiri bila diisi, selain itu jumlah pagu rinciannya; "
    "realisasi selalu dari pembayaran sub-kegiatan.",
    "Capaian kinerja program dan kegiatan: capaian indikator yang dilaporkannya (tertulis di "
    "kolom indikator) pada tahun ini.",
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


def components(year: int, targets: dict, tree: list, places: int = 0) -> tuple[list[dict], dict]:
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
                "serapan_printed": budget_math.serapan_printed(serapan, places),
                "efisiensi": budget_math.efisiensi(capaian, serapan, places),
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


def efisiensi_note(places: int) -> str:
    """How efisiensi is taken, in the office's rounding convention."""
    if places == 0:
        return (
            "Efisiensi = capaian kinerja - serapan, dengan serapan dibulatkan menjadi persen "
            "bulat seperti dicetak di LKIP (capaian 95, serapan 81 -> efisiensi 14); serapan "
            "dua desimal dicantumkan di sampingnya."
        )
    return "Efisiensi = capaian kinerja - serapan, dari angka yang sudah dibulatkan dua desimal."


def disagreement_notes(rows: list[dict]) -> list[str]:
    """One note per own pagu that is not the sum of its parts' figures."""
    return [
        f"{BUDGET_LEVELS[row['level']]} {row['code']}: {d['label'].lower()} {rupiah(d['own'])} "
        f"tidak sama dengan jumlah rinciannya {rupiah(d['parts'])} (selisih "
        f"{rupiah(d['difference'])}); laporan memakai angka {BUDGET_LEVELS[row['level']].lower()} "
        "itu sendiri."
        for row in rows
        for d in row["disagreements"]
    ]


def capaian_by_indicator(component_rows: list, indicator: dict, output_rows: list) -> dict:
    """indicator -> its capaian for the year, for the levels of the budget tree that report it."""
    found = {row["component"]: row["capaian"] for row in component_rows}
    found["capaian_spm"] = indicator["capaian"]
    found.update({row["indicator"]: row["capaian"] for row in output_rows})
    return found


def budget_rows(
    tree: list, capaian_by_code: dict, by_indicator: dict | None = None, places: int = 0
) -> list[dict]:
    """The budget tree with pagu awal and perubahan apart, realisasi, serapan and efisiensi.

    A level linked to an indicator takes that indicator's capaian; a sub-kegiatan without one
    keeps its SPM component's (or Tagana/KSB output's) capaian.
    """
    by_indicator = by_indicator or {}
    rows = []
    for node in tree:
        money = node.amounts
        linked = by_indicator if node.indicator else capaian_by_code
        capaian = linked.get(node.indicator or node.code)
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
                "serapan_printed": budget_math.serapan_printed(money.serapan, places),
                "indicator": node.indicator,
                "indicator_label": INDICATORS.get(node.indicator or ""),
                "capaian": capaian,
                "efisiensi": budget_math.efisiensi(capaian, money.serapan, places),
                "disagreements": [
                    {
                        "field": d.field,
                        "label": TOTAL_FIELDS[d.field],
                        "own": d.own,
                        "parts": d.parts,
                        "difference": d.difference,
                    }
                    for d in node.disagreements
                ],
            }
        )
    return rows


def _level_rows(tree, component_rows, indicator, output_rows, places: int) -> list[dict]:
    """The budget table: each level with the capaian of what it reports on."""
    capaian_by_code = {
        row["sub_kegiatan_code"]: row["capaian"]
        for row in component_rows
        if row["sub_kegiatan_code"]
    }
    by_output = {row["indicator"]: row["capaian"] for row in output_rows}
    for code, name in OUTPUT_SUB_KEGIATAN.items():
        capaian_by_code.setdefault(code, by_output.get(name))
    by_indicator = capaian_by_indicator(component_rows, indicator, output_rows)
    return budget_rows(tree, capaian_by_code, by_indicator, places)


def budget_level_figures(year: int, tree: list) -> list[dict]:
    """The year-end report's budget rows (serapan as printed, capaian kinerja, efisiensi) for
    the budget tree page; the victim tables are built only when a level reports on them."""
    targets = {t.indicator: t for t in spm_settings.list_targets(year)}
    places = office_info().serapan_places
    component_rows, indicator = components(year, targets, tree, places)
    assisted = {"jiwa_assisted": 0, "jiwa_affected": 0, "persen": None}
    if any(row.indicator == "persen_korban_dibantu" for row in tree):
        year_victims.build_tables(year, year_victims.region_level())
        assisted = year_victims.assisted_in_emergency()
        year_victims.drop_tables()
    output_rows = outputs(year, targets, assisted)
    return _level_rows(tree, component_rows, indicator, output_rows, places)


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
    places = office_info().serapan_places
    component_rows, indicator = components(year, targets, tree, places)
    report(65, "Menghitung keluaran Tagana dan KSB")
    output_rows = outputs(year, targets, assisted)
    report(80, "Menghitung anggaran per sub-kegiatan")
    budget_table = _level_rows(tree, component_rows, indicator, output_rows, places)
    programs = [r for r in budget_table if r["level"] == "program"]
    pagu_total = sum(r["pagu"] or 0 for r in programs)
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
            "pagu": pagu_total,
            "realisasi": sum(r["realisasi"] for r in programs),
            "serapan": _pct(sum(r["realisasi"] for r in programs), pagu_total),
        },
        "serapan_places": places,
        "notes": [
            *NOTES,
            efisiensi_note(places),
            *disagreement_notes(budget_table),
            *figure_notes("terdata", "tertangani", "kk", "jiwa", "lembaga"),
        ],
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


def generate(
    year: int,
    job_id: str | None = None,
    user_id: int | None = None,
    progress: Progress | None = None,
) -> dict:
    """Build the report, render XLSX and PDF, store both; returns the stored files' ids."""
    from logistics.reports import files as report_files
    from logistics.reports import year_figures

    report_progress = progress or (lambda percent, message: None)

    def scaled(percent: int, message: str) -> None:
        report_progress(int(percent * 0.6), message)  # the tables are 60% of the work

    computed_from = year_figures.version(budget.fiscal_year(year, "year"))
    report = build(year, scaled)
    # The Renstra view reuses this year's figures instead of building the report again.
    year_figures.store(report["year"], year_figures.from_report(report), computed_from)
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
