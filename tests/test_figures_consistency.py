"""One definition per figure: the demo event's numbers agree on every page and document."""

import re
from datetime import date, datetime

from sqlalchemy import select

from logistics.demo.seed import seed_demo
from logistics.events.figures import FIGURES
from logistics.events.impact import impact_matrix
from logistics.events.models import Event
from logistics.reports import sitrep, year_report
from logistics.reports.sitrep_whatsapp import whatsapp_text
from logistics.spm import aggregates as spm_aggregates
from logistics.spm import dashboard as spm_dashboard
from logistics.victims.figures import registered_persons, registry_figures
from logistics.victims.models import Household
from tests.support.areas import BEKASIJAYA
from tests.support.spm import add_person, add_victim


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def test_the_demo_event_shows_the_same_figures_everywhere(db, make_user, login, client):
    seed_demo()
    db.session.commit()
    event = db.session.scalar(select(Event))
    spm_aggregates.rebuild()
    db.session.commit()
    matrix = impact_matrix(event, terdata=registry_figures(event))
    terdampak, kk = matrix.terdampak(), matrix.terdampak_kk()
    terdata = registered_persons([event.id])[event.id]
    assert terdampak > 0 and kk > 0 and terdata > 0

    data = sitrep.build(event.id, sitrep.default_day(event))
    totals = data["impact"]["totals"]
    assert (totals["jiwa_terdampak"], totals["kk_terdampak"]) == (terdampak, kk)
    assert totals["jiwa_terdata"] == terdata
    assert totals["mengungsi"] == matrix.terdampak("mengungsi")
    text = whatsapp_text(data)
    jiwa, households = re.search(r"([\d.]+) jiwa \(([\d.]+) KK\) terdampak", text).groups()
    assert (_number(jiwa), _number(households)) == (terdampak, kk)

    login(make_user("pimpinan"))
    page = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    headline = re.search(r"<strong>([\d.]+)</strong><abbr title=\"([^\"]+)\">Jiwa terdampak", page)
    assert _number(headline.group(1)) == terdampak
    assert headline.group(2) == FIGURES["terdampak"].definition
    assert re.search(rf"<strong>{kk:,}</strong><abbr".replace(",", "."), page)
    listing = client.get("/kejadian/").get_data(as_text=True)
    assert f'<td class="num">{terdata:,}</td>'.replace(",", ".") in listing
    sitrep_page = client.get(
        f"/laporan/situasi/kejadian/{event.id}", follow_redirects=True
    ).get_data(as_text=True)
    assert FIGURES["terdampak"].definition in sitrep_page

    # The year-end report counts the registry (terdata): the demo year has this one event.
    report = year_report.build(event.year)
    assert report["by_hazard_total"]["jiwa_affected"] == terdata
    assert report["by_region_total"]["jiwa_affected"] == terdata
    # The SPM indicator is the dashboard's, to the person.
    summary = {row["indicator"]: row for row in spm_dashboard.year_summary(event.year)}
    spm_row = summary["capaian_spm"]
    assert (report["indicator"]["needing"], report["indicator"]["met"]) == (
        spm_row["needing"],
        spm_row["met"],
    )


def test_a_household_whose_members_are_all_injured_stays_in_the_kk_count(db, make_event):
    event = make_event(started_at=datetime(2026, 11, 20, 2))
    injured = Household(head_name="Terluka")
    displaced = Household(head_name="Mengungsi")
    db.session.add_all([injured, displaced])
    for name in ("T1", "T2"):
        add_victim(db, event, add_person(db, name, injured), "terluka", BEKASIJAYA)
    add_victim(db, event, add_person(db, "M1", displaced), "mengungsi", BEKASIJAYA)
    db.session.commit()
    data = sitrep.build(event.id, date(2026, 11, 21))
    assert (
        data["impact"]["totals"]["kk_terdampak"],
        data["impact"]["totals"]["jiwa_terdampak"],
    ) == (
        2,
        3,
    )
    report = year_report.build(2026)
    assert report["by_hazard_total"]["kk_affected"] == 2
