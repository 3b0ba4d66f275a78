"""core.time: the one rule for date-times from outside (naive means office-local time)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from logistics.core.errors import DomainError
from logistics.core.time import local_input_value, moment, office_date, parse_datetime

STORED = datetime(2026, 11, 20, 1, 0)  # 08:00 WIB


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-20T08:00",
        "2026-11-20 08:00",
        " 2026-11-20T08:00:00 ",
        "2026-11-20T01:00Z",
        "2026-11-20T08:00+07:00",
        "2026-11-20T10:00+09:00",
        datetime(2026, 11, 20, 8, 0),  # a form field's or spreadsheet cell's naive value
        datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=8))),
    ],
)
def test_every_form_of_one_moment_is_stored_alike(app, value):
    assert parse_datetime(value, "at", "Waktu") == STORED


def test_the_office_time_zone_decides_naive_values(app):
    app.config["OFFICE_TIMEZONE"] = "Asia/Jayapura"  # WIT, UTC+9
    assert parse_datetime("2026-11-20T10:00", "at", "Waktu") == STORED
    assert local_input_value(STORED) == "2026-11-20T10:00"
    assert office_date(datetime(2026, 11, 19, 16, 0)) == datetime(2026, 11, 20).date()


def test_blank_and_bad_values(app):
    assert parse_datetime("  ", "at", "Waktu") is None
    with pytest.raises(DomainError, match="Waktu wajib diisi") as caught:
        parse_datetime(None, "at", "Waktu", required=True)
    assert caught.value.field == "at"
    with pytest.raises(DomainError, match="TTTT-BB-HH JJ:MM, bukan 'besok pagi'"):
        parse_datetime("besok pagi", "at", "Waktu")


def test_moment_takes_stored_values_from_code_and_parses_text(app):
    assert moment(STORED, "at", "Waktu") == STORED  # Python code passes stored (UTC) values
    assert moment(STORED.replace(tzinfo=UTC), "at", "Waktu") == STORED
    assert moment("2026-11-20T08:00", "at", "Waktu") == STORED  # text is office-local


def test_event_api_and_form_read_naive_times_as_office_time(client, db, make_user, login, bekasi):
    from logistics.events.models import Event

    login(make_user("operator"))
    body = {
        "hazard": "BJR",
        "title": "Banjir API",
        "started_at": "2026-11-20T08:00",
        "kelurahan_codes": ["32.75.01.1001"],
    }
    created = client.post("/api/v1/events", json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["started_at"] == "2026-11-20T01:00:00Z"
    from_form = client.post(
        "/kejadian/baru",
        data={
            "hazard_type_id": str(db.session.get(Event, created.get_json()["id"]).hazard_type_id),
            "title": "Banjir formulir",
            "started_at": "2026-11-20T08:00",
            "kelurahan_codes": "32.75.01.1002",
        },
    )
    assert from_form.status_code == 302, from_form.get_data(as_text=True)[:500]
    event = db.session.query(Event).filter_by(title="Banjir formulir").one()
    assert event.started_at == STORED
