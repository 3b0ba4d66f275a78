"""Event pages: create, event page with map, role checks, impact and decree forms, exports,
public map without personal data, hazard list."""

import csv
import io
import json
from datetime import date

import shapely
from sqlalchemy import select

from logistics.areas.models import Area
from logistics.events import impact as impact_service
from logistics.events import services as service
from logistics.events.models import Event, HazardType
from logistics.shelters.models import Shelter, ShelterCount
from logistics.victims.models import Person, Victim

BEKASIJAYA = "32.75.01.1001"
MARGAHAYU = "32.75.01.1002"
SECRET_NAME = "Wulandari Kusumawardhani"
SECRET_NIK = "3275014506800007"
SECRET_CONTACT = "Pak Hendra Penanggungjawab"


def hazard_id(db, code="BJR"):
    return db.session.scalar(select(HazardType.id).where(HazardType.code == code))


def populated_event(db, make_event):
    """A flood with kaji cepat figures, one registered victim and one shelter."""
    event = make_event(kelurahan_codes=[BEKASIJAYA, MARGAHAYU])
    impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.dewasa.P": 30, "menderita.anak.L": 12})
    impact_service.set_impact(event, MARGAHAYU, {"meninggal.lansia.L": 1})
    person = Person(name=SECRET_NAME, nik=SECRET_NIK, sex="P", birth_date=date(1980, 6, 5))
    db.session.add(person)
    db.session.flush()
    area = db.session.scalar(select(Area).where(Area.code == BEKASIJAYA))
    shelter = Shelter(
        event_id=event.id,
        name="Masjid Al-Ikhlas",
        kind="masjid",
        kelurahan_code=BEKASIJAYA,
        lat=area.label_lat,
        lng=area.label_lng,
        capacity=50,
        pic_name=SECRET_CONTACT,
        pic_phone="081299990000",
    )
    db.session.add(shelter)
    db.session.flush()
    db.session.add(ShelterCount(shelter_id=shelter.id, counted_on=date(2026, 11, 21), persons=45))
    db.session.add(
        Victim(
            event_id=event.id,
            person_id=person.id,
            status="mengungsi",
            kelurahan_code=BEKASIJAYA,
            shelter_id=shelter.id,
        )
    )
    db.session.commit()
    return event


def test_list_needs_login_and_new_event_form_is_one_screen(client, make_user, login, bekasi):
    assert client.get("/kejadian/").status_code == 302
    login(make_user("operator"))
    page = client.get("/kejadian/baru")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('name="kelurahan_codes"') == 56
    assert "Kec. Bekasi Timur" in html and 'id="pick-filter"' in html
    assert 'type="datetime-local"' in html


def test_operator_opens_an_event(client, db, make_user, login, bekasi):
    login(make_user("operator"))
    response = client.post(
        "/kejadian/baru",
        data={
            "hazard_type_id": hazard_id(db),
            "title": "Banjir Jatiasih",
            "started_at": "2026-11-20T01:30",
            "kelurahan_codes": [BEKASIJAYA, MARGAHAYU],
        },
    )
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.code == "BJR-3275-2026-001"
    # 01:30 WIB is 18:30 UTC the day before.
    assert event.started_at.isoformat() == "2026-11-19T18:30:00"
    assert sorted(a.kelurahan_code for a in event.areas) == [BEKASIJAYA, MARGAHAYU]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "BJR-3275-2026-001" in page and "Bekasijaya" in page and "Margahayu" in page


def test_new_event_bad_input_is_shown_on_the_form(client, db, make_user, login, bekasi):
    login(make_user("operator"))
    response = client.post(
        "/kejadian/baru",
        data={
            "hazard_type_id": hazard_id(db),
            "title": "Banjir",
            "started_at": "2026-11-20T01:30",
            "ended_at": "2026-11-19T01:30",
        },
    )
    assert response.status_code == 422
    assert "tidak boleh sebelum waktu mulai" in response.get_data(as_text=True)
    response = client.post(
        "/kejadian/baru",
        data={
            "hazard_type_id": hazard_id(db),
            "title": "Banjir",
            "started_at": "2026-11-20T01:30",
            "kelurahan_text": "32.75.01.1999",
        },
    )
    assert response.status_code == 422 and "tidak dikenal" in response.get_data(as_text=True)
    assert db.session.scalar(select(Event)) is None


def test_event_page_for_operator(client, db, make_user, login, make_event):
    event = populated_event(db, make_event)
    login(make_user("operator"))
    page = client.get(f"/kejadian/{event.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert SECRET_NIK not in html and "3275********0007" in html  # pages mask; exports log
    assert "Masjid Al-Ikhlas" in html and "90%" in html
    assert "leaflet.js" in html and "poskoKelurahan" in html
    assert "Isi angka dampak" in html and "Tutup kejadian" in html


def test_event_page_for_pimpinan_is_read_only(client, db, make_user, login, make_event):
    event = populated_event(db, make_event)
    login(make_user("pimpinan"))
    html = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert SECRET_NAME in html and SECRET_NIK not in html and "3275********0007" in html
    main = html.split("<main>")[1]
    assert 'method="post"' not in main and "Isi angka dampak" not in main
    assert "Tutup kejadian" not in html and "+ SK status" not in html
    writes = [
        ("/kejadian/baru", {}),
        (f"/kejadian/{event.id}/tutup", {}),
        (f"/kejadian/{event.id}/status", {}),
        (f"/kejadian/{event.id}/kronologi", {}),
        (f"/kejadian/{event.id}/dampak/{BEKASIJAYA}", {"mengungsi__anak__L": "3"}),
        (f"/kejadian/{event.id}/wilayah", {}),
        (f"/kejadian/{event.id}/gambar", {}),
        ("/kejadian/jenis", {}),
    ]
    for url, data in writes:
        assert client.post(url, data=data).status_code == 403, url
    assert db.session.get(Event, event.id).closed_at is None


def test_tagana_records_impact_and_chronology_but_not_decrees(
    client, db, make_user, login, make_event
):
    event = make_event()
    login(make_user("tagana"))
    response = client.post(
        f"/kejadian/{event.id}/dampak/{BEKASIJAYA}",
        data={"mengungsi__lansia__P": "4", "rumah__terendam": "12"},
    )
    assert response.status_code == 302
    assert impact_service.impact_figures(event, BEKASIJAYA) == {
        "mengungsi.lansia.P": 4,
        "rumah.terendam": 12,
    }
    response = client.post(
        f"/kejadian/{event.id}/kronologi",
        data={"occurred_at": "2026-11-20T08:00", "text": "Air mulai surut."},
    )
    assert response.status_code == 302
    assert client.post(f"/kejadian/{event.id}/status", data={}).status_code == 403
    assert client.post(f"/kejadian/{event.id}/tutup").status_code == 403
    html = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert "Air mulai surut." in html


def test_a_blank_impact_form_keeps_the_figures(client, db, make_user, login, make_event):
    event = make_event()
    impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": 3, "rumah.terendam": 40})
    db.session.commit()
    login(make_user("tagana"))
    url = f"/kejadian/{event.id}/dampak/{BEKASIJAYA}"
    blank = client.post(url, data={"mengungsi__anak__L": "", "rumah__terendam": ""})
    assert blank.status_code == 422
    assert "Semua isian kosong" in blank.get_data(as_text=True)
    assert impact_service.impact_figures(event, BEKASIJAYA) == {
        "mengungsi.anak.L": 3,
        "rumah.terendam": 40,
    }
    # Empty cells keep their figure, "-" removes one, a typed number replaces one.
    response = client.post(url, data={"mengungsi__anak__L": "-", "ibu_hamil": "2"})
    assert response.status_code == 302
    assert impact_service.impact_figures(event, BEKASIJAYA) == {
        "rumah.terendam": 40,
        "ibu_hamil": 2,
    }
    # Clearing is explicit, and ignores the figures the form was filled with.
    cleared = client.post(url, data={"clear_all": "y", "ibu_hamil": "2", "rumah__terendam": "40"})
    assert cleared.status_code == 302
    assert impact_service.impact_figures(event, BEKASIJAYA) == {}


def test_impact_form_refuses_negative_and_marks_the_cell(client, db, make_user, login, make_event):
    event = make_event()
    login(make_user("operator"))
    page = client.get(f"/kejadian/{event.id}/dampak/{BEKASIJAYA}").get_data(as_text=True)
    assert 'inputmode="numeric"' in page and "Bekasijaya" in page
    response = client.post(
        f"/kejadian/{event.id}/dampak/{BEKASIJAYA}",
        data={"mengungsi__anak__L": "-2", "mengungsi__anak__P": "3"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "tidak boleh negatif" in html
    assert impact_service.impact_figures(event, BEKASIJAYA) == {}
    assert client.get(f"/kejadian/{event.id}/dampak/32.75.01.1999").status_code == 422
    assert client.get(f"/kejadian/{event.id}/dampak/bukan-kode").status_code == 422


def test_decree_form_overlap_and_close(client, db, make_user, login, make_event):
    event = make_event()
    login(make_user("operator"))
    base = {"status": "tanggap_darurat", "decree_number": "360/1", "issuer_level": "gubernur"}
    ok = client.post(
        f"/kejadian/{event.id}/status",
        data=dict(base, starts_on="2026-11-20", ends_on="2026-12-10"),
    )
    assert ok.status_code == 302
    overlap = client.post(
        f"/kejadian/{event.id}/status",
        data=dict(base, status="transisi_darurat", starts_on="2026-12-01"),
    )
    assert overlap.status_code == 422 and "tumpang tindih" in overlap.get_data(as_text=True)
    backwards = client.post(
        f"/kejadian/{event.id}/status",
        data=dict(base, starts_on="2026-12-20", ends_on="2026-12-19"),
    )
    assert backwards.status_code == 422
    html = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    # 21 days of tanggap darurat: longer than the usual 14.
    assert "diperpanjang" in html
    assert client.post(f"/kejadian/{event.id}/tutup").status_code == 302
    db.session.expire_all()
    assert service.current_phase(db.session.get(Event, event.id)) == "pasca_bencana"
    assert "Pasca bencana" in client.get(f"/kejadian/{event.id}").get_data(as_text=True)


def test_draw_area_page_and_post(client, db, make_user, login, make_event):
    event = make_event()
    login(make_user("operator"))
    page = client.get(f"/kejadian/{event.id}/gambar").get_data(as_text=True)
    assert "draw-start" in page and "leaflet.js" in page
    area = db.session.scalar(select(Area).where(Area.code == BEKASIJAYA))
    square = shapely.Point(area.label_lng, area.label_lat).buffer(0.0005)
    response = client.post(
        f"/kejadian/{event.id}/gambar", data={"geometry": shapely.to_geojson(square)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [a.kelurahan_code for a in db.session.get(Event, event.id).areas] == [BEKASIJAYA]
    line = json.dumps({"type": "Point", "coordinates": [107.0, -6.2]})
    bad = client.post(f"/kejadian/{event.id}/gambar", data={"geometry": line})
    assert bad.status_code == 422 and "poligon" in bad.get_data(as_text=True)


def test_impact_table_export(client, db, make_user, login, make_event):
    event = populated_event(db, make_event)
    login(make_user("pimpinan"))
    response = client.get(f"/kejadian/{event.id}/tabel-dampak?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 + 2  # header + two affected kelurahan
    header, by_code = rows[0], {r[0]: r for r in rows[1:]}
    bekasijaya = by_code[BEKASIJAYA]
    assert bekasijaya[header.index("Mengungsi (kaji cepat)")] == "30"
    assert bekasijaya[header.index("Mengungsi (terdata)")] == "1"
    assert bekasijaya[header.index("Mengungsi (selisih)")] == "-29"
    xlsx = client.get(f"/kejadian/{event.id}/tabel-dampak?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_victims_export_masks_nik_by_role(client, db, make_user, login, make_event):
    event = populated_event(db, make_event)
    login(make_user("tagana"))
    masked = client.get(f"/kejadian/{event.id}/korban?format=csv").get_data(as_text=True)
    assert SECRET_NAME in masked and SECRET_NIK not in masked and "3275********0007" in masked
    client.post("/keluar")
    login(make_user("admin"))
    full = client.get(f"/kejadian/{event.id}/korban?format=csv").get_data(as_text=True)
    assert SECRET_NIK in full


def test_public_map_has_no_personal_data(client, db, make_event):
    event = populated_event(db, make_event)
    response = client.get(f"/kejadian/{event.id}/peta-publik")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for secret in (SECRET_NAME, SECRET_NIK, "3275********0007", SECRET_CONTACT, "081299990000"):
        assert secret not in html
    assert "Bekasijaya" in html and "Masjid Al-Ikhlas" in html and "leaflet.js" in html
    listing = client.get("/kejadian/publik").get_data(as_text=True)
    assert event.title in listing and f"/kejadian/{event.id}/peta-publik" in listing


def test_event_list_filters_and_export(client, db, make_user, login, make_event):
    flood = make_event(kelurahan_codes=[BEKASIJAYA])
    make_event(hazard_code="TLS", title="Longsor Bantargebang")
    service.close_event(flood)
    db.session.commit()
    login(make_user("pimpinan"))
    html = client.get("/kejadian/?jenis=TLS").get_data(as_text=True)
    assert "Longsor Bantargebang" in html and "Banjir Kali Bekasi" not in html
    html = client.get(f"/kejadian/?kelurahan={BEKASIJAYA}").get_data(as_text=True)
    assert "Banjir Kali Bekasi" in html and "Longsor Bantargebang" not in html
    html = client.get("/kejadian/?status=aktif").get_data(as_text=True)
    assert "Banjir Kali Bekasi" not in html
    rows = client.get("/kejadian/?format=csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 3
    assert "+ Kejadian baru" not in client.get("/kejadian/").get_data(as_text=True)


def test_hazard_admin(client, db, make_user, login, bekasi):
    login(make_user("operator"))
    assert "Kebakaran permukiman" in client.get("/kejadian/jenis").get_data(as_text=True)
    added = client.post(
        "/kejadian/jenis",
        data={"code": "KRS", "name": "Kerusuhan", "hazard_class": "sosial", "sort_order": ""},
    )
    assert added.status_code == 302
    hazard = db.session.scalar(select(HazardType).where(HazardType.code == "KRS"))
    response = client.post(
        f"/kejadian/jenis/{hazard.id}",
        data={"name": "Kerusuhan massa", "hazard_class": "sosial", "sort_order": "5"},
    )
    assert response.status_code == 302
    db.session.refresh(hazard)
    assert hazard.name == "Kerusuhan massa" and not hazard.active and hazard.code == "KRS"
    form = client.get("/kejadian/baru").get_data(as_text=True)
    assert "Kerusuhan massa" not in form  # inactive types are not offered
    duplicate = client.post(
        "/kejadian/jenis", data={"code": "BJR", "name": "Banjir lagi", "hazard_class": "alam"}
    )
    assert duplicate.status_code == 422 and "sudah dipakai" in duplicate.get_data(as_text=True)


def test_cached_map_follows_new_figures(client, db, make_user, login, make_event):
    event = make_event(kelurahan_codes=[BEKASIJAYA])
    impact_service.set_impact(event, BEKASIJAYA, {"menderita.dewasa.L": 42})
    db.session.commit()
    login(make_user("pimpinan"))
    assert '"jiwa":42' in client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert '"jiwa":42' in client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    impact_service.set_impact(event, BEKASIJAYA, {"menderita.dewasa.L": 77})
    db.session.commit()
    html = client.get(f"/kejadian/{event.id}").get_data(as_text=True)
    assert '"jiwa":77' in html and '"jiwa":42' not in html


def test_event_pages_mask_nik_and_exports_log_who_saw_it(client, db, make_user, login, make_event):
    from sqlalchemy import select

    from logistics.core.models import AuditEntry
    from logistics.victims.persons import PersonInput
    from logistics.victims.services import register_victim

    event = make_event(kelurahan_codes=["32.75.09.1004"])
    register_victim(
        event,
        PersonInput(name="Warga Jatirasa", nik="3275095203540003"),
        status="mengungsi",
        kelurahan_code="32.75.09.1004",
    )
    db.session.commit()
    login(make_user("operator"))
    for url in (f"/kejadian/{event.id}", f"/kejadian/{event.id}/korban"):
        page = client.get(url).get_data(as_text=True)
        assert "Warga Jatirasa" in page
        assert "3275095203540003" not in page and "3275********0003" in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "view_nik")) is None
    export = client.get(f"/kejadian/{event.id}/korban?format=csv").get_data(as_text=True)
    assert "3275095203540003" in export
    logged = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "view_nik"))
    assert logged is not None and logged.changes["rows"] == 1
