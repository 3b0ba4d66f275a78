"""Indonesian formatting helpers."""

from datetime import date, datetime
from decimal import Decimal

from logistics.core.formatting import angka, persen, rupiah, table_rows, tanggal, tanggal_jam


def test_numbers_and_money():
    assert angka(1234.5) == "1.234,5"
    assert angka(1234567) == "1.234.567"
    assert angka(Decimal("72.375"), 2) == "72,38"
    assert rupiah(2324516984) == "Rp 2.324.516.984"
    assert rupiah(-1500) == "-Rp 1.500"
    assert persen(72.381) == "72,38%"
    assert angka(None) == "-"
    assert angka(-1234567) == "-1.234.567" and angka(0) == "0"


def test_dates_in_office_time_zone():
    assert tanggal(date(2026, 11, 22)) == "22 November 2026"
    # Stored as naive UTC: 17:30 UTC is past midnight in Jakarta.
    assert tanggal_jam(datetime(2026, 11, 22, 17, 30)) == "23 November 2026 00.30 WIB"
    assert (
        tanggal_jam(datetime(2026, 11, 22, 17, 30), "Asia/Jayapura") == "23 November 2026 02.30 WIT"
    )


def test_a_maps_text_list_rows_escape_names_and_format_numbers():
    rows = (("<b>Bekasijaya</b>", 1234, None), ("Duren Jaya", Decimal("2.5"), True))
    html = str(table_rows(rows))
    assert html.count("<tr>") == 2 and "<b>" not in html and "&lt;b&gt;Bekasijaya" in html
    assert '<td class="num">1.234</td>' in html and '<td class="num">2,5</td>' in html
    assert "<td></td>" in html and "<td>True</td>" in html
    # The same rows are drawn once; a list of lists (no cache key) is drawn all the same.
    assert table_rows(rows) is table_rows(rows)
    assert str(table_rows([list(row) for row in rows])) == html
