"""API for the field app: device credentials, the batch sync, record status, reference data."""

from functools import wraps

from flask import jsonify, request
from flask_login import current_user

from logistics.admin.models import WRITER_ROLES
from logistics.core.api import api_login_required, bp, json_payload
from logistics.core.audit import acting_as
from logistics.core.database import transaction
from logistics.core.extensions import csrf
from logistics.core.schema_api import check_request
from logistics.core.time import utcnow
from logistics.field import devices, reference, sync


def iso_utc(value) -> str | None:
    """A stored naive-UTC time as ISO 8601 with its offset."""
    return None if value is None else value.isoformat(timespec="seconds") + "+00:00"


def user_json(user) -> dict:
    return {"id": user.id, "username": user.username, "name": user.full_name, "role": user.role}


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def device_required(view):
    """The phone's credential before anything else (401 naming why), then the request against
    its schema: a caller without a device learns that first, not the rules of the body."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        devices.authenticate(_bearer())
        check_request()
        return view(*args, **kwargs)

    # The blueprint's before_request leaves the schema check to this decorator.
    wrapped.checks_schema = True
    return wrapped


@bp.post("/field/devices")
@api_login_required(*WRITER_ROLES)
def field_devices_create():
    """Issue this phone a credential of its own (shown once; only its hash is kept)."""
    data = json_payload()
    with transaction():
        device, token = devices.issue_device(current_user, data.get("name"))
        body = {
            "device_id": device.id,
            "token": token,
            "expires_at": iso_utc(device.expires_at),
            "user": user_json(current_user),
        }
    return jsonify(body), 201


@bp.post("/field/sync")
@csrf.exempt  # the bearer token, not a cookie, says who sends: nothing for a forged form to ride
@device_required
def field_sync():
    """Records from a phone's outbox, answered one by one in the order sent."""
    with transaction():
        device = devices.authenticate(_bearer())
        records = json_payload().get("records")
        received_at = utcnow()
        # The records' writes are the device user's in the audit trail, session or none.
        with acting_as(device.user_id, device.user.username):
            outcomes = sync.sync_records(device, records, now=received_at)
        body = {"received_at": iso_utc(received_at), "results": [o.to_dict() for o in outcomes]}
    return jsonify(body)


@bp.post("/field/status")
@csrf.exempt
@device_required
def field_status():
    """What became of records sent earlier, the office's review included."""
    with transaction():
        device = devices.authenticate(_bearer())
        outcomes = sync.status_of(device, json_payload().get("client_ids"))
        results = [{k: v for k, v in o.to_dict().items() if k != "field"} for o in outcomes]
    return jsonify({"results": results})


@bp.get("/field/reference")
@device_required
def field_reference():
    """The reference data for the device's user: their deployments' areas and events."""
    with transaction():
        device = devices.authenticate(_bearer())
        data = reference.reference_for(
            device.user, event_id=request.args.get("event_id"), since=request.args.get("since")
        )
    return jsonify(data)
