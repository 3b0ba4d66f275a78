"""Daily situation report: a small hand-built event whose figures are worked out here by hand."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from logistics.core.errors import DomainError, NotFound
from logistics.events.impact import set_impact
from logistics.reports import sitrep, sitrep_whatsapp, sitrep_xlsx
from logistics.reports.models import ReportFile, SitrepNote
from logistics.spm.models import SpmDaily
from tests.support.areas import BEKASIJAYA, MARGAHAYU
from tests.support.sitrep import ANI_NIK, BUDI_NIK, DAY1, DAY2, DAY3, DECREE, SECRET_NAMES


def component(data, code):
    return next(c for c in data["aid"]["components"] if c["component"] == code)


def test_event_status_and_day_numbers(db, flood):
    data = sitrep.build(flood["event"].id, DAY2)
    ev = data["event"]
    assert ev["code"] == flood["event"].code
    assert ev["started_on"] == DAY1
    assert ev["day_number"] == 2
    assert ev["phase"] == "tanggap_darurat"
    # 20 November to 3 December counted both ends: 14 days; the 21st is the 2nd.
    assert ev["tanggap_darurat"] == {
        "starts_on": DAY1,
        "ends_on": date(2026, 12, 3),
        "days": 14,
        "day_number": 2,
    }
    assert [d["decree_number"] for d in ev["decrees"]] == [DECREE]


def test_impact_per_kelurahan_registry_first_then_rapid_assessment(db, flood):
    impact = sitrep.build(flood["event"].id, DAY2)["impact"]
    rows = {r["kelurahan_code"]: r for r in impact["rows"]}
    # Bekasijaya from the registry: Budi and Ani displaced (1 KK), Siti at home (1 KK);
    # it counts more than the rapid assessment's 2 displaced, which are still shown.
    bekasijaya = rows[BEKASIJAYA]
    assert bekasijaya["source"] == "terdata"
    assert (bekasijaya["jiwa_kaji_cepat"], bekasijaya["jiwa_terdata"]) == (2, 3)
    assert (
        bekasijaya["kk_terdampak"],
        bekasijaya["jiwa_terdampak"],
        bekasijaya["mengungsi"],
        bekasijaya["terluka"],
    ) == (2, 3, 2, 0)
    # Margahayu from the rapid assessment: 20 + 10 at home + 6 displaced + 1 injured = 37
    # jiwa (every status, as the event page counts); 8 + 2 KK.
    margahayu = rows[MARGAHAYU]
    assert margahayu["source"] == "kaji_cepat"
    assert (margahayu["jiwa_kaji_cepat"], margahayu["jiwa_terdata"]) == (37, 0)
    assert (
        margahayu["kk_terdampak"],
        margahayu["jiwa_terdampak"],
        margahayu["mengungsi"],
        margahayu["terluka"],
        margahayu["rumah_rusak"],
        margahayu["rumah_terendam"],
    ) == (10, 37, 6, 1, 3, 15)
    assert impact["kelurahan"] == 2
    assert impact["totals"]["jiwa_terdampak"] == 3 + 37
    assert impact["totals"]["kk_terdampak"] == 2 + 10
    assert impact["totals"]["mengungsi"] == 2 + 6


def test_a_registry_behind_the_rapid_assessment_does_not_shrink_the_impact(db, flood):
    event = flood["event"]
    # The assessment now says 40 displaced in Bekasijaya (8 KK); only 3 are registered.
    set_impact(
        event, BEKASIJAYA, {"mengungsi.dewasa.L": 25, "mengungsi.anak.P": 15, "kk.mengungsi": 8}
    )
    db.session.commit()
    impact = sitrep.build(event.id, DAY2)["impact"]
    bekasijaya = next(r for r in impact["rows"] if r["kelurahan_code"] == BEKASIJAYA)
    assert bekasijaya["source"] == "kaji_cepat"
    assert (bekasijaya["jiwa_terdampak"], bekasijaya["mengungsi"], bekasijaya["kk_terdampak"]) == (
        40,
        40,
        8,
    )
    assert (bekasijaya["jiwa_kaji_cepat"], bekasijaya["jiwa_terdata"]) == (40, 3)
    assert impact["totals"]["jiwa_terdampak"] == 40 + 37


def test_shelters_of_the_day_with_the_latest_count(db, flood):
    first = sitrep.build(flood["event"].id, DAY1)["shelters"]
    # Only the mosque was open on the 20th (the school opened on the 21st).
    assert [r["name"] for r in first["rows"]] == ["Masjid Al-Ikhlas"]
    assert (first["totals"]["units"], first["totals"]["persons"]) == (1, 30)
    assert first["totals"]["over_capacity"] == 0

    second = sitrep.build(flood["event"].id, DAY2)["shelters"]
    rows = {r["name"]: r for r in second["rows"]}
    assert (rows["Masjid Al-Ikhlas"]["persons"], rows["Masjid Al-Ikhlas"]["households"]) == (60, 15)
    assert rows["Masjid Al-Ikhlas"]["occupancy"] == Decimal("120.00")
    assert any("Melebihi kapasitas" in w for w in rows["Masjid Al-Ikhlas"]["warnings"])
    assert rows["SDN Margahayu 1"]["persons"] == 20
    assert rows["SDN Margahayu 1"]["occupancy"] == Decimal("20.00")
    # 60 + 20 = 80 persons, 15 + 5 = 20 KK, capacity 150: 53,33%.
    totals = second["totals"]
    assert (totals["units"], totals["persons"], totals["households"]) == (2, 80, 20)
    assert (totals["capacity"], totals["occupancy"], totals["over_capacity"]) == (
        150,
        Decimal("53.33"),
        1,
    )
    # The 22nd has no count of its own: the 21st's counts carry forward.
    third = sitrep.build(flood["event"].id, DAY3)["shelters"]
    assert third["totals"]["persons"] == 80


def test_aid_of_the_day_and_cumulative(db, flood):
    data = sitrep.build(flood["event"].id, DAY2)
    food = component(data, "permakanan")
    # The 21st: the three-person hand-out and the kitchen's 90 portions.
    assert food["day"] == {"handouts": 2, "persons_served": 3 + 90, "distinct_persons": 3}
    # Up to the 21st: plus Budi and Ani on the 20th; Siti's hand-out of the 22nd is not counted.
    assert food["cumulative"] == {
        "handouts": 3,
        "persons_served": 2 + 3 + 90,
        "distinct_persons": 3,
    }
    clothes = component(data, "sandang")
    assert clothes["day"] == {"handouts": 0, "persons_served": 0, "distinct_persons": 0}
    assert clothes["cumulative"] == {"handouts": 1, "persons_served": 1, "distinct_persons": 1}
    assert component(data, "psikososial")["day"]["persons_served"] == 1
    items = {i["item_code"]: i for i in data["aid"]["items"]}
    assert (items["beras"]["day"], items["beras"]["cumulative"]) == (Decimal("1.2"), Decimal("2.8"))
    assert (items["selimut"]["day"], items["selimut"]["cumulative"]) == (0, 1)
    kitchens = data["aid"]["kitchens"]
    assert kitchens["day"] == {"meals": 1, "portions_cooked": 100, "portions_served": 90}
    assert kitchens["active"] == 1

    first = sitrep.build(flood["event"].id, DAY1)
    assert component(first, "permakanan")["day"] == component(first, "permakanan")["cumulative"]
    assert component(first, "permakanan")["day"]["persons_served"] == 2
    assert first["aid"]["kitchens"]["cumulative"]["portions_served"] == 0


def test_needs_and_gaps_come_from_the_spm_aggregates(db, flood):
    event = flood["event"]
    needs = sitrep.build(event.id, DAY2)["needs"]
    assert needs["as_of"] == DAY2 and not needs["carried"]
    rows = {(r["kelurahan_code"], r["component"]): r for r in needs["rows"]}
    # Every kelurahan-total row of the aggregate table is in the report, unchanged.
    stored = db.session.scalars(
        select(SpmDaily).where(
            SpmDaily.event_id == event.id, SpmDaily.day == DAY2, SpmDaily.shelter_key == -1
        )
    ).all()
    assert len(stored) == len(rows) > 0
    for row in stored:
        mine = rows[(row.kelurahan_code, row.component)]
        assert mine["persons_needing"] == row.persons_needing
        assert mine["delivered"] == row.persons_delivered + row.portions_delivered
    # By hand: in Bekasijaya the mosque's count (60) replaces its two registered people, plus
    # Siti at home: 61 need food. Delivered: 3 named persons + 90 kitchen portions = 93.
    food = rows[(BEKASIJAYA, "permakanan")]
    assert (food["persons_needing"], food["delivered"], food["gap"]) == (61, 93, 61 - 93)
    # Clothes: only the displaced (the mosque's 60) need them; nothing handed out on the 21st.
    clothes = rows[(BEKASIJAYA, "sandang")]
    assert (clothes["persons_needing"], clothes["delivered"], clothes["gap"]) == (60, 0, 60)
    # Margahayu has no registry: its rapid assessment (30 at home + 6 displaced + 1 injured
    # need food) plus the school's 20 counted on the 21st, flagged as an estimate.
    estimate = rows[(MARGAHAYU, "permakanan")]
    assert (estimate["persons_needing"], estimate["households_needing"]) == (37 + 20, 10 + 5)
    assert estimate["estimated"] is True
    assert rows[(MARGAHAYU, "sandang")]["persons_needing"] == 6 + 20
    # Totals: Bekasijaya's over-supply (-32) does not cover Margahayu's shortage (57).
    totals = {t["component"]: t for t in needs["totals"]}
    assert (
        totals["permakanan"]["persons_needing"],
        totals["permakanan"]["delivered"],
        totals["permakanan"]["gap"],
    ) == (61 + 57, 93, 57)
    assert totals["sandang"]["gap"] == 60 + 26


def test_a_day_without_rows_carries_needs_and_delivers_nothing(db, flood):
    event = flood["event"]
    # No hand-out or count on the 23rd: the 22nd's needs hold, nothing delivered that day.
    needs = sitrep.build(event.id, date(2026, 11, 23))["needs"]
    assert needs["as_of"] == DAY3 and needs["carried"]
    food = next(
        r
        for r in needs["rows"]
        if (r["kelurahan_code"], r["component"]) == (BEKASIJAYA, "permakanan")
    )
    assert food["delivered"] == 0
    assert food["gap"] == food["persons_needing"] == 61


def test_tagana_on_duty_counted_without_names(db, flood):
    tagana = sitrep.build(flood["event"].id, DAY2)["tagana"]
    # Joko on duty at the mosque; Rina's deployment was cancelled.
    assert tagana["members"] == 1
    assert tagana["places"] == 1
    assert tagana["rows"] == [
        {
            "place": "Tempat pengungsian: Masjid Al-Ikhlas",
            "role": "Koordinator dapur umum",
            "members": 1,
        }
    ]
    assert sitrep.build(flood["event"].id, DAY1)["tagana"]["members"] == 0


def test_stock_cover_uses_the_dashboard_figures(db, flood):
    stock = {r["code"]: r for r in sitrep.build(flood["event"].id, DAY2)["stock"]}
    # 10 kg beras in stock; 61 (Bekasijaya) + 57 (Margahayu) need food on the 21st, each
    # 0,4 kg a day: 47,2 kg a day, so 10 / 47,2 = 0,21 days.
    beras = stock["beras"]
    assert beras["stock"] == Decimal("10")
    assert beras["daily"] is True
    assert beras["need"] == Decimal("47.2")
    assert beras["days_of_cover"] == Decimal("0.21")
    assert beras["warning"] is True  # far less than 3 days
    # Selimut is one per displaced person for the event: 2 of 60 + 26 = 86 needed, 2,33%.
    selimut = stock["selimut"]
    assert (selimut["stock"], selimut["need"], selimut["share"]) == (2, 86, Decimal("2.33"))
    assert selimut["days_of_cover"] is None and selimut["warning"] is True


def test_notes_saved_and_shown(db, flood, make_user):
    event = flood["event"]
    user = make_user("operator")
    sitrep.save_note(
        event,
        DAY2,
        {"problems": "Akses jalan tergenang di Jatiasih", "needs": "Selimut 200 lembar"},
        user.id,
    )
    db.session.commit()
    # A second save of one field keeps the others.
    sitrep.save_note(event, DAY2, {"actions": "Perahu karet dikerahkan"}, user.id)
    db.session.commit()
    note = db.session.scalar(select(SitrepNote).where(SitrepNote.event_id == event.id))
    assert (note.problems, note.actions, note.needs) == (
        "Akses jalan tergenang di Jatiasih",
        "Perahu karet dikerahkan",
        "Selimut 200 lembar",
    )
    data = sitrep.build(event.id, DAY2)
    assert data["notes"]["problems"] == "Akses jalan tergenang di Jatiasih"
    assert sitrep.build(event.id, DAY1)["notes"] == {"problems": "", "actions": "", "needs": ""}
    text = sitrep_whatsapp.whatsapp_text(data)
    assert "*Kendala:* Akses jalan tergenang di Jatiasih" in text
    with pytest.raises(DomainError) as caught:
        sitrep.save_note(event, DAY2, {"problems": "x" * 4001}, user.id)
    assert caught.value.field == "problems"
    with pytest.raises(DomainError):
        sitrep.save_note(event, DAY2, {"weather": "hujan"}, user.id)


def test_whatsapp_text_summarises_the_day(db, flood):
    text = sitrep_whatsapp.whatsapp_text(sitrep.build(flood["event"].id, DAY2))
    lines = text.splitlines()
    assert lines[0] == "*LAPORAN SITUASI HARIAN*"
    assert "21 November 2026 — hari ke-2 kejadian" in lines
    assert f"Status: Tanggap darurat, hari ke-2 dari 14 (SK {DECREE})" in lines
    assert "*Dampak:* 2 kelurahan, 40 jiwa (12 KK) terdampak, 8 jiwa mengungsi" in lines
    assert "Korban jiwa: 1 luka" in lines
    assert (
        "*Pengungsian:* 2 lokasi, 80 jiwa / kapasitas 150 (53%); 1 lokasi melebihi kapasitas"
        in lines
    )
    assert "*Bantuan hari ini:* Permakanan 93 orang; Psikososial 1 orang" in lines
    assert "*Tagana bertugas:* 1 orang di 1 lokasi" in lines
    assert lines[-1] == "— Dinas Sosial Kota Bekasi"
    for secret in (BUDI_NIK, ANI_NIK, *SECRET_NAMES):
        assert secret not in text


def test_bad_dates_and_unknown_event(db, flood):
    event = flood["event"]
    with pytest.raises(NotFound):
        sitrep.build(999999, DAY2)
    with pytest.raises(DomainError, match="sebelum kejadian dimulai"):
        sitrep.build(event.id, date(2026, 11, 19))
    with pytest.raises(DomainError, match="belum terjadi"):
        sitrep.build(event.id, date(2099, 1, 1))
    with pytest.raises(DomainError, match="TTTT-BB-HH"):
        sitrep.parse_day("21/11/2026")
    with pytest.raises(DomainError, match="TTTT-BB-HH"):
        sitrep.parse_day("2026-02-30")
    event.closed_at = datetime(2026, 11, 25, 3, 0)
    db.session.commit()
    with pytest.raises(DomainError, match="setelah kejadian ditutup"):
        sitrep.build(event.id, date(2026, 11, 26))
    assert sitrep.default_day(event) == date(2026, 11, 25)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_reads_back_with_the_figures_and_no_personal_data(db, flood, bekasi_office):
    data = sitrep.build(flood["event"].id, DAY2)
    content = sitrep.render_pdf(data)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "DINAS SOSIAL KOTA BEKASI" in text
    assert "LAPORAN SITUASI HARIAN" in text
    assert "21 November 2026" in text
    assert DECREE in text
    assert "Masjid Al-Ikhlas" in text
    assert "53,33%" in text  # shelter occupancy in Indonesian format
    assert "Drs. Hendra Gunawan, M.Si." in text and "NIP 197003151995031002" in text
    assert "2,8" in text  # beras cumulative, kg
    for secret in (BUDI_NIK, ANI_NIK, *SECRET_NAMES):
        assert secret not in text


def test_xlsx_cell_by_cell(db, flood):
    data = sitrep.build(flood["event"].id, DAY2)
    book = openpyxl.load_workbook(io.BytesIO(sitrep_xlsx.render_xlsx(data)))
    assert book.sheetnames == [
        "Ringkasan",
        "Dampak",
        "Pengungsian",
        "Bantuan",
        "Barang",
        "Kebutuhan",
        "Kebutuhan standar",
        "Tagana",
        "Stok",
        "Catatan",
    ]
    summary = {
        row[0].value: row[1] for row in book["Ringkasan"].iter_rows(min_row=4) if row[0].value
    }
    assert summary["Tanggal laporan"].value == datetime(2026, 11, 21)
    assert summary["Tanggal laporan"].number_format == "[$-421]d mmmm yyyy"
    assert summary["Hari ke- tanggap darurat"].value == 2
    assert summary["Jiwa terdampak"].value == 40
    assert summary["Orang di pengungsian"].value == 80

    impact = book["Dampak"]
    assert [c.value for c in impact[4]][:5] == [
        "Kode",
        "Kelurahan",
        "Kecamatan",
        "Sumber",
        "KK terdampak",
    ]
    by_code = {row[0].value: [c.value for c in row] for row in impact.iter_rows(min_row=5)}
    assert by_code[MARGAHAYU][3:] == ["Kaji cepat", 10, 37, 6, 0, 0, 1, 3, 15, 37, 0]
    assert by_code[BEKASIJAYA][3:] == ["Terdata", 2, 3, 2, 0, 0, 0, 0, 0, 2, 3]
    total = [c for c in impact[impact.max_row]]
    assert total[1].value == "Jumlah" and total[5].value == 40
    assert total[5].number_format == "#,##0"

    shelters = {row[0].value: row for row in book["Pengungsian"].iter_rows(min_row=5)}
    mosque = shelters["Masjid Al-Ikhlas"]
    assert [mosque[i].value for i in (3, 4, 5, 6)] == [50, 60, 15, 120]
    assert mosque[7].value == datetime(2026, 11, 21)
    assert shelters["Jumlah"][4].value == 80
    assert shelters["Jumlah"][6].value == pytest.approx(53.33)

    aid = {row[0].value: [c.value for c in row] for row in book["Bantuan"].iter_rows(min_row=5)}
    assert aid["Penyediaan makanan (permakanan)"][1:] == [2, 93, 3, 3, 95, 3]
    assert aid["Penyediaan sandang"][1:] == [0, 0, 0, 1, 1, 1]

    goods = {row[1].value: [c.value for c in row] for row in book["Barang"].iter_rows(min_row=5)}
    assert goods["beras"][4:] == [pytest.approx(1.2), pytest.approx(2.8)]
    assert goods["selimut"][4:] == [0, 1]

    tagana = [[c.value for c in row] for row in book["Tagana"].iter_rows(min_row=5)]
    assert tagana == [
        ["Tempat pengungsian: Masjid Al-Ikhlas", "Koordinator dapur umum", 1],
        ["Jumlah (orang berbeda)", None, 1],
    ]
    cells = [
        str(c.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]
    for secret in (BUDI_NIK, ANI_NIK, *SECRET_NAMES):
        assert not any(secret in value for value in cells)


def test_worker_stores_pdf_xlsx_and_html(db, flood, make_user, client_for, run_jobs):
    event = flood["event"]
    client = client_for(make_user("operator"))
    response = client.post(f"/laporan/situasi/kejadian/{event.id}/2026-11-21/buat")
    assert response.status_code == 302
    run_jobs()
    db.session.expire_all()
    key = f"event:{event.id}:2026-11-21"
    files = {
        f.format: f
        for f in db.session.scalars(
            select(ReportFile).where(ReportFile.kind == "sitrep", ReportFile.key == key)
        )
    }
    assert set(files) == {"pdf", "xlsx", "html"}
    slug = event.code.lower()
    assert files["pdf"].filename == f"sitrep-{slug}-2026-11-21.pdf"
    assert "Masjid Al-Ikhlas" in pdf_text(files["pdf"].content)
    book = openpyxl.load_workbook(io.BytesIO(files["xlsx"].content))
    summary = {row[0].value: row[1].value for row in book["Ringkasan"].iter_rows(min_row=4)}
    assert summary["Hari ke-"] == 2
    assert summary["Orang di pengungsian"] == 80
    html = files["html"].content.decode("utf-8")
    assert "LAPORAN SITUASI HARIAN" in html
    for secret in (BUDI_NIK, ANI_NIK, *SECRET_NAMES):
        assert secret not in html
    # The page now offers the downloads, and they download.
    page = client.get(f"/laporan/situasi/kejadian/{event.id}/2026-11-21").get_data(as_text=True)
    assert f"/laporan/berkas/{files['pdf'].id}" in page
    assert f"/laporan/berkas/{files['xlsx'].id}" in page
    assert client.get(f"/laporan/berkas/{files['xlsx'].id}").data == files["xlsx"].content
    # The job page links to the sitrep.
    job_id = files["pdf"].job_id
    detail = client.get(f"/pekerjaan/{job_id}").get_data(as_text=True)
    assert f"/laporan/situasi/pekerjaan/{job_id}" in detail
    result = client.get(f"/laporan/situasi/pekerjaan/{job_id}")
    assert result.headers["Location"].endswith(f"/laporan/situasi/kejadian/{event.id}/2026-11-21")
