"""What every domain's Flask-WTF forms share: the required-field message and service errors on fields."""

from flask import flash

from logistics.core.errors import DomainError

REQUIRED = "Wajib diisi."
# Fields a person cannot see: an error there would be invisible.
HIDDEN_FIELD_TYPES = ("HiddenField", "CSRFTokenField")


def attach_error(
    form, exc: DomainError, fallback: str | None = None, field: str | None = None
) -> None:
    """Show a service error under the field it names (or `fallback`), else at the top of the page."""
    for name in (field or exc.field, fallback):
        target = getattr(form, name, None) if name else None
        if (
            target is not None
            and hasattr(target, "errors")
            and target.type not in HIDDEN_FIELD_TYPES
        ):
            target.errors = [*target.errors, exc.message]
            return
    flash(exc.message, "danger")
