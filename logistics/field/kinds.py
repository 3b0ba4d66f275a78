"""What each kind of field record does, through the owning domain's own service."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from logistics.core import inputs
from logistics.core.errors import DomainError
from logistics.core.scope import WHOLE_OFFICE
from logistics.core.time import office_date
from logistics.distributions.batch import HandOutBatch
from logistics.distributions.reads import Reads
from logistics.distributions.services import (
    HAND_OUT_FIELDS,
    HandOut,
    Prepared,
    parse_hand_out,
    prepare_distribution,
    write_distribution,
)
from logistics.shelters.counts import record_head_count
from logistics.shelters.models import COUNT_GROUPS
from logistics.shelters.services import get_shelter
from logistics.tagana import duty
from logistics.tagana.deployments import get_deployment

HEAD_COUNT_FIELDS = {"shelter_id", "counted_on", "persons", "households", "note", *COUNT_GROUPS}
CHECK_IN_FIELDS = {"deployment_id", "lat", "lng"}
CHECK_OUT_FIELDS = {"deployment_id"}
TASK_REPORT_FIELDS = {"deployment_id", "note", "people_served", "problems"}


@dataclass(frozen=True)
class Context:
    """One record to apply: who made it, when the phone says it was made, when it arrived,
    whether the phone's clock is suspect, and the office override a review adds."""

    user: object
    client_id: str
    phone_made_at: datetime
    received_at: datetime
    clock_suspect: bool = False
    override_reason: str = ""

    @property
    def made_at(self) -> datetime | None:
        """The phone's time when it can be believed; None leaves the arrival time to count."""
        return None if self.clock_suspect else self.phone_made_at


def _only(payload: Mapping, allowed: set[str]) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise DomainError(f"Kolom tidak dikenal: {', '.join(unknown)}.", field=unknown[0])


def _day_made(payload: Mapping, key: str, context: Context) -> date | str | None:
    """The day the record names, else the day it was made on the phone, else arrival's day.
    A phone whose clock is wrong fills in its own wrong day: that day gives way to arrival's."""
    given = payload.get(key)
    arrival = office_date(context.received_at)
    if context.clock_suspect and str(given) == office_date(context.phone_made_at).isoformat():
        return arrival
    if not inputs.is_blank(given):
        return given
    return office_date(context.made_at) if context.made_at else arrival


def hand_out_values(payload: Mapping, context: Context) -> dict:
    """The hand-out a record asks for, as POST /distributions takes it (without client_id: the
    field record holds it, one row per content)."""
    _only(payload, HAND_OUT_FIELDS)
    values = {**payload, "distributed_on": _day_made(payload, "distributed_on", context)}
    if context.override_reason:
        values["override_reason"] = context.override_reason
    return values


def hand_out_command(payload: Mapping, context: Context) -> HandOut:
    """The hand-out a record asks for, parsed as POST /distributions parses its body."""
    return parse_hand_out(hand_out_values(payload, context))


def prepare_hand_out(payload: Mapping, context: Context, reads: Reads | None = None) -> Prepared:
    """Every read and check of a hand-out record, nothing written (see write_distribution)."""
    return prepare_distribution(hand_out_command(payload, context), context.user, reads)


def apply_hand_out(
    payload: Mapping,
    context: Context,
    prepared: Prepared | None = None,
    batch: HandOutBatch | None = None,
) -> int:
    """A hand-out through the same parse and write as POST /distributions; its id. In a
    `batch`, a prepared hand-out is checked and written by the batch (stock taken at its end)."""
    if prepared is None:
        prepared = prepare_hand_out(payload, context)
    if batch is not None:
        return batch.write(prepared)
    distribution, _created = write_distribution(prepared, context.user)
    return distribution.id


def apply_head_count(payload: Mapping, context: Context) -> int:
    _only(payload, HEAD_COUNT_FIELDS)
    shelter_id = inputs.whole_number(
        payload.get("shelter_id"), "shelter_id", "Tempat pengungsian", required=True
    )
    shelter = get_shelter(shelter_id)
    # A phone counts only in its user's wilayah (refused, nothing written, elsewhere).
    getattr(context.user, "scope", WHOLE_OFFICE).require_record(shelter.kelurahan_code)
    result = record_head_count(
        shelter,
        persons=payload.get("persons"),
        counted_on=_day_made(payload, "counted_on", context),
        households=payload.get("households"),
        groups={key: payload.get(key) for key in COUNT_GROUPS},
        note=payload.get("note") or "",
        client_id=context.client_id,
        recorded_by_id=context.user.id,
    )
    return result.count.id


def _deployment(payload: Mapping):
    number = inputs.whole_number(
        payload.get("deployment_id"), "deployment_id", "Penugasan", required=True
    )
    return get_deployment(number)


def apply_check_in(payload: Mapping, context: Context) -> int:
    _only(payload, CHECK_IN_FIELDS)
    deployment = _deployment(payload)
    duty.check_in(
        deployment,
        context.user,
        lat=payload.get("lat"),
        lng=payload.get("lng"),
        at=context.made_at,
        now=context.received_at,
        # Sent from a phone that was offline: the member was there, nobody is left to ask.
        confirm=True,
    )
    return deployment.id


def apply_check_out(payload: Mapping, context: Context) -> int:
    _only(payload, CHECK_OUT_FIELDS)
    deployment = _deployment(payload)
    duty.check_out(deployment, context.user, at=context.made_at, now=context.received_at)
    return deployment.id


def apply_task_report(payload: Mapping, context: Context) -> int:
    _only(payload, TASK_REPORT_FIELDS)
    report = duty.submit_task_report(
        _deployment(payload),
        context.user,
        activities=payload.get("note"),
        people_served=payload.get("people_served") or 0,
        problems=payload.get("problems") or "",
        now=context.made_at or context.received_at,
    )
    return report.id


APPLY: dict[str, Callable[[Mapping, Context], int]] = {
    "hand_out": apply_hand_out,
    "head_count": apply_head_count,
    "check_in": apply_check_in,
    "check_out": apply_check_out,
    "task_report": apply_task_report,
}
