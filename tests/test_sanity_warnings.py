"""Sanity warnings with a confirm step: a check-in far from the deployment's schedule and a decree
dated in the future or after its event ended come back with the warning, and are saved only
when the person confirms ("Ya, simpan" on the page, "confirm": true in the API)."""

from datetime import datetime, timedelta

import pytest

from logistics.core.time import office_today, utcnow
from tests.support.tagana import OFFICE, deploy, make_member, make_shelter, wib


@pytest.fixture
def planned(db, make_event, make_user):
    """A deployment that starts twelve days from now, and the member's own login."""
    event = make_event()
    user = make_user("tagana", "budi", full_name="Budi Santoso")
    member = make_member("3275-001", "Budi Santoso", user_id=user.id)
    start = utcnow().replace(microsecond=0) + timedelta(days=12)
    deployment = deploy(member, event, make_shelter(event, "SDN Margahayu 1"), start)
    return deployment, user


def test_check_in_twelve_days_early_is_refused_until_confirmed(db, planned):
    from logistics.core.errors import NeedsConfirmation
    from logistics.tagana import duty

    deployment, _ = planned
    with pytest.raises(NeedsConfirmation) as refused:
        duty.check_in(deployment, OFFICE)
    assert refused.value.warnings[0][0] == "check_in_before_schedule"
    assert "12 hari sebelum jadwal" in refused.value.message
    db.session.rollback()
    assert deployment.checked_in_at is None
    duty.check_in(deployment, OFFICE, confirm=True)
    assert deployment.checked_in_at is not None and deployment.status == "bertugas"


def test_check_in_on_schedule_needs_no_confirmation(db, make_event):
    from logistics.core.errors import NeedsConfirmation
    from logistics.tagana import duty

    event = make_event()
    member = make_member("3275-009", "Sari")
    shelter = make_shelter(event, "Masjid")
    # Arriving the evening before the start is normal.
    deployment = deploy(member, event, shelter, wib(2026, 11, 21, 8), wib(2026, 11, 24, 8))
    duty.check_in(deployment, OFFICE, now=wib(2026, 11, 20, 19))
    assert deployment.checked_in_at is not None
    other = make_member("3275-010", "Tono")
    late = deploy(other, event, shelter, wib(2026, 11, 1, 8), wib(2026, 11, 3, 8))
    with pytest.raises(NeedsConfirmation, match="hari setelah jadwal penugasan berakhir"):
        duty.check_in(late, OFFICE, now=wib(2026, 11, 10, 8))


def test_check_in_page_warns_then_saves_with_ya(client, login, db, planned):
    deployment, user = planned
    login(user)
    url = f"/tagana/pengerahan/{deployment.id}/check-in"
    first = client.post(url, data={"next": "/tagana/tugas-saya"})
    assert first.status_code == 302 and "konfirmasi=check-in" in first.location
    db.session.refresh(deployment)
    assert deployment.checked_in_at is None
    page = client.get(first.location).get_data(as_text=True)
    assert "12 hari sebelum jadwal penugasan dimulai" in page
    assert "Ya, check-in" in page and 'name="confirm" value="ya"' in page
    assert "data-form-summary" in page
    confirmed = client.post(url, data={"confirm": "ya", "next": "/tagana/tugas-saya"})
    assert confirmed.status_code == 302 and confirmed.location.endswith("/tagana/tugas-saya")
    db.session.refresh(deployment)
    assert deployment.checked_in_at is not None


def test_check_in_api_answers_409_naming_the_warning(client, login, db, planned):
    deployment, user = planned
    login(user)
    url = f"/api/v1/tagana/deployments/{deployment.id}/check-in"
    refused = client.post(url, json={})
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["error"] == "confirmation_required"
    assert [w["warning"] for w in body["warnings"]] == ["check_in_before_schedule"]
    assert '"confirm": true' in body["confirm"]
    saved = client.post(url, json={"confirm": True})
    assert saved.status_code == 200 and saved.get_json()["checked_in_at"]


def _decree_form(starts_on, **extra):
    return {
        "status": "tanggap_darurat",
        "decree_number": "360/Kep.7",
        "issuer_level": "bupati_walikota",
        "starts_on": starts_on.isoformat(),
        **extra,
    }


def test_decree_in_the_future_asks_to_confirm_on_the_page(client, login, make_user, db, make_event):
    from logistics.events.models import EventDecree

    event = make_event()
    login(make_user("operator"))
    url = f"/kejadian/{event.id}/status"
    tomorrow = office_today() + timedelta(days=3)
    first = client.post(url, data=_decree_form(tomorrow))
    assert first.status_code == 422
    page = first.get_data(as_text=True)
    assert "masih di masa depan" in page
    assert 'class="form-summary form-warning"' in page and "Ya, simpan" in page
    assert 'name="confirm" value="ya"' in page
    # The entered values are kept for the confirming submit.
    assert 'value="360/Kep.7"' in page and f'value="{tomorrow.isoformat()}"' in page
    assert db.session.query(EventDecree).count() == 0
    saved = client.post(url, data=_decree_form(tomorrow, confirm="ya"))
    assert saved.status_code == 302
    assert db.session.query(EventDecree).count() == 1


def test_decree_after_the_event_ended_needs_confirm_in_the_api(
    client, login, make_user, make_event
):
    event = make_event(ended_at=datetime(2026, 11, 22, 2, 0))
    login(make_user("operator"))
    url = f"/api/v1/events/{event.id}/decrees"
    body = _decree_form(datetime(2026, 11, 25).date())
    refused = client.post(url, json=body)
    assert refused.status_code == 409
    answer = refused.get_json()
    assert [w["warning"] for w in answer["warnings"]] == ["decree_after_event"]
    assert answer["warnings"][0]["field"] == "starts_on"
    saved = client.post(url, json=body | {"confirm": True})
    assert saved.status_code == 201


def test_event_end_in_the_future_asks_to_confirm(client, login, make_user, db, make_event):
    from sqlalchemy import select

    from logistics.events.models import Event, HazardType

    login(make_user("operator"))
    hazard = db.session.scalar(select(HazardType.id).where(HazardType.code == "BJR"))
    future = (office_today() + timedelta(days=5)).isoformat()
    form = {
        "hazard_type_id": hazard,
        "title": "Banjir Jatiasih",
        "started_at": "2026-11-20T01:30",
        "ended_at": f"{future}T08:00",
    }
    first = client.post("/kejadian/baru", data=form)
    assert first.status_code == 422
    page = first.get_data(as_text=True)
    assert "masih di masa depan" in page and "Ya, simpan" in page
    assert 'value="Banjir Jatiasih"' in page
    assert db.session.scalar(select(Event.id)) is None
    saved = client.post("/kejadian/baru", data=form | {"confirm": "ya"})
    assert saved.status_code == 302
    event = db.session.scalar(select(Event))
    api = client.patch(f"/api/v1/events/{event.id}", json={"ended_at": f"{future}T09:00"})
    assert api.status_code == 409
    assert api.get_json()["warnings"][0]["warning"] == "event_end_in_future"
    assert (
        client.patch(
            f"/api/v1/events/{event.id}", json={"ended_at": f"{future}T09:00", "confirm": True}
        ).status_code
        == 200
    )
