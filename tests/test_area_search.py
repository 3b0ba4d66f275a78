"""The area pickers' search (/wilayah/cari): by name and code, with the parent chain, within the
user's wilayah; the event form's picker takes areas at any level."""

from collections import Counter

import pytest
from sqlalchemy import select

from logistics.events.models import Event
from tests.support.areas import insert_spine, spine_rows
from tests.support.province import DESA_A, DESA_B

SEARCH = "/wilayah/cari"


def _codes(response) -> list[str]:
    assert response.status_code == 200
    return [item["code"] for item in response.get_json()["items"]]


def test_search_by_name_and_code_with_kind_and_parent_chain(province, client_for, client):
    assert client.get(SEARCH, query_string={"q": "talang"}).status_code == 302  # signed in only
    client = client_for(province["viewer"])
    body = client.get(SEARCH, query_string={"q": "talang"}).get_json()
    assert [i["code"] for i in body["items"]] == [DESA_B]
    (desa,) = body["items"]
    # The name already says "Desa": the kind is written once.
    assert desa["chain"] == "Desa Talang Curup, Kec. Curup, Kab. Rejang Lebong"
    assert desa["kind"] == "Desa" and desa["level"] == "kelurahan"
    # Every word must occur in the area or its parents: "manna selatan" is not one area.
    assert _codes(client.get(SEARCH, query_string={"q": "curup rejang"})) == ["17.02.01", DESA_B]
    assert _codes(client.get(SEARCH, query_string={"q": "manna rejang"})) == []
    # The area's own name ranks before areas that only sit in it.
    kecamatan = client.get(SEARCH, query_string={"q": "Curup", "tingkat": "kecamatan"}).get_json()
    assert kecamatan["items"][0]["chain"] == "Kec. Curup, Kab. Rejang Lebong"
    assert kecamatan["items"][0]["kind"] == "Kecamatan"
    # Codes, with or without their dots.
    assert _codes(client.get(SEARCH, query_string={"q": "17.02.01"})) == ["17.02.01", DESA_B]
    assert _codes(client.get(SEARCH, query_string={"q": "1702012001"})) == [DESA_B]
    kab = client.get(SEARCH, query_string={"q": "17.01", "tingkat": "kab_kota"}).get_json()
    assert [(i["code"], i["kind"], i["label"]) for i in kab["items"]] == [
        ("17.01", "Kabupaten", "Kab. Bengkulu Selatan")
    ]


def test_the_search_keeps_to_the_users_wilayah(province, client_for, make_user, db):
    from logistics.admin.scopes import set_scope

    client = client_for(province["op_a"])
    for query in ("curup", "rejang", "17.02", "1702", "talang"):
        for purpose in ("lihat", "catat"):
            found = _codes(client.get(SEARCH, query_string={"q": query, "untuk": purpose}))
            assert found == [], (query, purpose)
    everything = _codes(client.get(SEARCH, query_string={"q": ""}))
    assert everything == ["17.01", "17.01.01", DESA_A]
    under = _codes(client.get(SEARCH, query_string={"q": "", "induk": "17.02"}))
    assert under == []
    # The API's search keeps to the same wilayah.
    api = "/api/v1/wilayah/search"
    assert _codes(client.get(api, query_string={"q": "curup"})) == []
    assert _codes(client.get(api, query_string={"q": "manna", "level": "kelurahan"})) == [DESA_A]
    assert client.get(api, query_string={"q": "a", "limit": 51}).status_code == 422
    # A field that writes offers only the record scope.
    staff = make_user("operator", "prov-staff")
    set_scope(staff, record="17.01", see="17")
    db.session.commit()
    staff_client = client_for(staff)
    assert _codes(staff_client.get(SEARCH, query_string={"q": "curup", "untuk": "lihat"})) == [
        "17.02.01",
        DESA_B,
    ]
    assert _codes(staff_client.get(SEARCH, query_string={"q": "curup", "untuk": "catat"})) == []
    manna = staff_client.get(SEARCH, query_string={"q": "manna", "untuk": "catat"})
    assert DESA_A in _codes(manna)
    # Unknown and empty queries, parents, levels and the limit.
    viewer = client_for(province["viewer"])
    assert viewer.get(SEARCH, query_string={"q": "zzzz tidak ada"}).get_json() == {
        "items": [],
        "count": 0,
        "more": False,
    }
    assert _codes(viewer.get(SEARCH, query_string={"q": "!!!"})) == []
    # Few areas: an empty query lists all of them; with a parent, those under it.
    assert len(_codes(viewer.get(SEARCH, query_string={"q": ""}))) == 6
    assert _codes(viewer.get(SEARCH, query_string={"induk": "17.01.01"})) == [DESA_A]
    # More than the limit: the highest level first, and the answer says there is more.
    limited = viewer.get(SEARCH, query_string={"q": "", "batas": 1}).get_json()
    assert [i["code"] for i in limited["items"]] == ["17.01"] and limited["more"] is True
    top = viewer.get(SEARCH, query_string={"q": "", "batas": 3}).get_json()
    assert [i["code"] for i in top["items"]] == ["17.01", "17.02"] and top["more"] is False
    only_desa = _codes(viewer.get(SEARCH, query_string={"tingkat": "kelurahan,bogus"}))
    assert only_desa == [DESA_A, DESA_B]


def test_the_event_form_takes_areas_at_any_level(province, client_for, db):
    client = client_for(province["op_b"])
    form = {
        "hazard_type_id": province["hazard"],
        "title": "Longsor Curup",
        "started_at": "2026-11-22T08:00",
        "kelurahan_text": "17.02.01",  # the kecamatan: every desa in it
    }
    response = client.post("/kejadian/baru", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(Event).where(Event.title == "Longsor Curup"))
    assert [a.kelurahan_code for a in event.areas] == [DESA_B]
    # Another kab/kota's kecamatan is refused and nothing is written.
    response = client.post(
        "/kejadian/baru", data=dict(form, title="Lain", kelurahan_text="17.01.01")
    )
    assert response.status_code == 403
    assert "di luar wilayah kerja Anda" in response.get_data(as_text=True)
    assert db.session.scalar(select(Event).where(Event.title == "Lain")) is None


# --- a province: Jawa Barat, 5,957 desa ---------------------------------------------------------


@pytest.fixture(scope="module")
def jawa_barat_rows(boundaries_dir):
    return spine_rows(boundaries_dir / "prov_jawa_barat.geojson.gz")


def test_same_named_desa_are_told_apart_in_jawa_barat(jawa_barat_rows, app, db, as_role):
    app.config.update(OFFICE_AREA_CODE="32", OFFICE_AREA_NAME="Jawa Barat")
    insert_spine(jawa_barat_rows)
    names = Counter(r["name"] for r in jawa_barat_rows if r["level"] == "kelurahan")
    name, twins = names.most_common(1)[0]
    client = as_role("operator")
    body = client.get(SEARCH, query_string={"q": name, "tingkat": "kelurahan", "batas": 50})
    items = body.get_json()["items"]
    exact = [i for i in items if i["name"] == name]
    assert len(exact) == min(twins, 50) and twins > 1
    assert len({i["chain"] for i in exact}) == len(exact)
    assert all(i["chain"].count(", ") == 2 for i in exact)  # desa, kecamatan, kab/kota
    # The limit holds however many match, and never goes above 50.
    wide = client.get(SEARCH, query_string={"q": "a", "batas": 1000}).get_json()
    assert wide["count"] == 50 and wide["more"] is True
    # Kota and kabupaten of the same name differ by kind.
    bogor = client.get(SEARCH, query_string={"q": "bogor", "tingkat": "kab_kota"}).get_json()
    assert {(i["label"], i["kind"]) for i in bogor["items"]} == {
        ("Kab. Bogor", "Kabupaten"),
        ("Kota Bogor", "Kota"),
    }
    # The event form of a province picks with the search instead of 5,957 tick boxes.
    page = client.get("/kejadian/baru").get_data(as_text=True)
    assert "data-area-picker" in page and 'name="kelurahan_codes"' not in page


def test_a_kab_kota_office_gets_a_short_list_before_typing(bekasi, as_role):
    client = as_role("operator")
    first = client.get(SEARCH, query_string={"batas": 50}).get_json()
    # Below the kota itself: its kecamatan, each of which stands for its kelurahan.
    assert {i["level"] for i in first["items"]} == {"kecamatan"} and first["more"] is False
    assert len(first["items"]) == 12 and first["items"][0]["chain"].endswith(", Kota Bekasi")
    desa = client.get(SEARCH, query_string={"tingkat": "kelurahan", "batas": 50}).get_json()
    assert len(desa["items"]) == 50 and desa["more"] is True
