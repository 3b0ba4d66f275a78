"""What every domain's Flask-WTF forms share: the required message, the submit showing every refusal."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, request

from logistics.core.database import rehearsal, transaction
from logistics.core.errors import DomainError, Invalid, NeedsConfirmation

REQUIRED = "Wajib diisi."
# Fields a person cannot see: an error there would be invisible.
HIDDEN_FIELD_TYPES = ("HiddenField", "CSRFTokenField")
# A service names an item line's value "lines[2].quantity"; the page shows it beside row 2.
LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)$")
CONFIRM_WORDS = ("ya", "1", "true", "on")


def confirmed() -> bool:
    """The person pressed "Ya, simpan" on the warning box of a form that came back with warnings."""
    return request.form.get("confirm", "").strip().lower() in CONFIRM_WORDS


@dataclass
class Submitted:
    """What became of a posted form: `done` with the action's result, or refused with the
    status of the page that shows the errors again."""

    done: bool
    result: Any = None
    status: int = 200


# What a value too malformed for a service to start from raises (an id that is not a number).
MALFORMED = (ValueError, TypeError, AttributeError, LookupError)


def submit(
    form,
    action: Callable[[], Any],
    *,
    fallback: str | None = None,
    field: str | None = None,
    names: dict[str, str] | None = None,
) -> Submitted:
    """Check a posted form and carry out `action` (the service calls) in one transaction.

    When the form's own validators refuse it, `action` still runs, in a rehearsal that is
    rolled back, so the page shows the services' refusals of the other values together with the
    validators' (a value the validators refused keeps their message): one submit, every error.
    A value too malformed for the services to start from ends the rehearsal quietly. `names`
    maps a service's field name to the form's where they differ.
    """
    if request.method != "POST":
        return Submitted(False)
    valid = form.validate_on_submit()
    if not valid and getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        return Submitted(False, status=422)  # a stale or forged form is not looked at further
    try:
        if valid:
            with transaction():
                return Submitted(True, action())
        with rehearsal():
            action()
    except DomainError as exc:
        attach_error(form, exc, fallback, field, beside_validators=not valid, names=names)
        # A page that asks to confirm shows the form again, as a refused one does.
        confirm = isinstance(exc, NeedsConfirmation)
        status = exc.status if (valid and not confirm) or exc.status == 403 else 422
        return Submitted(False, status=status)
    except MALFORMED:
        if valid:
            raise
    return Submitted(False, status=422)


def attach_error(
    form,
    exc: DomainError,
    fallback: str | None = None,
    field: str | None = None,
    *,
    beside_validators: bool = False,
    names: dict[str, str] | None = None,
) -> None:
    """Show service errors under the fields they name (or `fallback`), item-line errors beside
    their rows (`form.row_errors`), warnings in the confirm box (`form.warnings`), the rest
    at the top of the page. `beside_validators`: the form's validators refused it too, and a
    field they refused keeps only their message."""
    if isinstance(exc, NeedsConfirmation):
        form.warnings = [message for _code, message, _field in exc.warnings]
        return
    errors = exc.errors if isinstance(exc, Invalid) else [exc]
    alone = len(errors) == 1
    for error in errors:
        if names and error.field in names:
            error.field = names[error.field]
        name = (field if alone else None) or error.field
        target = getattr(form, name, None) if name else None
        if beside_validators and getattr(target, "errors", None):
            continue
        _attach_one(form, error, fallback, field if alone else None)


def _attach_one(form, exc: DomainError, fallback: str | None, field: str | None) -> None:
    line = LINE_FIELD.match(exc.field or "")
    if line is not None:
        rows = getattr(form, "row_errors", None)
        if rows is None:
            rows = form.row_errors = {}
        rows.setdefault(int(line[1]), {}).setdefault(line[2], []).append(exc.message)
        return
    for name in (field or exc.field, fallback):
        target = getattr(form, name, None) if name else None
        if (
            target is not None
            and hasattr(target, "errors")
            and target.type not in HIDDEN_FIELD_TYPES
        ):
            if exc.message not in target.errors:
                target.errors = [*target.errors, exc.message]
            return
    flash(exc.message, "danger")
