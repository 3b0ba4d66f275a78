"""SPM dashboard drill-downs: every number opens the rows behind it, and every table exports."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from logistics.core.database import transaction
from logistics.spm import aggregates as spm_aggregates
from logistics.stock.models import Warehouse
from logistics.victims.models import Household
from tests.support.areas import BEKASIJAYA
from tests.support.spm import A_DAY


@pytest.fixture
def built(db, scenario):
    # Budi's household gets a KK number: drill-downs must show it masked.
    household = db.session.scalar(select(Household).where(Household.head_name == "Budi"))
    household.no_kk = "3275010000001234"
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    return scenario


@pytest.fixture
def stocked(db, built):
    """Beras: 72 kg usable, 500 kg expired, 40 kg in a closed warehouse."""
    from logistics.stock import ledger
    from logistics.stock.warehouses import create_warehouse

    main = create_warehouse(name="Gudang Dinsos", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    closed = create_warehouse(name="Gudang Lama", tier="kab_kota", kelurahan_code=BEKASIJAYA)
    db.session.commit()
    beras = ledger.get_item("beras")
    with transaction():
        fresh = ledger.find_or_create_lot(main, beras, "LOT-A", date(2027, 6, 1), A_DAY)
        ledger.put(fresh, Decimal(72), "receipt")
        old = ledger.find_or_create_lot(main, beras, "LOT-B", date(2026, 11, 1), A_DAY)
        ledger.put(old, Decimal(500), "receipt")
        shut = ledger.find_or_create_lot(closed, beras, "LOT-C", date(2027, 6, 1), A_DAY)
        ledger.put(shut, Decimal(40), "receipt")
    db.session.get(Warehouse, closed.id).active = False
    db.session.commit()
    return built


@pytest.fixture
def kadis(make_user, login):
    return login(make_user("pimpinan"))


def _dashboard(client, flood, component=""):
    url = f"/spm/?tahun=2026&kejadian={flood.id}&tanggal={A_DAY.isoformat()}&komponen={component}"
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</table>", start)]


def _drill_names(html: str) -> list[str]:
    table = _section(html, 'id="drill-table"')
    return re.findall(r"<tr><td>([^<]+)</td>", table)


def test_every_number_on_the_dashboard_is_a_link(kadis, stocked):
    # "semua": the per-kelurahan detail of every component, below the summary.
    html = _dashboard(kadis, stocked["flood"], "semua")
    summary = html[html.index('id="summary"') : html.index("</ul>", html.index('id="summary"'))]
    figures = re.findall(r"<dd>(.*?)</dd>", summary, re.S)
    assert len(figures) == 4 * 6  # target, tertangani, kurang, capaian; 5 components and all
    assert not [f for f in figures if "<a " not in f], figures
    for marker in (
        'class="spm-bars"',
        'id="kelurahan-table"',
        'id="shelter-table"',
        'id="quantities-table"',
        'id="cover-table"',
    ):
        cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', _section(html, marker), re.S)
        assert cells, marker
        unlinked = [c for c in cells if "<a " not in c]
        assert not unlinked, f"{marker}: {unlinked[:3]}"
    # The rapid-assessment addition and the achievement bars open rows too.
    assert "/spm/rincian/kaji-cepat?tahun=2026&amp;komponen=semua" in html
    assert re.search(r'<a class="bar-label" href="/spm/rincian/tahun\?', html)


def test_terpenuhi_lists_the_persons_the_year_table_counts(kadis, built):
    html = _dashboard(kadis, built["flood"])
    row = _section(html, 'data-indicator="capaian_spm"')
    link = re.search(r'href="(/spm/rincian/tahun\?[^"]*jenis=terpenuhi[^"]*)">(\d+)</a>', row)
    # Budi got everything he needs; Siti needs only food and got it; Ani still lacks clothes.
    assert link.group(2) == "2"
    page = kadis.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(_drill_names(page)) == ["Budi", "Siti"]
    clothes = kadis.get("/spm/rincian/tahun?tahun=2026&komponen=sandang&jenis=terpenuhi")
    assert _drill_names(clothes.get_data(as_text=True)) == ["Budi"]


def test_household_figure_opens_the_households(kadis, built):
    flood = built["flood"]
    html = _dashboard(kadis, flood, "permakanan")
    row = _section(html, 'id="kelurahan-table"')
    cell = re.search(r'href="(/spm/rincian/kk\?[^"]*kelurahan=32.75.01.1001[^"]*)">(\d+)</a>', row)
    assert cell.group(2) == "2"  # Budi's household (Budi, Ani) and Siti's
    page = kadis.get(cell.group(1).replace("&amp;", "&")).get_data(as_text=True)
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", page
    )
    assert sorted(rows) == [("Budi", "3275********1234", "2"), ("Siti", "—", "1")]
    assert "3275010000001234" not in page
    clothes = kadis.get(
        f"/spm/rincian/kk?kejadian={flood.id}&kelurahan={BEKASIJAYA}&komponen=sandang"
    ).get_data(as_text=True)
    assert "Budi" in clothes and "Siti" not in clothes


def test_gap_cell_lists_who_is_still_waiting(kadis, built):
    flood = built["flood"]
    html = _dashboard(kadis, flood, "sandang")
    row = _section(html, 'id="kelurahan-table"')
    link = re.search(r'<a class="cell-link" href="(/spm/rincian/kesenjangan\?[^"]+)"', row)
    page = kadis.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    # Budi and Ani need clothes, Budi got them: the gap of 1 is Ani.
    assert _drill_names(page) == ["Ani"]
    assert "Kesenjangan 1 =" in page
    food = kadis.get(
        f"/spm/rincian/kesenjangan?kejadian={flood.id}&kelurahan={BEKASIJAYA}"
        f"&komponen=permakanan&tanggal={A_DAY.isoformat()}"
    ).get_data(as_text=True)
    assert _drill_names(food) == [] and "Semua korban terdata sudah menerima" in food
    assert "30 porsi tanpa nama" in food


def test_stock_figure_opens_the_lots_behind_it(kadis, stocked):
    html = _dashboard(kadis, stocked["flood"])
    row = _section(html, 'data-item="beras"')
    link = re.search(r'href="(/spm/rincian/stok\?[^"]+)">([^<]+)</a>', row)
    assert link.group(2) == "72,00"
    page = kadis.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    table = _section(page, 'id="drill-table"')
    # Only the usable lot: not the expired one, not the closed warehouse's.
    assert "LOT-A" in table and "LOT-B" not in table and "LOT-C" not in table
    assert "Gudang Dinsos" in table and "jumlah 72,00" in page


def test_rapid_assessment_addition_opens_its_kelurahan(kadis, built):
    page = kadis.get("/spm/rincian/kaji-cepat?tahun=2026&komponen=semua").get_data(as_text=True)
    table = _section(page, 'id="drill-table"')
    # 10 displaced + 5 at home need food: the largest component need of the kelurahan.
    assert re.search(r'<td class="num">15</td><td class="num">4</td>', table)
    clothes = kadis.get("/spm/rincian/kaji-cepat?tahun=2026&komponen=sandang")
    assert '<td class="num">10</td>' in clothes.get_data(as_text=True)


def test_drill_tables_export_as_csv_and_xlsx(kadis, stocked):
    flood = stocked["flood"]
    gap = kadis.get(
        f"/spm/rincian/kesenjangan?kejadian={flood.id}&kelurahan={BEKASIJAYA}"
        f"&komponen=sandang&tanggal={A_DAY.isoformat()}&format=csv"
    )
    assert gap.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(gap.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Nama", "NIK", "Status"], ["Ani", "", "Mengungsi"]]
    households = kadis.get(
        f"/spm/rincian/kk?kejadian={flood.id}&kelurahan={BEKASIJAYA}&komponen=sandang&format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(households.data)).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Kepala keluarga", "Nomor KK", "Jiwa membutuhkan"),
        ("Budi", "3275********1234", 2),
    ]
    lots = kadis.get(f"/spm/rincian/stok?barang=beras&tanggal={A_DAY.isoformat()}&format=csv")
    lot_rows = list(csv.reader(io.StringIO(lots.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r[0], r[2], r[4]) for r in lot_rows[1:]] == [("Gudang Dinsos", "LOT-A", "72.000")]
    met = kadis.get("/spm/rincian/tahun?tahun=2026&komponen=semua&jenis=terpenuhi&format=csv")
    assert sorted(met.get_data(as_text=True).splitlines()[1:]) == ["Budi,", "Siti,"]
    cover = kadis.get(
        f"/spm/ekspor/stok?kejadian={flood.id}&tanggal={A_DAY.isoformat()}&format=csv"
    )
    cover_rows = list(csv.reader(io.StringIO(cover.get_data(as_text=True).lstrip("\ufeff"))))
    beras = next(r for r in cover_rows if r[1] == "beras")
    # 72 kg usable, (3 + 15 persons) x 0.4 kg = 7.2 kg a day -> 10 days.
    assert (beras[2], beras[6], beras[8]) == ("72.000", "10.00", "")
    quantities = kadis.get(
        f"/spm/ekspor/kebutuhan?kejadian={flood.id}&tanggal={A_DAY.isoformat()}&format=xlsx"
    )
    q_rows = list(load_workbook(io.BytesIO(quantities.data)).active.iter_rows(values_only=True))
    assert q_rows[0][0] == "Kebutuhan" and len(q_rows) > 1


def test_drill_downs_need_login(client, built):
    for url in (
        "/spm/rincian/kk?kejadian=1&kelurahan=x&komponen=sandang",
        "/spm/rincian/kesenjangan?kejadian=1&kelurahan=x&komponen=sandang&tanggal=2026-11-21",
        "/spm/rincian/stok?barang=beras",
        "/spm/rincian/kaji-cepat?tahun=2026",
        "/spm/ekspor/stok",
        "/spm/ekspor/kebutuhan",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], url


def test_needing_figure_shows_the_head_count_behind_it(kadis, db, built):
    from logistics.shelters.models import ShelterCount

    mosque = built["mosque"]
    db.session.add(ShelterCount(shelter_id=mosque.id, counted_on=A_DAY, persons=7, households=2))
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    html = _dashboard(kadis, built["flood"], "permakanan")
    shelter = _section(html, 'id="shelter-table"')
    link = re.search(rf'href="(/spm/rincian/korban\?[^"]*tempat={mosque.id})">(\d+)</a>', shelter)
    # The mosque's head count of 7 replaces Budi, its one registered evacuee, from that day.
    assert link.group(2) == "7"
    page = kadis.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _drill_names(page) == ["Budi"]
    counts = _section(page, 'id="count-table"')
    assert "Masjid Al-Ikhlas" in counts
    assert '<td class="num">7</td><td class="num">2</td>' in counts
