"""Reports, the SPM dashboard, home pages and open data within the user's wilayah; kab/kota groups
and subtotals for a provinsi office, none for a kab/kota office."""

import io
import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from logistics.core.scope import Scope
from logistics.distributions.models import Distribution, DistributionRecipient
from logistics.reports.models import ReportFile
from logistics.shelters.models import Shelter
from logistics.victims.persons import PersonInput
from tests.support.province import DESA_A, DESA_B

DAY = date(2026, 11, 21)
# What only 17.01 (Bengkulu Selatan) and only 17.02 (Rejang Lebong) show.
OWN = ("Desa Padang Manna", "Posko Manna")
OTHER = ("Talang Curup", "Posko Curup", "Rejang Lebong")


def _absent(text: str, markers=OTHER) -> None:
    for marker in markers:
        assert marker not in text, marker


@pytest.fixture
def spread(province, db):
    """An event over the whole province with a victim, an open shelter and a meal hand-out in
    each of its two kab/kota, and the day's SPM rows computed."""
    from logistics.events.services import create_event
    from logistics.spm.aggregates import recompute_event_day
    from logistics.victims.services import register_victim

    event = create_event(
        hazard_type_id=province["hazard"],
        title="Banjir Bengkulu",
        started_at=datetime(2026, 11, 20, 2, 0),
        area_code="17",
        kelurahan_codes=[DESA_A, DESA_B],
    )
    for place, desa in (("Manna", DESA_A), ("Curup", DESA_B)):
        victim, _ = register_victim(
            event,
            PersonInput(name=f"Korban {place}", no_nik_reason="dokumen_hilang", sex="L"),
            status="mengungsi",
            kelurahan_code=desa,
        )
        db.session.add(
            Shelter(
                event_id=event.id,
                name=f"Posko {place}",
                kind="barak",
                kelurahan_code=desa,
                capacity=50,
                opened_at=datetime(2026, 11, 20, 3, 0),
            )
        )
        handout = Distribution(
            event_id=event.id,
            component="permakanan",
            phase="saat",
            recipient_kind="person",
            person_id=victim.person_id,
            kelurahan_code=desa,
            distributed_on=DAY,
            persons_served=1,
        )
        handout.recipients = [DistributionRecipient(person_id=victim.person_id)]
        db.session.add(handout)
    db.session.flush()
    recompute_event_day(event.id, DAY)
    db.session.commit()
    return event


def _sitrep_url(event, api=False):
    if api:
        return f"/api/v1/events/{event.id}/sitrep/{DAY.isoformat()}"
    return f"/laporan/situasi/kejadian/{event.id}/{DAY.isoformat()}"


def test_a_kab_kota_operator_reads_the_sitrep_of_their_wilayah_only(spread, province, client_for):
    client = client_for(province["op_a"])
    page = client.get(_sitrep_url(spread)).get_data(as_text=True)
    assert all(marker in page for marker in OWN)
    assert "Wilayah: Bengkulu Selatan (17.01)" in page
    _absent(page)
    body = client.get(_sitrep_url(spread, api=True)).get_json()
    assert body["impact"]["totals"]["jiwa_terdampak"] == 1
    assert body["shelters"]["totals"]["units"] == 1
    assert body["aid"]["components"][0]["day"]["handouts"] == 1  # permakanan comes first
    assert {r["kelurahan_code"] for r in body["needs"]["rows"]} == {DESA_A}
    _absent(json.dumps(body))
    assert "Bengkulu Selatan" in body["whatsapp_text"]
    index = client.get("/laporan/situasi/").get_data(as_text=True)
    assert "Banjir 17.01" in index and "Banjir Bengkulu" in index and "Banjir 17.02" not in index
    other = province["b"]["event"]
    assert client.get(f"/laporan/situasi/kejadian/{other.id}/{DAY.isoformat()}").status_code == 404


def test_the_provincial_sitrep_has_kab_kota_subtotals_that_add_up(spread, province, client_for):
    from openpyxl import load_workbook

    from logistics.reports import sitrep, sitrep_xlsx

    client = client_for(province["viewer"])
    body = client.get(_sitrep_url(spread, api=True)).get_json()
    groups = body["impact"]["groups"]
    assert [g["code"] for g in groups] == ["17.01", "17.02"]
    for key, total in body["impact"]["totals"].items():
        assert sum(g["totals"][key] for g in groups) == total, key
    assert [g["totals"]["jiwa_terdampak"] for g in groups] == [1, 1]
    assert body["scope_label"] is None
    page = client.get(_sitrep_url(spread)).get_data(as_text=True)
    assert "<th>Kab/kota</th>" in page and "Talang Curup" in page and "Padang Manna" in page
    for code in ("17.01", "17.02"):
        assert f'class="subtotal" data-kab-kota="{code}"' in page

    sheet = load_workbook(io.BytesIO(sitrep_xlsx.render_xlsx(sitrep.build(spread.id, DAY))))[
        "Dampak"
    ]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    header, body_rows = rows[0], rows[1:]
    assert header[:2] == ["Kode kab/kota", "Kab/kota"]
    column = header.index("Jiwa terdampak")
    subtotals = [r[column] for r in body_rows if str(r[1]).startswith("Jumlah Bengkulu")]
    subtotals += [r[column] for r in body_rows if str(r[1]).startswith("Jumlah Rejang")]
    total = next(r[column] for r in body_rows if r[1] == "Jumlah semua kab/kota")
    assert subtotals == [1, 1] and sum(subtotals) == total == 2


def test_generated_sitrep_files_are_served_to_their_scope_only(
    spread,
    province,
    client_for,
    run_jobs,
    db,
):
    own = client_for(province["op_a"])
    made = own.post(f"{_sitrep_url(spread)}/buat")
    assert made.status_code == 302
    run_jobs()
    files = list(db.session.scalars(select(ReportFile).where(ReportFile.kind == "sitrep")))
    assert {f.format for f in files} == {"pdf", "xlsx", "html"}
    assert {f.scope for f in files} == {"17.01"}
    snapshot = next(f for f in files if f.format == "html")
    html = snapshot.content.decode("utf-8")
    assert "Padang Manna" in html
    _absent(html)
    assert own.get(f"/laporan/berkas/{snapshot.id}").status_code == 200
    listed = own.get(f"{_sitrep_url(spread, api=True)}/files").get_json()["files"]
    assert {f["id"] for f in listed} == {f.id for f in files}

    viewer = client_for(province["viewer"])
    assert viewer.get(f"/laporan/berkas/{snapshot.id}").status_code == 404
    assert viewer.get(f"{_sitrep_url(spread, api=True)}/files").get_json()["files"] == []
    assert f"/laporan/berkas/{snapshot.id}" not in viewer.get("/laporan/").get_data(as_text=True)
    page = viewer.get(_sitrep_url(spread)).get_data(as_text=True)
    assert f"/laporan/berkas/{snapshot.id}" not in page


def test_the_spm_dashboard_drills_and_exports_stay_in_the_wilayah(spread, province, client_for):
    client = client_for(province["op_a"])
    query = f"kejadian={spread.id}&tanggal={DAY.isoformat()}"
    page = client.get(f"/spm/?{query}&komponen=semua").get_data(as_text=True)
    assert "Padang Manna" in page and 'id="year-office-only"' in page
    _absent(page)
    export = client.get(f"/spm/ekspor/harian?{query}&format=csv").get_data(as_text=True)
    assert DESA_A in export and DESA_B not in export and "Kode kab/kota" in export
    needing = f"/spm/rincian/korban?{query}&komponen=permakanan&kelurahan="
    assert client.get(needing + DESA_B).status_code == 404
    assert "Korban Manna" in client.get(needing + DESA_A).get_data(as_text=True)
    assert client.get("/spm/ekspor/tahun?tahun=2026").status_code == 403
    assert client.get("/spm/rincian/tahun?tahun=2026").status_code == 403
    assert client.get("/api/v1/spm/achievement/2026").status_code == 403
    # The office's SPM settings apply to every kab/kota: shown, not changed, by a kab/kota user.
    assert client.post("/spm/terpenuhi", data={}).status_code == 403
    assert client.post("/spm/bangun-ulang").status_code == 403
    needs = client.get(f"/api/v1/spm/needs?event_id={spread.id}&day={DAY}").get_json()
    assert {item["kelurahan_code"] for item in needs["items"]} == {DESA_A}
    other = province["b"]["event"].id
    assert client.get(f"/api/v1/spm/needs?event_id={other}").status_code == 404

    viewer = client_for(province["viewer"])
    page = viewer.get(f"/spm/?{query}&komponen=semua").get_data(as_text=True)
    assert "Padang Manna" in page and "Talang Curup" in page
    for code in ("17.01", "17.02"):
        assert f'class="subtotal" data-kab-kota="{code}"' in page
    assert viewer.get("/api/v1/spm/achievement/2026").status_code == 200


def test_the_spm_subtotals_add_up_to_the_total(spread, province):
    from logistics.spm.dashboard import needs_table
    from logistics.spm.kab_kota_table import needs_groups

    table = needs_groups(needs_table(spread.id, DAY))
    assert [g["code"] for g in table["groups"]] == ["17.01", "17.02"]
    assert table["totals"], "the day has SPM rows"
    for total in table["totals"]:
        parts = [
            next(t for t in g["subtotals"] if t["component"] == total["component"])
            for g in table["groups"]
        ]
        for key in ("persons_needing", "households_needing", "delivered", "shortfall"):
            assert sum(p[key] for p in parts) == total[key], (total["component"], key)
    meals = next(t for t in table["totals"] if t["component"] == "permakanan")
    assert meals["persons_needing"] == 2 and meals["delivered"] == 2


def test_the_office_documents_refuse_a_kab_kota_user(province, client_for):
    client = client_for(province["op_a"])
    refused = client.get("/laporan/tahunan/")
    assert refused.status_code == 403
    assert "dokumen resmi kantor" in refused.get_data(as_text=True)
    assert client.get("/laporan/renstra/").status_code == 403
    assert client.get("/laporan/renstra/unduh.xlsx").status_code == 403
    assert client.get("/api/v1/year-report/2026").status_code == 403
    assert client.get("/api/v1/year-report/2026/files").status_code == 403
    index = client.get("/laporan/").get_data(as_text=True)
    assert "/laporan/tahunan/" not in index and "/laporan/situasi/" in index
    viewer = client_for(province["viewer"])
    assert viewer.get("/api/v1/year-report/2026/files").status_code == 200
    assert "/laporan/tahunan/" in viewer.get("/laporan/").get_data(as_text=True)


def test_the_home_pages_count_within_the_wilayah(spread, province, client_for, make_user, db):
    from logistics.admin.scopes import set_scope
    from logistics.home import command, work_queue

    kab, whole = Scope(see=("17.01",), record=("17.01",)), Scope()
    assert command.event_summary(spread, kab)["terdampak"] == 1
    assert command.event_summary(spread, whole)["terdampak"] == 2
    assert command.event_summary(spread, kab)["tertangani"] == 1
    assert work_queue.shelters_without_todays_count(kab) == 2  # Posko A and Posko Manna
    assert work_queue.shelters_without_todays_count(whole) == 4

    chief = make_user("pimpinan", "pimpinan-kab")
    set_scope(chief, record="17.01", see="")
    db.session.commit()
    page = client_for(chief).get("/").get_data(as_text=True)
    assert "Banjir 17.01" in page and "Banjir Bengkulu" in page
    assert "Banjir 17.02" not in page and "Posko Curup" not in page
    whole_page = client_for(province["viewer"]).get("/").get_data(as_text=True)
    assert "Banjir 17.02" in whole_page


def test_open_data_offers_a_kab_kota_level(spread, client):
    figures = client.get(f"/api/v1/open-data/events/{spread.id}/figures/kab_kota").get_json()
    rows = figures["items"]
    assert [r["adm2_code"] for r in rows] == ["17.01", "17.02"]
    assert [r["affected"] for r in rows] == [1, 1]
    assert "adm3_code" not in rows[0]
    kecamatan = client.get(f"/api/v1/open-data/events/{spread.id}/figures/kecamatan").get_json()
    assert sum(r["affected"] for r in rows) == sum(r["affected"] for r in kecamatan["items"])
    csv_text = client.get(f"/api/v1/open-data/events/{spread.id}/csv/kab_kota").get_data(
        as_text=True
    )
    header, tags = csv_text.splitlines()[:2]
    assert "#adm2+code" in tags and "#adm3" not in tags
    listed = client.get("/api/v1/open-data").get_json()
    event = next(e for e in listed["events"] if e["id"] == spread.id)
    assert ("csv", "kab_kota") in {(d["format"], d["level"]) for d in event["datasets"]}
    layer = client.get(f"/api/v1/open-data/events/{spread.id}/geojson/kab_kota").get_json()
    assert sorted(f["id"] for f in layer["features"]) == ["17.01", "17.02"]


def test_a_kab_kota_office_shows_no_kab_kota_column(spread, province, client_for, app, client):
    app.config.update(OFFICE_AREA_CODE="17.01", OFFICE_AREA_NAME="Bengkulu Selatan")
    viewer = client_for(province["viewer"])
    body = viewer.get(_sitrep_url(spread, api=True)).get_json()
    assert body["impact"]["groups"] is None and body["by_kab_kota"] is False
    page = viewer.get(_sitrep_url(spread)).get_data(as_text=True)
    assert "<th>Kab/kota</th>" not in page and 'class="subtotal"' not in page
    spm = viewer.get(f"/spm/?kejadian={spread.id}&tanggal={DAY.isoformat()}")
    assert 'class="subtotal"' not in spm.get_data(as_text=True)
    listed = client.get("/api/v1/open-data").get_json()
    event = next(e for e in listed["events"] if e["id"] == spread.id)
    assert "kab_kota" not in {d["level"] for d in event["datasets"]}


def test_a_tagana_day_lists_the_tasks_in_their_wilayah(province, client_for, make_user, db):
    from datetime import timedelta

    from logistics.admin.scopes import set_scope
    from logistics.core.time import utcnow
    from logistics.tagana.models import Deployment, TaganaMember

    user = make_user("tagana", "relawan-manna")
    set_scope(user, record="17.01", see="")
    member = TaganaMember(nia="1701-2026-001", name="Relawan Manna", sex="L", user_id=user.id)
    db.session.add(member)
    db.session.flush()
    now = utcnow()
    for key in ("a", "b"):
        db.session.add(
            Deployment(
                member_id=member.id,
                event_id=province[key]["event"].id,
                place_kind="shelter",
                shelter_id=province[key]["shelter"].id,
                role="Petugas shelter",
                letter_number=f"800/{key}/Linjamsos",
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=6),
            )
        )
    db.session.commit()
    page = client_for(user).get("/").get_data(as_text=True)
    assert "Posko A" in page and province["a"]["event"].code in page
    assert "Posko B" not in page and province["b"]["event"].code not in page
    assert 'id="tugas-luar-wilayah"' in page
