"""Event services: codes, decrees, closing, affected areas (picked and drawn), impact matrix."""

import json
from datetime import date, datetime

import pytest
import shapely
from sqlalchemy import select

from logistics.areas.models import Area
from logistics.core.errors import Conflict, DomainError
from logistics.events import areas as area_service
from logistics.events import decrees as decree_service
from logistics.events import hazards as hazard_service
from logistics.events import impact as impact_service
from logistics.events import services as service
from logistics.events.models import EventArea, HazardType, ImpactFigure
from logistics.victims.figures import kelurahan_with_victims, registry_figures
from logistics.victims.models import Household, InstitutionVictim, Person, Victim

BEKASIJAYA = "32.75.01.1001"
MARGAHAYU = "32.75.01.1002"


def hazard_id(db, code="BJR"):
    return db.session.scalar(select(HazardType.id).where(HazardType.code == code))


def test_codes_count_per_office_and_year(db, make_event):
    first = make_event()
    second = make_event(hazard_code="TLS", title="Longsor")
    other_year = make_event(started_at=datetime(2025, 1, 5, 3, 0))
    assert first.code == "BJR-3275-2026-001"
    assert second.code == "TLS-3275-2026-002"
    assert other_year.code == "BJR-3275-2025-001"


def test_code_year_is_the_office_local_year(db, make_event):
    # 31 December 2025 20:00 UTC is already 1 January 2026 03:00 in Jakarta.
    event = make_event(started_at=datetime(2025, 12, 31, 20, 0))
    assert event.code == "BJR-3275-2026-001" and event.year == 2026


def test_create_event_refuses_bad_input(db, make_event):
    with pytest.raises(DomainError) as exc:
        make_event(ended_at=datetime(2026, 11, 19))
    assert exc.value.field == "ended_at" and "sebelum waktu mulai" in exc.value.message
    with pytest.raises(DomainError) as exc:
        make_event(title="  ")
    assert exc.value.field == "title"
    with pytest.raises(DomainError) as exc:
        make_event(kelurahan_codes=["32.75.01.1999"])
    assert exc.value.field == "kelurahan_codes" and "tidak dikenal" in exc.value.message
    with pytest.raises(DomainError) as exc:
        make_event(kelurahan_codes=["3275011001"])
    assert "salah format" in exc.value.message
    with pytest.raises(DomainError) as exc:
        make_event(lat=-6.2)
    assert exc.value.field == "lng"


def test_create_event_with_picked_kelurahan(db, make_event):
    event = make_event(kelurahan_codes=[BEKASIJAYA, MARGAHAYU, BEKASIJAYA])
    assert sorted(a.kelurahan_code for a in event.areas) == [BEKASIJAYA, MARGAHAYU]
    assert {a.how for a in event.areas} == {"dipilih"}


def decree(event, status, starts, ends=None, number="360/Kep.1"):
    return decree_service.add_decree(
        event,
        status=status,
        decree_number=number,
        issuer_level="bupati_walikota",
        starts_on=starts,
        ends_on=ends,
    )


def test_decrees_in_order_and_phase(db, make_event):
    event = make_event()
    decree(event, "siaga_darurat", date(2026, 11, 18), date(2026, 11, 19))
    decree(event, "tanggap_darurat", date(2026, 11, 20), date(2026, 12, 3))
    decree(event, "transisi_darurat", date(2026, 12, 4), None)
    assert [d.status for d in event.decrees] == [
        "siaga_darurat",
        "tanggap_darurat",
        "transisi_darurat",
    ]
    assert event.phase_on(date(2026, 11, 25)) == "tanggap_darurat"
    assert decree_service.tanggap_darurat_days(event) == 14
    assert not decree_service.tanggap_darurat_extended(event)


def test_decree_end_before_start(db, make_event):
    event = make_event()
    with pytest.raises(DomainError) as exc:
        decree(event, "tanggap_darurat", date(2026, 11, 20), date(2026, 11, 19))
    assert exc.value.field == "ends_on" and "sebelum tanggal mulai" in exc.value.message


def test_decree_overlap_refused(db, make_event):
    event = make_event()
    decree(event, "tanggap_darurat", date(2026, 11, 20), date(2026, 12, 3))
    with pytest.raises(DomainError) as exc:
        decree(event, "transisi_darurat", date(2026, 12, 1), date(2026, 12, 20))
    assert exc.value.field == "starts_on" and "tumpang tindih" in exc.value.message
    # An extension of the same status is fine when it follows on.
    decree(event, "tanggap_darurat", date(2026, 12, 4), date(2026, 12, 10), number="360/Kep.2")
    assert decree_service.tanggap_darurat_extended(event)


def test_decree_open_ended_blocks_a_later_one_until_it_has_an_end(db, make_event):
    event = make_event()
    first = decree(event, "tanggap_darurat", date(2026, 11, 20))
    with pytest.raises(DomainError) as exc:
        decree(event, "transisi_darurat", date(2026, 12, 4))
    assert "Isi dulu tanggal selesai" in exc.value.message
    decree_service.update_decree(event, first, ends_on=date(2026, 12, 3))
    decree(event, "transisi_darurat", date(2026, 12, 4))
    assert len(event.decrees) == 2


def test_decree_order_refused(db, make_event):
    event = make_event()
    decree(event, "tanggap_darurat", date(2026, 11, 25), date(2026, 12, 3))
    with pytest.raises(DomainError) as exc:
        decree(event, "transisi_darurat", date(2026, 11, 21), date(2026, 11, 23))
    assert "tidak boleh dimulai sebelum" in exc.value.message
    with pytest.raises(DomainError) as exc:
        decree(event, "siaga_darurat", date(2026, 12, 10), date(2026, 12, 12))
    assert "harus dimulai sebelum" in exc.value.message
    with pytest.raises(DomainError) as exc:
        decree(event, "darurat_lain", date(2026, 12, 10))
    assert exc.value.field == "status"


def test_close_event(db, make_event):
    event = make_event()
    decree(event, "tanggap_darurat", date(2026, 11, 20))
    service.close_event(event, closed_at=datetime(2026, 12, 1, 5, 0))
    assert event.phase_on(date(2026, 12, 2)) == "pasca_bencana"
    assert event.decrees[0].ends_on == date(2026, 12, 1)
    assert event.ended_at == datetime(2026, 12, 1, 5, 0)
    with pytest.raises(Conflict, match="sudah ditutup"):
        service.close_event(event)
    with pytest.raises(Conflict):
        decree(event, "transisi_darurat", date(2026, 12, 5))


def test_update_event_end_before_start(db, make_event):
    event = make_event()
    with pytest.raises(DomainError) as exc:
        service.update_event(event, ended_at=datetime(2026, 11, 1))
    assert exc.value.field == "ended_at"
    service.update_event(event, title="Banjir besar", ended_at=datetime(2026, 11, 25))
    assert event.title == "Banjir besar" and event.code == "BJR-3275-2026-001"


def test_set_affected_areas_keeps_kelurahan_with_figures(db, make_event):
    event = make_event(kelurahan_codes=[BEKASIJAYA, MARGAHAYU])
    impact_service.set_impact(event, MARGAHAYU, {"mengungsi.dewasa.L": 4})
    with pytest.raises(Conflict) as exc:
        area_service.set_affected_areas(
            event, [BEKASIJAYA], codes_with_victims=kelurahan_with_victims(event)
        )
    assert "Margahayu" in exc.value.message
    result = area_service.set_affected_areas(
        event, [MARGAHAYU, "32.75.01.1003"], codes_with_victims=kelurahan_with_victims(event)
    )
    assert result == {"added": ["32.75.01.1003"], "removed": [BEKASIJAYA]}


def label_point(db, code):
    area = db.session.scalar(select(Area).where(Area.code == code))
    return area.label_lng, area.label_lat


def test_drawn_polygon_marks_the_kelurahan_it_covers(db, make_event):
    event = make_event()
    # A thin polygon around the label points of two neighbouring kelurahan.
    points = shapely.MultiPoint([label_point(db, BEKASIJAYA), label_point(db, MARGAHAYU)])
    polygon = points.convex_hull.buffer(0.0015)
    geometry = json.loads(shapely.to_geojson(polygon))
    codes = area_service.derive_areas_from_drawing(event, {"type": "Feature", "geometry": geometry})
    assert BEKASIJAYA in codes and MARGAHAYU in codes
    # Only areas the polygon covers: each one must really overlap it.
    for code in codes:
        wkb = db.session.scalar(select(Area.geometry_wkb).where(Area.code == code))
        assert shapely.from_wkb(wkb).intersection(polygon).area > 0
    assert len(codes) <= 4
    hows = dict(
        db.session.execute(
            select(EventArea.kelurahan_code, EventArea.how).where(EventArea.event_id == event.id)
        ).all()
    )
    assert hows[BEKASIJAYA] == "digambar"
    assert json.loads(event.area_geojson)["type"] == "Polygon"


def test_drawn_area_must_be_a_polygon(db, make_event):
    event = make_event()
    line = {"type": "LineString", "coordinates": [[107.0, -6.2], [107.01, -6.21]]}
    with pytest.raises(DomainError) as exc:
        area_service.derive_areas_from_drawing(event, line)
    assert exc.value.field == "geometry" and "poligon" in exc.value.message
    with pytest.raises(DomainError):
        area_service.derive_areas_from_drawing(event, "{bukan json")
    far = shapely.box(110.0, -7.0, 110.01, -6.99)
    with pytest.raises(DomainError, match="tidak mengenai"):
        area_service.derive_areas_from_drawing(event, shapely.to_geojson(far))


def test_set_impact_validates(db, make_event):
    event = make_event()
    with pytest.raises(DomainError) as exc:
        impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": -3})
    assert exc.value.field == "figures.mengungsi.anak.L" and "negatif" in exc.value.message
    with pytest.raises(DomainError) as exc:
        impact_service.set_impact(event, BEKASIJAYA, {"pengungsi": 3})
    assert exc.value.field == "figures.pengungsi"
    with pytest.raises(DomainError) as exc:
        impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": "2,5"})
    assert "bilangan bulat" in exc.value.message
    with pytest.raises(DomainError) as exc:
        impact_service.set_impact(event, "32.75.01", {"mengungsi.anak.L": 1})
    assert exc.value.field == "kelurahan_code" and "salah format" in exc.value.message
    with pytest.raises(DomainError) as exc:
        impact_service.set_impact(event, "32.75.01.1999", {"mengungsi.anak.L": 1})
    assert "tidak dikenal" in exc.value.message


def test_set_impact_adds_kelurahan_and_replaces_cells(db, make_event):
    event = make_event()
    impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": 3, "rumah.terendam": 40})
    figures = impact_service.set_impact(
        event, BEKASIJAYA, {"mengungsi.anak.L": 5, "rumah.terendam": None}
    )
    assert figures == {"mengungsi.anak.L": 5}
    assert [a.kelurahan_code for a in event.areas] == [BEKASIJAYA]
    stored = db.session.scalars(select(ImpactFigure).where(ImpactFigure.event_id == event.id))
    assert [(f.measure, f.value, f.source) for f in stored] == [
        ("mengungsi.anak.L", 5, "kaji_cepat")
    ]


def test_blank_values_keep_figures_and_clear_removes_them(db, make_event):
    event = make_event()
    impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": 3, "rumah.terendam": 40})
    with pytest.raises(DomainError, match="Semua isian kosong") as blank:
        impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": "", "kk.mengungsi": " "})
    assert blank.value.field == "figures"
    assert impact_service.impact_figures(event, BEKASIJAYA) == {
        "mengungsi.anak.L": 3,
        "rumah.terendam": 40,
    }
    kept = impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.anak.L": "", "ibu_hamil": 2})
    assert kept == {"mengungsi.anak.L": 3, "rumah.terendam": 40, "ibu_hamil": 2}
    assert impact_service.set_impact(event, BEKASIJAYA, {"ibu_hamil": 1}, clear=True) == {
        "ibu_hamil": 1
    }
    assert impact_service.set_impact(event, BEKASIJAYA, {}, clear=True) == {}
    assert impact_service.impact_figures(event, BEKASIJAYA) == {}


def person(db, name, sex, birth, household=None, **extra):
    row = Person(
        name=name,
        sex=sex,
        birth_date=birth,
        household_id=household.id if household else None,
        no_nik_reason="lainnya",
        **extra,
    )
    db.session.add(row)
    db.session.flush()
    return row


def victim(db, event, who, status, code=BEKASIJAYA):
    db.session.add(Victim(event_id=event.id, person_id=who.id, status=status, kelurahan_code=code))


def test_terdata_matrix_counted_by_hand(db, make_event):
    event = make_event()  # starts 20 November 2026
    family = Household(no_kk="3275010101200001", head_name="Sutrisno", kelurahan_code=BEKASIJAYA)
    other = Household(no_kk="3275010101200002", head_name="Maryam", kelurahan_code=BEKASIJAYA)
    db.session.add_all([family, other])
    db.session.flush()
    grandma = person(db, "Siti Aminah", "P", date(1950, 3, 1), family)  # 76: lansia
    child = person(db, "Rafi", "L", date(2019, 6, 1), family)  # 7: anak
    # 60th birthday the day after the event started: still dewasa on the event's day.
    almost = person(db, "Maryam", "P", date(1966, 11, 21), other, pregnant=True)
    unknown = person(db, "Tanpa Tanggal", "L", None)
    keep = person(db, "Rafi Ahmad", "L", date(2019, 6, 1), family)
    duplicate = person(db, "Rafi A.", "L", date(2019, 6, 1), family, merged_into_id=keep.id)
    victim(db, event, grandma, "mengungsi")
    victim(db, event, child, "mengungsi")
    victim(db, event, almost, "menderita")
    victim(db, event, unknown, "terluka", MARGAHAYU)
    # A merged duplicate counts as the person it was merged into (Rafi Ahmad), once.
    victim(db, event, duplicate, "mengungsi")
    db.session.add(
        InstitutionVictim(
            event_id=event.id,
            name="Panti Werdha Kasih",
            kind="panti",
            kelurahan_code=BEKASIJAYA,
            headcount=12,
            status="mengungsi",
        )
    )
    impact_service.set_impact(event, BEKASIJAYA, {"mengungsi.lansia.P": 2, "mengungsi.anak.L": 5})
    db.session.commit()

    matrix = impact_service.impact_matrix(event, terdata=registry_figures(event))
    rows = {r.code: r for r in matrix.rows}
    assert set(rows) == {BEKASIJAYA, MARGAHAYU}
    bekasijaya = rows[BEKASIJAYA].terdata
    assert bekasijaya == {
        "mengungsi.lansia.P": 1,
        "mengungsi.anak.L": 2,
        "mengungsi.lembaga": 12,
        "menderita.dewasa.P": 1,
        "ibu_hamil": 1,
        "kk.mengungsi": 1,
        "kk.menderita": 1,
        "kk_total": 2,
    }
    assert rows[MARGAHAYU].terdata == {"terluka.tidak_diketahui.L": 1}
    assert rows[MARGAHAYU].how is None  # only the registry put it on the list
    assert matrix.unknown_age == 1 and matrix.persons_without_household == 1
    row = rows[BEKASIJAYA]
    assert row.jiwa("terdata", "mengungsi") == 15
    assert row.jiwa("kaji_cepat", "mengungsi") == 7
    assert row.difference("mengungsi") == 8
    assert row.best_source == "terdata"
    summary = matrix.summary
    assert summary.jiwa("terdata") == 17 and summary.jiwa("kaji_cepat") == 7


def test_best_source_is_kaji_cepat_without_registry(db, make_event):
    event = make_event()
    impact_service.set_impact(event, BEKASIJAYA, {"menderita.dewasa.L": 10})
    row = impact_service.impact_matrix(event, terdata=registry_figures(event)).rows[0]
    assert row.best_source == "kaji_cepat" and row.jiwa(row.best_source) == 10


def test_hazard_list_is_editable(db):
    hazard = hazard_service.create_hazard(
        code="bsl", name="Bencana sosial lain", hazard_class="sosial"
    )
    assert hazard.code == "BSL" and hazard.active
    with pytest.raises(Conflict):
        hazard_service.create_hazard(code="BSL", name="Lain", hazard_class="sosial")
    with pytest.raises(Conflict):
        hazard_service.create_hazard(code="XYZ", name="banjir", hazard_class="alam")
    with pytest.raises(DomainError):
        hazard_service.create_hazard(code="B1", name="Angka", hazard_class="alam")
    hazard_service.update_hazard(hazard.id, name="Kerusuhan", hazard_class="sosial", active=False)
    assert hazard.name == "Kerusuhan" and not hazard.active
    with pytest.raises(DomainError):
        hazard_service.get_hazard(hazard.id)  # inactive: no longer offered for new events
