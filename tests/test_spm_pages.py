"""SPM pages, API and command: dashboard, drill-downs, exports, settings, targets, rebuild job."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import select, update

from logistics.core.database import transaction
from logistics.core.job_models import JobRecord
from logistics.spm import aggregates as spm_aggregates
from logistics.spm import dashboard as spm_dashboard
from logistics.spm import tracking as spm_tracking
from logistics.spm.models import SpmMetRule, SpmStandard, SpmTarget
from tests.support.areas import BEKASIJAYA
from tests.support.spm import A_DAY


@pytest.fixture
def built(db, scenario):
    spm_aggregates.rebuild()
    db.session.commit()
    return scenario


def test_dashboard_needs_login(client):
    response = client.get("/spm/")
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_dashboard_shows_needs_gap_and_year(db, built, make_user, login):
    client = login(make_user("pimpinan"))
    page = client.get(
        f"/spm/?kejadian={built['flood'].id}&tanggal={A_DAY.isoformat()}&komponen=sandang"
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-kelurahan="32.75.01.1001" data-component="sandang"' in html
    # Two displaced need clothes, one got them: gap 1, linked to the rows behind it.
    assert "/spm/rincian/penyaluran?" in html and "/spm/rincian/korban?" in html
    assert 'class="num gap gap-short">1' in html
    assert "Capaian SPM tahun 2026" in html
    assert 'data-stale="0"' in html
    # The choropleth of the gap, for the chosen component.
    assert "Peta kesenjangan: Penyediaan sandang" in html and "leaflet" in html
    # The legend names every class the map can use; the text list gives each area's class.
    legend = html.split('aria-label="Keterangan warna peta"', 1)[1].split("</ul>", 1)[0]
    for label, colour in spm_dashboard.GAP_CLASSES:
        assert label in legend and f"background: {colour}" in legend
    assert "Daftar kesenjangan penyediaan sandang di peta" in html


class UnfoldedLinks(HTMLParser):
    """Counts the links of <main> a phone shows at once: not those inside a folded <details>."""

    def __init__(self):
        super().__init__()
        self.in_main = self.folded = 0
        self.links = 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
        elif tag == "details" and "open" not in dict(attrs):
            self.folded += 1
        elif tag == "a" and self.in_main and not self.folded and dict(attrs).get("href"):
            self.links += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
        elif tag == "details" and self.folded:
            self.folded -= 1  # an open <details> holds no folded one in these pages


def test_dashboard_opens_on_a_short_summary(db, built, make_user, login):
    client = login(make_user("pimpinan"))
    query = f"/spm/?kejadian={built['flood'].id}&tanggal={A_DAY.isoformat()}"
    html = client.get(query).get_data(as_text=True)
    # Per component: target, tertangani, kurang (the day's shortfall), capaian.
    card = html[html.index('data-component="sandang"') :]
    card = card[: card.index("</li>")]
    lacking = re.search(r'komponen=sandang#wilayah">(\d+)</a>', card)
    assert "<dt>Target</dt>" in card and "<dt>Capaian</dt>" in card
    # No per-area rows and no map until a component is asked for; the rest is folded.
    assert 'id="kelurahan-table"' not in html and "leaflet" not in html
    counter = UnfoldedLinks()
    counter.feed(html)
    assert counter.links <= 40, counter.links
    detail = client.get(query + "&komponen=sandang").get_data(as_text=True)
    rows = re.findall(r'<tr data-kelurahan="[^"]+" data-component="(\w+)"', detail)
    assert rows and set(rows) == {"sandang"}
    # The summary's shortfall is the kelurahan's shortfalls added up (Ani in Bekasijaya, and
    # the rapid assessment's displaced elsewhere).
    gaps = re.findall(r'class="num gap gap-short">(\d+)', detail.split('id="shelter-table"')[0])
    assert int(lacking.group(1)) == sum(map(int, gaps)) > 1
    assert "Peta kesenjangan: Penyediaan sandang" in detail
    everything = UnfoldedLinks()
    everything.feed(client.get(query + "&komponen=semua").get_data(as_text=True))
    assert everything.links > counter.links


def test_gap_map_of_approximate_areas_says_so(db, built, make_user, login):
    from logistics.areas.models import Area

    db.session.execute(update(Area).values(approximate=True))
    db.session.commit()
    client = login(make_user("pimpinan"))
    query = f"/spm/?kejadian={built['flood'].id}&tanggal={A_DAY.isoformat()}&komponen=sandang"
    html = client.get(query).get_data(as_text=True)
    # The notice every map of approximate areas carries, folded on a phone.
    assert "Perhatian: batas perkiraan" in html and "details data-open-wide" in html


def test_stale_marks_show_on_dashboard(db, built, make_user, login):
    spm_tracking.mark_stale({(built["flood"].id, A_DAY)})
    client = login(make_user("operator"))
    html = client.get("/spm/").get_data(as_text=True)
    assert "Data belum mutakhir" in html and 'data-stale="1"' in html


def test_drill_downs_list_the_rows(db, built, make_user, login):
    client = login(make_user("operator"))
    needing = client.get(
        f"/spm/rincian/korban?kejadian={built['flood'].id}&kelurahan={BEKASIJAYA}&komponen=sandang"
    ).get_data(as_text=True)
    assert "Budi" in needing and "Ani" in needing and "Siti" not in needing
    delivered = client.get(
        f"/spm/rincian/penyaluran?kejadian={built['flood'].id}&kelurahan={BEKASIJAYA}"
        f"&komponen=permakanan&tanggal={A_DAY.isoformat()}&tempat={built['mosque'].id}"
    ).get_data(as_text=True)
    assert delivered.count("<tr><td>") == 2  # Budi's hand-out and the kitchen's portions
    year = client.get("/spm/rincian/tahun?tahun=2026&komponen=sandang&jenis=terlayani")
    assert "Budi" in year.get_data(as_text=True)
    assert "Ani" not in year.get_data(as_text=True)


def test_exports(db, built, make_user, login):
    client = login(make_user("pimpinan"))
    csv_text = client.get(
        f"/spm/ekspor/harian?kejadian={built['flood'].id}&tanggal={A_DAY.isoformat()}&format=csv"
    ).get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").startswith("Kejadian,Tanggal,Kode kelurahan")
    assert f"{BEKASIJAYA}," in csv_text and ",30," in csv_text  # the kitchen's 30 portions
    xlsx = client.get("/spm/ekspor/tahun?tahun=2026&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_target_sets_capaian_on_dashboard_and_api(db, built, make_user, login):
    client = login(make_user("operator"))
    response = client.post(
        "/spm/target",
        data={
            "year": "2026",
            "indicator": "permakanan",
            "value": "4",
            "unit": "orang",
            "mode": "sum",
        },
    )
    assert response.status_code == 302
    target = db.session.scalar(select(SpmTarget))
    assert (target.value, target.unit) == (Decimal(4), "orang")
    body = client.get("/api/v1/spm/achievement/2026").get_json()
    food = next(i for i in body["items"] if i["indicator"] == "permakanan")
    assert (food["realisation"], food["target"], food["capaian_percent"]) == (3, 4, 75)
    spm_row = next(i for i in body["items"] if i["indicator"] == "capaian_spm")
    assert spm_row["realisation"] == 66.67
    assert "75,00%" in client.get("/spm/?tahun=2026").get_data(as_text=True)


def test_target_refuses_bad_values(db, make_user, login):
    client = login(make_user("operator"))
    response = client.post(
        "/spm/target", data={"year": "2026", "indicator": "x", "value": "4", "unit": "orang"}
    )
    assert response.status_code == 422
    assert "Pilih indikator" in response.get_data(as_text=True)


def test_standard_new_version_and_permissions(db, make_user, login, client):
    login(make_user("pimpinan"))
    form = {
        "code": "beras", "need": "Beras", "component": "permakanan", "quantity": "0,5",
        "unit": "kg", "basis": "person", "period": "day", "days_from": "1",
        "source": "Perda 2027", "valid_from": "2027-01-01",
    }  # fmt: skip
    assert client.post("/spm/standar", data=form).status_code == 403
    client.post("/keluar")
    login(make_user("operator"))
    assert client.post("/spm/standar", data=form).status_code == 302
    versions = db.session.scalars(
        select(SpmStandard).where(SpmStandard.code == "beras").order_by(SpmStandard.valid_from)
    ).all()
    assert [v.quantity for v in versions] == [Decimal("0.4"), Decimal("0.5")]
    again = client.post("/spm/standar", data=form)
    assert again.status_code == 422 and "sudah ada" in again.get_data(as_text=True)


def test_met_rules_setting_queues_rebuild(db, built, make_user, login, run_jobs):
    client = login(make_user("admin"))
    response = client.post(
        "/spm/terpenuhi",
        data={"rule-mengungsi": ["permakanan"], "rule-menderita": ["permakanan"]},
    )
    assert response.status_code == 302
    rules = {(r.status, r.component) for r in db.session.scalars(select(SpmMetRule))}
    assert rules == {("mengungsi", "permakanan"), ("menderita", "permakanan")}
    run_jobs()
    db.session.expire_all()
    body = client.get("/api/v1/spm/achievement/2026").get_json()
    spm_row = next(i for i in body["items"] if i["indicator"] == "capaian_spm")
    # Food alone now meets every need: all 3 persons met.
    assert (spm_row["persons_needing"], spm_row["persons_met"]) == (3, 3)
    empty = client.post("/spm/terpenuhi", data={})
    assert empty.status_code == 422


def test_rebuild_job_with_progress_record(db, scenario, make_user, login, run_jobs):
    client = login(make_user("operator"))
    response = client.post("/spm/bangun-ulang")
    assert response.status_code == 302
    run_jobs()
    db.session.expire_all()
    record = db.session.scalar(select(JobRecord).where(JobRecord.func.like("%spm_rebuild")))
    assert record.status == "finished" and record.progress == 100
    assert record.result["daily_rows"] > 0


def test_api_needs_and_stock_cover(db, built, make_user, login, client):
    assert client.get("/api/v1/spm/needs?event_id=1").status_code == 401
    login(make_user("tagana"))
    body = client.get(
        f"/api/v1/spm/needs?event_id={built['flood'].id}&day={A_DAY.isoformat()}"
    ).get_json()
    food = next(
        i for i in body["items"]
        if i["kelurahan_code"] == BEKASIJAYA and i["component"] == "permakanan"
    )  # fmt: skip
    assert (food["persons_needing"], food["delivered"], food["gap"]) == (3, 33, -30)
    k3 = next(i for i in body["items"] if i["kelurahan_code"] == built["k3"])
    assert k3["estimated"] is True
    cover = client.get(
        f"/api/v1/spm/stock-cover?event_id={built['flood'].id}&day={A_DAY.isoformat()}"
    ).get_json()
    beras = next(i for i in cover["items"] if i["code"] == "beras")
    # 3 + 15 persons x 0.4 kg = 7.2 kg a day, no stock: zero days, flagged.
    assert (beras["need"], beras["days_of_cover"], beras["warning"]) == (7.2, 0, True)
    assert client.get("/api/v1/spm/needs?event_id=999").status_code == 404
    assert client.get("/api/v1/spm/needs").status_code == 422


def test_cli_rebuild(app, db, scenario):
    result = app.test_cli_runner().invoke(args=["spm", "rebuild", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "daily rows" in result.output


def test_stock_cover_in_days_skips_expired_lots(db, built, make_user, login):
    from datetime import date

    from logistics.stock import ledger
    from logistics.stock.warehouses import create_warehouse

    warehouse = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    db.session.commit()
    beras = ledger.get_item("beras")
    with transaction():
        fresh = ledger.find_or_create_lot(warehouse, beras, "A", date(2027, 6, 1), A_DAY)
        ledger.put(fresh, Decimal(72), "receipt")
        old = ledger.find_or_create_lot(warehouse, beras, "B", date(2026, 11, 1), A_DAY)
        ledger.put(old, Decimal(500), "receipt")
    client = login(make_user("pimpinan"))
    cover = client.get(
        f"/api/v1/spm/stock-cover?event_id={built['flood'].id}&day={A_DAY.isoformat()}"
    ).get_json()
    beras_row = next(i for i in cover["items"] if i["code"] == "beras")
    # 72 kg usable at 7.2 kg a day: 10 days; the expired lot does not count.
    assert (beras_row["stock"], beras_row["days_of_cover"], beras_row["warning"]) == (72, 10, False)


def test_target_aggregation_modes(db, built):
    from logistics.spm import dashboard as spm_dashboard
    from logistics.spm import settings as spm_settings

    for indicator, mode, value in (
        ("sandang", "level", "2"),
        ("tempat_penampungan", "year_end", "4"),
        ("psikososial", "sum", "10"),
    ):
        spm_settings.save_target(
            {"year": 2026, "indicator": indicator, "value": value, "unit": "orang", "mode": mode}
        )
    db.session.commit()
    summary = {r["indicator"]: r for r in spm_dashboard.year_summary(2026)}
    # Level: the latest quarter's persons served (Q4: Budi) against 2 -> 50%.
    assert (summary["sandang"]["realisation"], summary["sandang"]["capaian"]) == (1, Decimal(50))
    # Year end: the fourth quarter's figure (Budi sheltered) against 4 -> 25%.
    assert summary["tempat_penampungan"]["capaian"] == Decimal(25)
    # Nobody got psikososial support: 0% of the target, shown rather than hidden.
    assert summary["psikososial"]["capaian"] == Decimal(0)
    assert summary["kelompok_rentan"]["target"] is None


def test_import_targets_from_plan_spreadsheet(db, make_user, login):
    import io

    from openpyxl import Workbook

    client = login(make_user("operator"))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tahun", "Indikator", "Nilai", "Satuan", "Cara hitung", "Sumber"])
    # Kota Bekasi's plan: shelter counted in units one year and in persons the next.
    sheet.append([2025, "1.06.06.02.01.0003", 6, "unit", "akhir tahun", "Renstra 2025-2030"])
    sheet.append([2026, "1.06.06.2.01.0003", 200, "orang", "jumlah", "Renstra 2025-2030"])
    sheet.append([2026, "capaian_spm", 100, "%", "tingkat", "SK Wali Kota"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = client.post(
        "/spm/target/impor",
        data={"file": (buffer, "renstra.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    targets = {(t.year, t.indicator): t for t in db.session.scalars(select(SpmTarget))}
    assert (targets[(2025, "tempat_penampungan")].unit, targets[(2025, "tempat_penampungan")].mode) == (
        "unit", "year_end",
    )  # fmt: skip
    assert targets[(2026, "tempat_penampungan")].value == 200
    assert targets[(2026, "capaian_spm")].mode == "level"

    bad = io.BytesIO(b"tahun,indikator,nilai,satuan\n2027,permakanan,700,orang\n2027,apa,5,orang\n")
    response = client.post(
        "/spm/target/impor", data={"file": (bad, "rencana.csv")},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "Baris 3" in response.get_data(as_text=True)
    assert not db.session.scalars(select(SpmTarget).where(SpmTarget.year == 2027)).all()
