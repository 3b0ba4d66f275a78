"""What every domain's Flask-WTF forms share: the required-field message and service errors on fields."""

import re

from flask import flash, request

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


def attach_error(
    form, exc: DomainError, fallback: str | None = None, field: str | None = None
) -> None:
    """Show service errors under the fields they name (or `fallback`), item-line errors beside
    their rows (`form.row_errors`), warnings in the confirm box (`form.warnings`), the rest
    at the top of the page."""
    if isinstance(exc, NeedsConfirmation):
        form.warnings = [message for _code, message, _field in exc.warnings]
        return
    errors = exc.errors if isinstance(exc, Invalid) else [exc]
    for error in errors:
        _attach_one(form, error, fallback, field if len(errors) == 1 else None)


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
