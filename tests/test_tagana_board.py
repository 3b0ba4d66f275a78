"""The roster board (places, roles, gaps, suggestions, map places) and the year figures."""

from datetime import date, datetime

import pytest

from logistics.core.errors import DomainError
from logistics.core.time import office_date
from logistics.tagana import board as board_service
from logistics.tagana import duty
from logistics.tagana import figures as figures_service
from logistics.tagana import ksb as ksb_service
from logistics.tagana import members as member_service
from logistics.tagana import trainings as training_service
from tests.support.tagana import OFFICE, deploy, make_member, make_shelter, wib

NOW = wib(2026, 11, 21, 10)


@pytest.fixture
def flood(db, make_event, make_user):
    event = make_event()
    operator = make_user("operator", "siti")
    shelters = {
        "sd": make_shelter(event, "SDN Margahayu 1", "32.75.01.1002"),
        "masjid": make_shelter(event, "Masjid Al-Ikhlas", "32.75.04.1002"),
        "balai": make_shelter(event, "Balai RW 07 Jatiasih", "32.75.09.1002", located=False),
        "gor": make_shelter(event, "GOR Bekasi", "32.75.01.1003", status="tutup"),
    }
    members = {
        "budi": make_member("T-01", "Budi", home_kelurahan_code="32.75.01.1001"),
        "sari": make_member("T-02", "Sari", sex="P", home_kelurahan_code="32.75.10.1001"),
        "joko": make_member("T-03", "Joko", ("dapur_umum",), home_kelurahan_code="32.75.04.1002"),
        "eko": make_member("T-04", "Eko", home_kelurahan_code="32.75.04.1002"),
        "fajar": make_member("T-05", "Fajar", home_kelurahan_code="32.75.04.1002"),
        "gita": make_member("T-06", "Gita", sex="P", home_kelurahan_code="32.75.04.1003"),
        "hadi": make_member("T-07", "Hadi", home_kelurahan_code="32.75.10.1005"),
        "indra": make_member("T-08", "Indra", home_kelurahan_code=None),
    }
    member_service.update_member(members["eko"], active=False)
    other = make_event(title="Kebakaran permukiman Kranji", hazard_code="KBP")
    elsewhere = make_shelter(other, "Aula Kranji", "32.75.02.1002")

    # Budi is at the school since this morning; Sari comes to the mosque this afternoon;
    # Joko cooked at the mosque yesterday; Fajar is busy at another event today.
    on_duty = deploy(members["budi"], event, shelters["sd"], wib(2026, 11, 21, 7))
    duty.check_in(on_duty, operator, now=wib(2026, 11, 21, 7, 5))
    deploy(members["sari"], event, shelters["masjid"], wib(2026, 11, 21, 14), wib(2026, 11, 21, 22))
    cooked = deploy(
        members["joko"],
        event,
        shelters["masjid"],
        wib(2026, 11, 20, 6),
        wib(2026, 11, 20, 18),
        place_kind="dapur_umum",
        role="Petugas dapur umum",
    )
    duty.check_in(cooked, operator, now=wib(2026, 11, 20, 6))
    duty.check_out(cooked, operator, now=wib(2026, 11, 20, 18))
    deploy(members["fajar"], other, elsewhere, wib(2026, 11, 21, 8), wib(2026, 11, 21, 20))
    # Late: planned start passed and nobody checked in.
    deploy(
        members["indra"],
        event,
        None,
        wib(2026, 11, 21, 8),
        wib(2026, 11, 21, 16),
        place_kind="kelurahan",
        kelurahan_code="32.75.01.1003",
        role="Tim kaji cepat",
    )
    db.session.commit()
    return {"event": event, "shelters": shelters, "members": members}


def test_board_groups_by_place_and_phase(flood):
    board = board_service.roster_board(flood["event"].id, now=NOW)
    by_label = {p.label: p for p in board.places}
    school = by_label["Tempat pengungsian: SDN Margahayu 1"]
    assert [e.member.name for e in school.on_duty] == ["Budi"]
    assert not school.gap
    mosque = by_label["Tempat pengungsian: Masjid Al-Ikhlas"]
    assert [e.member.name for e in mosque.planned] == ["Sari"]
    assert mosque.planned[0].late is False  # due this afternoon
    assert mosque.gap  # nobody on duty there now
    kitchen = by_label["Dapur umum: di Masjid Al-Ikhlas"]
    assert [e.phase for e in kitchen.finished] == ["menunggu_laporan"]
    kelurahan = by_label["Kelurahan/desa: Durenjaya"]
    assert kelurahan.planned[0].late is True
    assert board.count("bertugas") == 1
    assert board.count("direncanakan") == 2
    assert board.finished_count == 1
    assert board.members_on_duty == 1
    # The other event's deployment is not on this board.
    assert "Fajar" not in {e.member.name for e in board.entries}


def test_board_by_role(flood):
    board = board_service.roster_board(flood["event"].id, now=NOW)
    assert {role: [e.member.name for e in entries] for role, entries in board.by_role.items()} == {
        "Petugas dapur umum": ["Joko"],
        "Petugas shelter": ["Budi", "Sari"],
        "Tim kaji cepat": ["Indra"],
    }


def test_gaps_are_open_shelters_without_anyone_on_duty(flood):
    board = board_service.roster_board(flood["event"].id, now=NOW)
    gaps = [p.label for p in board.gaps]
    assert gaps == [
        "Tempat pengungsian: Balai RW 07 Jatiasih",
        "Tempat pengungsian: Masjid Al-Ikhlas",
    ]
    # Gaps come first on the board; the closed GOR is no gap.
    assert [p.label for p in board.places[:2]] == gaps
    assert all("GOR" not in p.label for p in board.places)


def test_suggestions_have_the_competency_are_free_and_nearest_first(flood):
    board = board_service.roster_board(flood["event"].id, now=NOW)
    mosque = next(p for p in board.gaps if "Masjid" in p.label)
    assert mosque.competency.code == "shelter"
    names = [s.member.name for s in mosque.suggestions]
    # Gita lives next door, Hadi far south, Indra's home is unknown (last). Not suggested:
    # Budi (on duty), Sari (due there within the shift), Joko (no shelter skill), Eko
    # (inactive), Fajar (deployed to another event now).
    assert names == ["Gita", "Hadi"]
    gita, hadi = mosque.suggestions
    assert gita.kelurahan_name == "Jakamulya"
    assert gita.distance_km < hadi.distance_km


def test_indra_is_suggested_once_free(flood):
    later = wib(2026, 11, 22, 10)
    board = board_service.roster_board(flood["event"].id, now=later)
    balai = next(p for p in board.gaps if "Balai" in p.label)
    names = [s.member.name for s in balai.suggestions]
    assert names[-1] == "Indra"  # no home kelurahan: listed after everyone with a distance
    assert balai.suggestions[-1].distance_km is None


def test_place_without_point_uses_the_kelurahan_label_point(flood, db):
    from tests.support.areas import label_point

    board = board_service.roster_board(flood["event"].id, now=NOW)
    balai = next(p for p in board.places if "Balai" in p.label)
    assert (balai.lat, balai.lng) == label_point("32.75.09.1002")


def test_map_places(flood):
    board = board_service.roster_board(flood["event"].id, now=NOW)
    places = {p["name"]: p for p in board_service.board_map_places(board, lambda i: f"/d/{i}")}
    assert places["Tempat pengungsian: SDN Margahayu 1"]["state"] == "bertugas"
    assert places["Tempat pengungsian: Masjid Al-Ikhlas"]["state"] == "kosong"
    assert places["Dapur umum: di Masjid Al-Ikhlas"]["state"] == "selesai"
    assert places["Kelurahan/desa: Durenjaya"]["state"] == "direncanakan"
    person = places["Tempat pengungsian: SDN Margahayu 1"]["people"][0]
    assert person["name"] == "Budi"
    assert person["role"] == "Petugas shelter"
    assert person["url"].startswith("/d/")


# --- Year figures ---------------------------------------------------------------------------------


def test_year_figures(db, make_event, make_user):
    operator = make_user("operator", "siti")
    flood_2025 = make_event(title="Banjir Februari 2025", started_at=datetime(2025, 2, 1, 1))
    flood_dec = make_event(title="Banjir akhir tahun", started_at=datetime(2025, 12, 30, 1))
    school = make_shelter(flood_2025, "SD Negeri 3", "32.75.01.1002")
    hall = make_shelter(flood_dec, "Balai warga", "32.75.01.1003")
    budi = make_member("Y-01", "Budi", joined_on="2019-01-01")
    sari = make_member("Y-02", "Sari", sex="P", level="madya", decree_date="2024-02-01")
    rina = make_member("Y-03", "Rina", sex="P", level="utama", joined_on="2020-05-01")
    make_member("Y-04", "Baru", joined_on="2026-01-05")  # joined after 2025
    member_service.update_member(
        make_member("Y-05", "Pensiun", joined_on="2018-01-01"), active=False
    )
    for member, name, day in [
        (budi, "Diklat dasar", "2025-03-01"),
        (budi, "Diklat dapur umum", "2025-08-01"),
        (sari, "Diklat dasar", "2025-03-01"),
        (rina, "Diklat lama", "2024-03-01"),
    ]:
        training_service.add_training(member, name=name, started_on=day)

    two_days = deploy(budi, flood_2025, school, wib(2025, 2, 1, 8), wib(2025, 2, 2, 8))
    one_day = deploy(sari, flood_2025, school, wib(2025, 2, 1, 8), wib(2025, 2, 1, 20))
    across = deploy(budi, flood_dec, hall, wib(2025, 12, 30, 8), wib(2026, 1, 2, 8))
    for d in (two_days, one_day, across):
        duty.check_in(d, operator, now=d.starts_at)
        duty.check_out(d, operator, now=d.ends_at)
    cancelled = deploy(rina, flood_2025, school, wib(2025, 2, 3, 8), wib(2025, 2, 3, 18))
    duty.cancel_deployment(cancelled, OFFICE, reason="batal")
    ksb_service.register_ksb(
        name="KSB Margahayu",
        kelurahan_code="32.75.01.1002",
        formed_year=2025,
        facilitation_years=[2025],
    )
    ksb_service.register_ksb(
        name="KSB Bintara",
        kelurahan_code="32.75.02.1001",
        formed_year=2022,
        facilitation_years=[2023, 2025],
    )
    ksb_service.register_ksb(name="KSB Baru", kelurahan_code="32.75.02.1002", formed_year=2026)
    db.session.commit()

    figures = figures_service.year_figures(2025, now=wib(2026, 2, 1))
    by_level = {row.level: (row.men, row.women) for row in figures.levels}
    assert by_level == {"muda": (1, 0), "madya": (0, 1), "utama": (0, 1), "task_force": (0, 0)}
    assert (figures.members_total, figures.men, figures.women) == (3, 1, 2)
    assert (figures.trained_members, figures.trainings) == (2, 3)
    events = {e.title: (e.deployments, e.members, e.person_days) for e in figures.events}
    assert events == {
        "Banjir Februari 2025": (2, 2, 3),
        # 30 Dec to 2 Jan: only the two days inside 2025 count for 2025.
        "Banjir akhir tahun": (1, 1, 2),
    }
    assert (figures.deployments, figures.deployed_members, figures.person_days) == (3, 2, 5)
    assert (figures.ksb_total, figures.ksb_formed, figures.ksb_facilitated) == (2, 1, 2)
    labels = dict(figures.summary_rows())
    assert labels["Hari-orang penugasan"] == 5

    next_year = figures_service.year_figures(2026, now=wib(2026, 2, 1))
    assert {e.title: e.person_days for e in next_year.events} == {"Banjir akhir tahun": 2}
    assert next_year.members_total == 4  # Baru joined in 2026
    assert next_year.ksb_formed == 1


def test_year_figures_refuses_silly_years(app):
    with pytest.raises(DomainError):
        figures_service.year_figures(1850)


def test_office_date(app):
    assert office_date(datetime(2026, 12, 31, 18, 0)) == date(2027, 1, 1)
