"""Deployments: place rules, the overlap rule, check-in/out, task reports, person-days."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from logistics.core.errors import Conflict, DomainError, Forbidden
from logistics.core.extensions import db
from logistics.core.models import AuditEntry
from logistics.tagana import deployments as deployment_service
from logistics.tagana import duty
from logistics.tagana import members as member_service
from logistics.tagana import places as place_service
from logistics.tagana.models import Deployment, TaskReport
from tests.support.tagana import OFFICE, deploy, make_member, make_shelter, wib


@pytest.fixture
def world(db, make_event, make_user):
    """A flood with two open shelters, three members and the accounts that act on them."""
    event = make_event()
    budi_user = make_user("tagana", "budi")
    sari_user = make_user("tagana", "sari")
    return {
        "event": event,
        "sd": make_shelter(event, "SDN Margahayu 1"),
        "masjid": make_shelter(event, "Masjid Al-Ikhlas", "32.75.04.1002"),
        "budi": make_member("3275-001", "Budi Santoso", user_id=budi_user.id),
        "sari": make_member("3275-002", "Sari Wulandari", sex="P", user_id=sari_user.id),
        "joko": make_member("3275-003", "Joko Prasetyo", ("dapur_umum",)),
        "budi_user": budi_user,
        "sari_user": sari_user,
        "operator": make_user("operator", "siti"),
    }


def test_deploy_to_a_shelter(world):
    d = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)
    )
    assert d.status == "direncanakan"
    assert deployment_service.deployment_phase(d) == "direncanakan"
    assert place_service.place_label(d) == "Tempat pengungsian: SDN Margahayu 1"
    # Text without an offset is office time; 08:00 WIB is 01:00 UTC.
    assert d.starts_at == datetime(2026, 11, 20, 1, 0)


def test_text_times_are_office_local(world):
    d = deploy(world["budi"], world["event"], world["sd"], "2026-11-20T08:00", "2026-11-20T20:00")
    assert d.starts_at == datetime(2026, 11, 20, 1, 0)
    assert d.ends_at == datetime(2026, 11, 20, 13, 0)


def test_place_rules(world, db):
    event, budi = world["event"], world["budi"]
    with pytest.raises(DomainError) as missing_shelter:
        deploy(budi, event, None, wib(2026, 11, 20, 8))
    assert missing_shelter.value.field == "shelter_id"
    with pytest.raises(DomainError) as missing_code:
        deploy(budi, event, None, wib(2026, 11, 20, 8), place_kind="kelurahan")
    assert missing_code.value.field == "kelurahan_code"
    with pytest.raises(DomainError) as missing_name:
        deploy(budi, event, None, wib(2026, 11, 20, 8), place_kind="dapur_umum")
    assert missing_name.value.field == "place_name"
    with pytest.raises(DomainError) as bad_kind:
        deploy(budi, event, None, wib(2026, 11, 20, 8), place_kind="rumah_sakit")
    assert bad_kind.value.field == "place_kind"
    db.session.rollback()

    kelurahan = deploy(
        budi,
        event,
        None,
        wib(2026, 11, 20, 8),
        wib(2026, 11, 20, 12),
        place_kind="kelurahan",
        kelurahan_code="32.75.01.1003",
        role="Tim kaji cepat",
    )
    assert place_service.place_label(kelurahan) == "Kelurahan/desa: Durenjaya"
    kitchen = deploy(
        budi,
        event,
        world["masjid"],
        wib(2026, 11, 20, 12),
        wib(2026, 11, 20, 18),
        place_kind="dapur_umum",
        role="Petugas dapur umum",
    )
    assert place_service.place_label(kitchen) == "Dapur umum: di Masjid Al-Ikhlas"
    # Warehouses are not in Posko yet: a deployment to one names it in free text.
    store = deploy(
        budi,
        event,
        None,
        wib(2026, 11, 21, 8),
        wib(2026, 11, 21, 12),
        place_kind="gudang",
        place_name="Gudang Dinsos Jl. Ir. H. Juanda",
        kelurahan_code="32.75.02.1001",
    )
    assert (
        place_service.place_label(store)
        == "Gudang logistik: Gudang Dinsos Jl. Ir. H. Juanda Kel. Bintara"
    )


def test_shelter_of_another_event_or_closed_is_refused(world, make_event):
    other = make_event(title="Angin puting beliung Jatiasih", hazard_code="PTB")
    elsewhere = make_shelter(other, "Balai RW 05")
    with pytest.raises(DomainError, match="kejadian lain") as foreign:
        deploy(world["budi"], world["event"], elsewhere, wib(2026, 11, 20, 8))
    assert foreign.value.field == "shelter_id"
    closed = make_shelter(world["event"], "GOR Bekasi", status="tutup")
    with pytest.raises(DomainError, match="sudah ditutup"):
        deploy(world["budi"], world["event"], closed, wib(2026, 11, 20, 8))
    # A shelter registered without an event serves any event.
    standing = make_shelter(None, "Posko tetap Kecamatan Bekasi Timur")
    assert deploy(world["budi"], world["event"], standing, wib(2026, 11, 20, 8)).shelter_id


def test_overlapping_deployment_is_refused_naming_the_other(world):
    first = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)
    )
    with pytest.raises(Conflict) as caught:
        deploy(
            world["budi"],
            world["event"],
            world["masjid"],
            wib(2026, 11, 20, 19),
            wib(2026, 11, 21, 7),
            letter_number="800/99/Linjamsos",
        )
    message = caught.value.message
    assert f"#{first.id}" in message
    assert "SDN Margahayu 1" in message
    assert first.letter_number in message
    assert "bertumpuk" in message
    assert caught.value.details == {"conflicting_deployment_id": first.id}
    # Back to back is fine: the second shift starts when the first ends.
    follow_up = deploy(
        world["budi"], world["event"], world["masjid"], wib(2026, 11, 20, 20), wib(2026, 11, 21, 8)
    )
    assert follow_up.id != first.id


def test_open_ended_deployment_runs_until_checked_out(world):
    open_ended = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    with pytest.raises(Conflict, match=f"#{open_ended.id}"):
        deploy(world["budi"], world["event"], world["masjid"], wib(2026, 12, 5, 8))
    now = wib(2026, 11, 21, 9)
    duty.check_in(open_ended, world["budi_user"], now=wib(2026, 11, 20, 8, 5))
    duty.check_out(open_ended, world["budi_user"], now=now)
    later = deploy(world["budi"], world["event"], world["masjid"], wib(2026, 11, 21, 10))
    assert later.id


def test_overlap_counts_across_events_and_ignores_cancelled(world, make_event):
    fire = make_event(title="Kebakaran permukiman Kranji", hazard_code="KBP")
    fire_shelter = make_shelter(fire, "Aula Kelurahan Kranji", "32.75.02.1002")
    first = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)
    )
    with pytest.raises(Conflict, match="Banjir Kali Bekasi"):
        deploy(world["budi"], fire, fire_shelter, wib(2026, 11, 20, 10), wib(2026, 11, 20, 14))
    duty.cancel_deployment(first, OFFICE, reason="Anggota sakit")
    assert deploy(world["budi"], fire, fire_shelter, wib(2026, 11, 20, 10), wib(2026, 11, 20, 14))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cancel_deployment"))
    assert entry.changes == {"reason": "Anggota sakit"}


def test_inactive_member_cannot_be_deployed(world):
    member_service.update_member(world["joko"], active=False)
    with pytest.raises(DomainError, match="tidak aktif") as caught:
        deploy(world["joko"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    assert caught.value.field == "member_id"
    assert "Joko Prasetyo" in caught.value.message


@pytest.mark.parametrize("end", [(2026, 11, 20, 7), (2026, 11, 20, 8)])
def test_end_must_be_after_start(world, end):
    with pytest.raises(DomainError, match="harus sesudah waktu mulai") as caught:
        deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(*end))
    assert caught.value.field == "ends_at"


def test_required_fields_and_bad_times(world):
    with pytest.raises(DomainError) as no_letter:
        deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), letter_number=" ")
    assert no_letter.value.field == "letter_number"
    with pytest.raises(DomainError) as bad_time:
        deploy(world["budi"], world["event"], world["sd"], "20/11/2026 jam 8")
    assert bad_time.value.field == "starts_at"
    with pytest.raises(DomainError) as unknown_competency:
        deploy(
            world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), competency="menyelam"
        )
    assert unknown_competency.value.field == "competency"


def test_client_id_makes_a_retry_harmless(world):
    first = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), client_id="hp-budi-1"
    )
    again = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), client_id="hp-budi-1"
    )
    assert again.id == first.id
    with pytest.raises(Conflict):
        deploy(
            world["sari"], world["event"], world["sd"], wib(2026, 11, 20, 8), client_id="hp-budi-1"
        )


def test_check_in_and_out(world):
    d = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)
    )
    duty.check_in(
        d, world["budi_user"], lat="-6.2451", lng="107.0120", now=wib(2026, 11, 20, 7, 50)
    )
    assert d.checked_in_at == wib(2026, 11, 20, 7, 50)
    assert (d.check_in_lat, d.check_in_lng) == (-6.2451, 107.012)
    assert deployment_service.deployment_phase(d) == "bertugas"
    with pytest.raises(Conflict, match="Sudah check-in"):
        duty.check_in(d, world["budi_user"], now=wib(2026, 11, 20, 9))
    duty.check_out(d, world["budi_user"], now=wib(2026, 11, 20, 20, 10))
    assert deployment_service.deployment_phase(d) == "menunggu_laporan"
    with pytest.raises(Conflict, match="Sudah check-out"):
        duty.check_out(d, world["budi_user"], now=wib(2026, 11, 20, 21))


def test_check_out_without_check_in_is_refused(world):
    d = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    with pytest.raises(Conflict, match="Belum check-in"):
        duty.check_out(d, world["budi_user"], now=wib(2026, 11, 20, 9))
    assert d.checked_out_at is None


def test_check_in_time_may_not_be_in_the_future(world):
    d = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    with pytest.raises(DomainError, match="masa depan"):
        duty.check_in(d, world["budi_user"], at="2026-11-20T10:00", now=wib(2026, 11, 20, 9))
    # A phone that was offline sends the time it really arrived.
    duty.check_in(d, world["budi_user"], at="2026-11-20T08:10", now=wib(2026, 11, 20, 9))
    assert d.checked_in_at == wib(2026, 11, 20, 8, 10)


def test_cannot_check_in_while_on_duty_elsewhere(world):
    first = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 12)
    )
    second = deploy(
        world["budi"], world["event"], world["masjid"], wib(2026, 11, 20, 13), wib(2026, 11, 20, 18)
    )
    duty.check_in(first, world["budi_user"], now=wib(2026, 11, 20, 8))
    with pytest.raises(Conflict, match="SDN Margahayu 1"):
        duty.check_in(second, world["budi_user"], now=wib(2026, 11, 20, 13))
    duty.check_out(first, world["budi_user"], now=wib(2026, 11, 20, 13))
    duty.check_in(second, world["budi_user"], now=wib(2026, 11, 20, 13, 5))


def test_tagana_user_acts_only_on_own_deployment(world):
    d = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    with pytest.raises(Forbidden, match="Budi Santoso"):
        duty.check_in(d, world["sari_user"], now=wib(2026, 11, 20, 8))
    # The office may record it on the member's behalf.
    duty.check_in(d, world["operator"], now=wib(2026, 11, 20, 8))
    assert d.checked_in_at is not None


def test_task_report_closes_the_deployment(world, db):
    d = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)
    )
    duty.check_in(d, world["budi_user"], now=wib(2026, 11, 20, 8))
    report = duty.submit_task_report(
        d,
        world["budi_user"],
        activities="Mendata 120 pengungsi, membagikan selimut.",
        people_served="120",
        problems="Air bersih kurang.",
        now=wib(2026, 11, 20, 20, 30),
    )
    db.session.commit()
    assert report.people_served == 120
    assert report.submitted_by_id == world["budi_user"].id
    assert d.status == "selesai"
    # Reporting while still on duty also checks out.
    assert d.checked_out_at == wib(2026, 11, 20, 20, 30)
    with pytest.raises(Conflict, match="sudah dikirim"):
        duty.submit_task_report(d, world["budi_user"], activities="lagi", people_served=1)
    with pytest.raises(Conflict, match="tidak dapat diubah"):
        deployment_service.update_deployment(d, OFFICE, role="Koordinator lapangan")


def test_task_report_on_someone_elses_deployment_is_forbidden(world, db):
    d = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    duty.check_in(d, world["budi_user"], now=wib(2026, 11, 20, 8))
    with pytest.raises(Forbidden) as caught:
        duty.submit_task_report(
            d, world["sari_user"], activities="Membantu dapur umum", people_served=40
        )
    assert "Budi Santoso" in caught.value.message
    assert "penugasan Anda sendiri" in caught.value.message
    assert db.session.scalar(select(TaskReport).where(TaskReport.deployment_id == d.id)) is None
    # An operator may file it for him (e.g. from his paper report).
    duty.submit_task_report(d, world["operator"], activities="Dari laporan kertas", people_served=0)


def test_task_report_needs_check_in_and_valid_values(world):
    d = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    with pytest.raises(Conflict, match="Belum check-in"):
        duty.submit_task_report(d, world["budi_user"], activities="x", people_served=1)
    duty.check_in(d, world["budi_user"], now=wib(2026, 11, 20, 8))
    with pytest.raises(DomainError) as empty:
        duty.submit_task_report(d, world["budi_user"], activities="  ", people_served=1)
    assert empty.value.field == "activities"
    with pytest.raises(DomainError) as negative:
        duty.submit_task_report(d, world["budi_user"], activities="x", people_served=-3)
    assert negative.value.field == "people_served"


def test_cancel_only_before_check_in(world):
    d = deploy(world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8))
    with pytest.raises(DomainError) as no_reason:
        duty.cancel_deployment(d, OFFICE, reason="")
    assert no_reason.value.field == "reason"
    duty.check_in(d, world["budi_user"], now=wib(2026, 11, 20, 8))
    with pytest.raises(Conflict, match="sudah check-in"):
        duty.cancel_deployment(d, OFFICE, reason="salah orang")


def test_update_rechecks_overlap(world):
    first = deploy(
        world["budi"], world["event"], world["sd"], wib(2026, 11, 20, 8), wib(2026, 11, 20, 12)
    )
    second = deploy(
        world["budi"], world["event"], world["masjid"], wib(2026, 11, 20, 13), wib(2026, 11, 20, 18)
    )
    with pytest.raises(Conflict, match=f"#{second.id}"):
        deployment_service.update_deployment(first, OFFICE, ends_at=wib(2026, 11, 20, 14))
    deployment_service.update_deployment(
        first, OFFICE, ends_at=wib(2026, 11, 20, 13), role="Koordinator lapangan"
    )
    assert first.role == "Koordinator lapangan"
    assert first.shelter_id == world["sd"].id


# --- Person-days ----------------------------------------------------------------------------------


def _at(start, end=None, checked_in=None, checked_out=None, status="bertugas") -> Deployment:
    return Deployment(
        starts_at=start,
        ends_at=end,
        checked_in_at=checked_in,
        checked_out_at=checked_out,
        status=status,
    )


@pytest.mark.parametrize(
    ("deployment", "days"),
    [
        # Same office day: one person-day.
        (_at(wib(2026, 11, 20, 8), wib(2026, 11, 20, 20)), 1),
        # An overnight shift touches two calendar days.
        (_at(wib(2026, 11, 20, 20), wib(2026, 11, 21, 7)), 2),
        # Check-in and check-out win over the plan.
        (
            _at(
                wib(2026, 11, 20, 8),
                wib(2026, 11, 20, 12),
                checked_in=wib(2026, 11, 20, 8),
                checked_out=wib(2026, 11, 22, 9),
            ),
            3,
        ),
        # 23:30 UTC on the 20th is already the 21st in Jakarta: one day, not two.
        (_at(datetime(2026, 11, 20, 23, 30), datetime(2026, 11, 21, 10, 0)), 1),
        # Open-ended and running: counted up to now (the 25th).
        (_at(wib(2026, 11, 20, 8), checked_in=wib(2026, 11, 20, 8)), 6),
        # Planned for later: nothing worked yet.
        (_at(wib(2026, 11, 26, 8), wib(2026, 11, 27, 8), status="direncanakan"), 0),
        # Cancelled.
        (_at(wib(2026, 11, 20, 8), wib(2026, 11, 21, 8), status="dibatalkan"), 0),
    ],
)
def test_person_days(app, deployment, days):
    assert deployment_service.person_days(deployment, now=wib(2026, 11, 25, 12)) == days


def test_person_days_clipped_to_the_year(app):
    across = _at(wib(2026, 12, 30, 8), wib(2027, 1, 2, 8))
    now = wib(2027, 2, 1)
    assert deployment_service.person_days(across, now=now) == 4
    assert deployment_service.person_days(across, now=now, year=2026) == 2
    assert deployment_service.person_days(across, now=now, year=2027) == 2
    assert deployment_service.person_days(across, now=now, year=2025) == 0


def test_effective_period_uses_early_check_in(app):
    d = _at(wib(2026, 11, 20, 8), wib(2026, 11, 20, 12), checked_in=wib(2026, 11, 20, 7))
    start, end = deployment_service.effective_period(d)
    assert start == wib(2026, 11, 20, 7)
    assert end == wib(2026, 11, 20, 12)
    assert deployment_service.effective_period(_at(wib(2026, 11, 20, 8)))[1] is None


def test_timedelta_sanity():
    # Guard for the helper itself: 08:00 WIB is 01:00 UTC.
    assert wib(2026, 11, 20, 8) - datetime(2026, 11, 20, 1) == timedelta(0)
