"""Open data: HXL CSV and GeoJSON per kelurahan/kecamatan, public, small cells blank, no persons."""

import csv
import io
import json
from datetime import date, datetime

import pytest

from logistics.events.models import ImpactFigure
from logistics.shelters.models import Shelter, ShelterCount
from logistics.spm import aggregates as spm_aggregates
from logistics.victims.models import Household, InstitutionVictim, Person
from tests.support.spm import add_victim, hand_out

BEKASIJAYA = "32.75.01.1001"  # kecamatan Bekasi Timur
MARGAHAYU = "32.75.01.1002"  # kecamatan Bekasi Timur
BINTARA = "32.75.02.1001"  # kecamatan Bekasi Barat: rapid assessment only

HXL_KELURAHAN = [
    "#event+code",
    "#adm1+name",
    "#adm1+code",
    "#adm2+name",
    "#adm2+code",
    "#adm3+name",
    "#adm3+code",
    "#adm4+name",
    "#adm4+code",
    "#affected",
    "#affected+f",
    "#affected+m",
    "#affected+children",
    "#affected+elderly",
    "#affected+displaced",
    "#inneed",
    "#inneed+f",
    "#inneed+m",
    "#inneed+children",
    "#inneed+elderly",
    "#targeted",
    "#reached",
    "#reached+f",
    "#reached+m",
    "#reached+children",
    "#reached+elderly",
    "#meta+source",
    "#meta+notes",
]
# Everything personal the scenario holds: none of it may appear in any output.
PERSONAL = [
    "Budi Santoso",
    "Ani Lestari",
    "Citra Maharani",
    "Dewi Kartika",
    "Eko Prasetyo",
    "Fajar Nugroho",
    "Gita Purnama",
    "Hadi Wijaya",
    "3275010101800001",
    "3275014505850002",
    "3275010000000777",
    "Jl. Melati No. 7",
    "Jl. Kenanga Gg. 3",
    "Pak Joko Susilo",
    "081234567890",
    "Rumah Bu Sri",
]


def _person(db, name, sex, born, household=None, nik=None):
    person = Person(
        name=name,
        sex=sex,
        birth_date=born,
        household=household,
        nik=nik,
        no_nik_reason=None if nik else "lainnya",
    )
    db.session.add(person)
    db.session.flush()
    return person


def _hand_out(db, event, component, persons, kelurahan):
    # The receiver's name is filled in: it must not reach any open figure either.
    hand_out(
        db, event, component, date(2026, 11, 21), persons, kelurahan, receiver_name=persons[0].name
    )


@pytest.fixture
def flood(db, make_event):
    """Ages are counted on the event's first day, 20 November 2026: a child is born after
    20 November 2008, an elderly person on or before 20 November 1966."""
    event = make_event()
    home = Household(no_kk="3275010000000777", head_name="Budi Santoso", address="Jl. Melati No. 7")
    db.session.add(home)
    budi = _person(db, "Budi Santoso", "L", date(1980, 1, 1), home, "3275010101800001")
    ani = _person(db, "Ani Lestari", "P", date(1985, 5, 5), home, "3275014505850002")
    citra = _person(db, "Citra Maharani", "P", date(2015, 3, 3), home)
    dewi = _person(db, "Dewi Kartika", "P", date(2012, 1, 1))
    eko = _person(db, "Eko Prasetyo", "L", date(1950, 1, 1))
    fajar = _person(db, "Fajar Nugroho", "L", date(1990, 6, 1))
    gita = _person(db, "Gita Purnama", "P", date(1970, 2, 2))
    hadi = _person(db, "Hadi Wijaya", "L", date(1995, 3, 3))
    for person, status in (
        (budi, "mengungsi"),
        (ani, "mengungsi"),
        (citra, "mengungsi"),
        (dewi, "menderita"),
        (eko, "menderita"),
        (fajar, "meninggal"),  # affected, but needs no service under the default rules
    ):
        add_victim(db, event, person, status, BEKASIJAYA)
    add_victim(db, event, gita, "menderita", MARGAHAYU)
    add_victim(db, event, hadi, "menderita", MARGAHAYU)
    db.session.add(
        InstitutionVictim(
            event_id=event.id,
            name="Panti Werdha Kasih",
            kind="panti",
            kelurahan_code=MARGAHAYU,
            address="Jl. Kenanga Gg. 3",
            headcount=5,
            status="mengungsi",
        )
    )
    for kelurahan, measure, value in (
        (BINTARA, "mengungsi.dewasa.L", 10),
        (BINTARA, "mengungsi.anak.P", 4),
        (BINTARA, "menderita.lansia.P", 2),
        (BINTARA, "meninggal.dewasa.L", 1),
        # Bekasijaya has a registry: its rapid assessment no longer counts.
        (BEKASIJAYA, "menderita.dewasa.L", 50),
    ):
        db.session.add(
            ImpactFigure(event_id=event.id, kelurahan_code=kelurahan, measure=measure, value=value)
        )
    _hand_out(db, event, "permakanan", [budi, ani, citra], BEKASIJAYA)
    _hand_out(db, event, "sandang", [budi], BEKASIJAYA)
    _hand_out(db, event, "permakanan", [gita], MARGAHAYU)
    mosque = Shelter(
        event_id=event.id,
        name="Masjid Al-Ikhlas",
        kind="masjid",
        kelurahan_code=BEKASIJAYA,
        address="Jl. Melati No. 7",
        lat=-6.2333333,
        lng=107.0135612,
        capacity=50,
        pic_name="Pak Joko Susilo",
        pic_phone="081234567890",
    )
    house = Shelter(
        event_id=event.id,
        name="Rumah Bu Sri",
        kind="rumah_warga",
        kelurahan_code=MARGAHAYU,
        lat=-6.2529541,
        lng=107.0109027,
        capacity=8,
    )
    db.session.add_all([mosque, house])
    db.session.flush()
    db.session.add(ShelterCount(shelter_id=mosque.id, counted_on=date(2026, 11, 21), persons=3))
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    return event


def _csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _by(rows, column, value):
    header = rows[1]
    position = header.index(column)
    return next(dict(zip(header, r, strict=True)) for r in rows[2:] if r[position] == value)


def test_kelurahan_csv_has_hxl_row_and_hand_computed_figures(client, flood):
    rows = _csv(client.get(f"/api/v1/open-data/events/{flood.id}/csv/kelurahan"))
    assert rows[1] == HXL_KELURAHAN
    assert rows[0][:3] == [
        "Kode kejadian / Event code",
        "Provinsi / Province",
        "Kode provinsi / Province code",
    ]
    assert [r[8] for r in rows[2:]] == [BEKASIJAYA, MARGAHAYU, BINTARA]

    a = _by(rows, "#adm4+code", BEKASIJAYA)
    assert (a["#event+code"], a["#adm4+name"], a["#adm3+name"], a["#adm3+code"]) == (
        flood.code, "Bekasijaya", "Bekasi Timur", "32.75.01"
    )  # fmt: skip
    assert (a["#adm2+code"], a["#adm2+name"], a["#adm1+code"]) == ("32.75", "Kota Bekasi", "32")
    # Six registered: 3 women, 3 men; 2 children and 1 elderly are small cells -> blank.
    assert [a[t] for t in HXL_KELURAHAN[9:15]] == ["6", "3", "3", "", "", "3"]
    # In need (everyone but the dead): 5; 2 men is a small cell, so the women go blank too.
    assert [a[t] for t in HXL_KELURAHAN[15:20]] == ["5", "", "", "", ""]
    # Largest SPM need on the last day: permakanan 5 registered + 3 counted in the mosque.
    assert a["#targeted"] == "8"
    # Reached: Budi (twice), Ani, Citra -> 3 persons; 0 elderly is not a small cell.
    assert [a[t] for t in HXL_KELURAHAN[21:26]] == ["3", "", "", "", "0"]
    assert a["#meta+source"] == "terdata" and a["#meta+notes"]

    b = _by(rows, "#adm4+code", MARGAHAYU)
    # Two persons plus the care home's headcount of 5 (displaced, no sex/age split).
    assert [b[t] for t in HXL_KELURAHAN[9:15]] == ["7", "", "", "0", "0", "5"]
    assert [b[t] for t in HXL_KELURAHAN[15:21]] == ["2", "", "", "0", "0", "2"]
    # One woman reached; the 0 men would give her away, so both are blank.
    assert [b[t] for t in HXL_KELURAHAN[21:26]] == ["1", "", "", "0", "0"]

    c = _by(rows, "#adm4+code", BINTARA)
    assert (c["#adm3+name"], c["#meta+source"]) == ("Bekasi Barat", "kaji_cepat")
    assert [c[t] for t in HXL_KELURAHAN[9:15]] == ["17", "6", "11", "4", "", "14"]
    assert [c[t] for t in HXL_KELURAHAN[15:21]] == ["16", "6", "10", "4", "", "16"]
    assert [c[t] for t in HXL_KELURAHAN[21:26]] == ["0", "0", "0", "0", "0"]


def test_kecamatan_csv_hides_splits_its_kelurahan_hide(client, flood):
    rows = _csv(client.get(f"/api/v1/open-data/events/{flood.id}/csv/kecamatan"))
    assert rows[1] == [t for t in HXL_KELURAHAN if not t.startswith("#adm4")]
    timur = _by(rows, "#adm3+code", "32.75.01")
    assert timur["#adm3+name"] == "Bekasi Timur"
    # 8 persons + 5 in the care home; 4 women and 4 men would give away the kelurahan cells.
    assert [timur[t] for t in ("#affected", "#affected+f", "#affected+m", "#affected+displaced")] == [
        "13", "", "", "8"
    ]  # fmt: skip
    assert (timur["#inneed"], timur["#targeted"], timur["#reached"]) == ("7", "10", "4")
    # Reached: 3 women, 1 man (a small cell), so the pair is blank.
    assert (timur["#reached+f"], timur["#reached+elderly"]) == ("", "0")
    barat = _by(rows, "#adm3+code", "32.75.02")
    assert [barat[t] for t in HXL_KELURAHAN[9:15]] == ["17", "6", "11", "4", "", "14"]


def test_year_counts_a_person_once_over_events(client, db, flood, make_event):
    fire = make_event(title="Kebakaran", hazard_code="KBP", started_at=datetime(2026, 11, 25, 3))
    budi = db.session.query(Person).filter_by(name="Budi Santoso").one()
    add_victim(db, fire, budi, "menderita", BEKASIJAYA)
    db.session.commit()
    spm_aggregates.rebuild()
    db.session.commit()
    rows = _csv(client.get("/api/v1/open-data/years/2026/csv/kelurahan"))
    assert rows[1][0] == "#date+year"
    a = _by(rows, "#adm4+code", BEKASIJAYA)
    assert (a["#date+year"], a["#affected"], a["#inneed"]) == ("2026", "6", "5")
    # The fire's own SPM need (1) adds to the flood's 8: targets are per event.
    assert a["#targeted"] == "9"


def test_geojson_layers_parse_with_figures_and_no_contacts(client, flood):
    response = client.get(f"/api/v1/open-data/events/{flood.id}/geojson/kelurahan")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = json.loads(response.get_data(as_text=True))
    assert collection["type"] == "FeatureCollection" and collection["notes"]
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {BEKASIJAYA, MARGAHAYU, BINTARA}
    for feature in features.values():
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        ring = feature["geometry"]["coordinates"][0]
        ring = ring[0] if feature["geometry"]["type"] == "MultiPolygon" else ring
        assert ring[0] == ring[-1] and len(ring) >= 4
        lng, lat = ring[0]
        assert 106.8 < lng < 107.2 and -6.5 < lat < -6.1
    props = features[BEKASIJAYA]["properties"]
    assert (props["affected"], props["affected_f"], props["affected_children"]) == (6, 3, None)
    assert (props["targeted"], props["reached"], props["source"]) == (8, 3, "terdata")
    # Counts stay whole numbers next to a blank cell (no 3.0 in the file).
    assert '"affected_f":3,' in response.get_data(as_text=True).replace(" ", "")

    kecamatan = client.get(f"/api/v1/open-data/events/{flood.id}/geojson/kecamatan").get_json()
    assert {f["id"] for f in kecamatan["features"]} == {"32.75.01", "32.75.02"}
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in kecamatan["features"])

    shelters = client.get(f"/api/v1/open-data/events/{flood.id}/geojson/shelters").get_json()
    points = {f["properties"]["kind"]: f for f in shelters["features"]}
    mosque, house = points["masjid"], points["rumah_warga"]
    assert mosque["geometry"] == {"type": "Point", "coordinates": [107.01356, -6.23333]}
    assert (mosque["properties"]["capacity"], mosque["properties"]["persons"]) == (50, 3)
    assert mosque["properties"]["occupancy_percent"] == 6.0
    assert mosque["properties"]["name"] == "Masjid Al-Ikhlas"
    # A private house: no owner's name, its point to about 100 m.
    assert house["properties"]["name"] == "Rumah warga"
    assert house["geometry"]["coordinates"] == [107.011, -6.253]


def test_no_personal_data_anywhere_and_no_login_needed(client, flood):
    urls = [
        "/api/v1/open-data",
        *(f"/api/v1/open-data/events/{flood.id}/csv/{lv}" for lv in ("kelurahan", "kecamatan")),
        *(f"/api/v1/open-data/events/{flood.id}/figures/{lv}" for lv in ("kelurahan", "kecamatan")),
        *(
            f"/api/v1/open-data/events/{flood.id}/geojson/{layer}"
            for layer in ("kelurahan", "kecamatan", "shelters")
        ),
        "/api/v1/open-data/years/2026/csv/kelurahan",
        "/api/v1/open-data/years/2026/geojson/shelters",
        "/data-terbuka/",
        f"/data-terbuka/kejadian/{flood.id}",
        f"/data-terbuka/kejadian/{flood.id}?tingkat=kelurahan",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        leaked = [value for value in PERSONAL if value in text]
        assert not leaked, f"{url} shows {leaked}"
    page = client.get("/data-terbuka/").get_data(as_text=True)
    assert flood.code in page and f"/api/v1/open-data/events/{flood.id}/csv/kelurahan" in page
    table = client.get(f"/data-terbuka/kejadian/{flood.id}?tingkat=kelurahan").get_data(
        as_text=True
    )
    assert "Bekasijaya" in table and "#affected+f" in table


def test_index_lists_events_with_links(client, flood):
    body = client.get("/api/v1/open-data").get_json()
    (event,) = body["events"]
    assert (event["code"], body["small_cell_threshold"]) == (flood.code, 3)
    urls = {(d["format"], d["level"]): d["url"] for d in event["datasets"]}
    assert urls[("geojson", "shelters")] == f"/api/v1/open-data/events/{flood.id}/geojson/shelters"
    assert body["years"][0]["year"] == 2026


def test_unknown_event_level_or_year_is_404_json(client, flood):
    for url in (
        "/api/v1/open-data/events/9999/csv/kelurahan",
        "/api/v1/open-data/events/9999/geojson/kelurahan",
        f"/api/v1/open-data/events/{flood.id}/csv/provinsi",
        f"/api/v1/open-data/events/{flood.id}/geojson/rt",
        "/api/v1/open-data/years/2019/csv/kelurahan",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"] == "not_found", url
    assert client.get("/data-terbuka/kejadian/9999").status_code == 404


def test_public_downloads_are_rate_limited(app, client, flood):
    app.config["OPEN_DATA_RATE_LIMIT"] = "2 per minute"
    url = f"/api/v1/open-data/events/{flood.id}/csv/kecamatan"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url).get_json()["error"] == "too_many_requests"
