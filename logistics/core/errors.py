"""Domain errors and how the web layer turns them into a page or a 4xx JSON body."""

from flask import current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A request the office cannot carry out; the message (Indonesian) says what to fix."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}

    def to_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class Invalid(DomainError):
    """Several refusals of one submit, so a person can fix them all before sending again."""

    def __init__(self, errors: list[DomainError]):
        count = len(errors)
        super().__init__(
            f"{count} isian perlu diperbaiki: " + " ".join(e.message for e in errors),
            field=errors[0].field,
        )
        self.errors = errors

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["errors"] = [e.to_dict() for e in self.errors]
        return body


class Collector:
    """Runs each check of a submit and raises every refusal together (`Invalid`), not only the
    first: a tired operator fixes them in one go. Forbidden and conflicts still stop at once."""

    def __init__(self):
        self.errors: list[DomainError] = []

    def check(self, parse, *args, **kwargs):
        """parse(*args, **kwargs), or None when it refused (the refusal is kept)."""
        try:
            return parse(*args, **kwargs)
        except Invalid as exc:
            self.errors.extend(exc.errors)
        except DomainError as exc:
            if exc.status in (401, 403, 409):
                raise
            self.errors.append(exc)
        return None

    def add(self, error: DomainError) -> None:
        self.errors.append(error)

    def errors_for(self, field: str) -> list[DomainError]:
        return [e for e in self.errors if e.field == field]

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise Invalid(self.errors)


class NeedsConfirmation(DomainError):
    """Allowed but unusual values (a check-in 12 days early, a decree after the event ended):
    the person confirms them rather than the system refusing or silently accepting them."""

    status = 409
    code = "confirmation_required"
    HOW = 'Periksa kembali; bila sudah benar, kirim ulang dengan "confirm": true.'

    def __init__(self, warnings: list[tuple[str, str, str | None]]):
        super().__init__(" ".join(message for _code, message, _field in warnings))
        self.field = warnings[0][2]
        self.warnings = warnings

    def to_dict(self) -> dict:
        body = super().to_dict()
        body["warnings"] = [
            {"warning": code, "message": message, "field": field}
            for code, message, field in self.warnings
        ]
        body["confirm"] = self.HOW
        return body


class Warnings:
    """Sanity warnings of one submit; `check()` refuses them together unless `confirmed`."""

    def __init__(self, confirmed: bool = False):
        self.confirmed = bool(confirmed)
        self.items: list[tuple[str, str, str | None]] = []

    def add(self, code: str, message: str, field: str | None = None) -> None:
        self.items.append((code, message, field))

    def check(self) -> None:
        if self.items and not self.confirmed:
            raise NeedsConfirmation(self.items)


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


HTTP_MESSAGES = {
    400: "Permintaan tidak valid.",
    401: "Silakan masuk terlebih dahulu.",
    403: "Anda tidak memiliki hak untuk tindakan ini.",
    404: "Halaman atau data tidak ditemukan.",
    405: "Metode tidak diizinkan.",
    413: "Berkas terlalu besar.",
    429: "Terlalu banyak percobaan. Tunggu beberapa menit lalu coba lagi.",
    500: "Terjadi kesalahan pada server. Coba lagi atau hubungi admin.",
}
TOO_LARGE = (
    "Berkas terlalu besar: batas unggahan {mb} MB. Bagi menjadi beberapa berkas, atau minta admin "
    "menaikkan batas (POSKO_UPLOAD_MAX_MB)."
)


def register_error_handlers(app) -> None:
    """JSON errors under /api/, Indonesian error pages elsewhere."""

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            return jsonify(error.to_dict()), error.status
        return render_template(
            "error.html", status=error.status, message=error.message
        ), error.status

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, error.description)
        if status == 413:
            # Says what the limit is, so the office knows to split the file or raise the setting.
            message = TOO_LARGE.format(mb=current_app.config["UPLOAD_MAX_MB"])
        if status == 400 and error.description and "CSRF" in error.description:
            message = "Formulir kedaluwarsa atau tidak sah (token CSRF). Muat ulang halaman lalu coba lagi."
        if wants_json():
            body = {"error": error.name.lower().replace(" ", "_"), "message": message}
            response = jsonify(body)
        else:
            response = make_response(render_template("error.html", status=status, message=message))
        response.status_code = status
        # A 405 must say which methods the address does take (RFC 9110); werkzeug knows them.
        if getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response
