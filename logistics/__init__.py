"""Posko: disaster-response and social-assistance logistics for a Dinas Sosial office."""

import gc
import logging

from flask import Flask

from logistics.core.config import ROOT, load_config

# The domain packages, in dependency order; each may hold models, views (`views`, `*_views`) and
# API (`api`, `*_api`) modules, which create_app imports and registers by those names.
DOMAINS = (
    "admin",
    "areas",
    "office",
    "events",
    "victims",
    "shelters",
    "tagana",
    "stock",
    "distributions",
    "field",
    "kitchens",
    "bast",
    "spm",
    "budget",
    "reports",
    "home",
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; nothing connects to the database or Redis here."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    load_config(app, test_config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_office(app)
    register_security_headers(app)
    register_commands(app)
    if not app.testing:
        # The objects of a built app live as long as the process: left to the collector, the
        # first requests pay full collections over all of them (over 100 ms on a province map).
        gc.freeze()
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # Alembic announces every plugin it loads; the migrations it runs are what matters.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from logistics.core.audit import (
        register_audit_listeners,
        set_request_actor,
        set_request_scope,
    )
    from logistics.core.extensions import compress, csrf, db, limiter, login_manager, migrate
    from logistics.core.queue import redis_url
    from logistics.core.security import enforce_scope, request_actor, request_scope
    from logistics.reports.year_figures import install_listeners as keep_year_figures
    from logistics.spm.tracking import install_listeners

    register_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "warning"
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url(app) or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A Redis that stopped answering must not hold every login for the client's default timeouts.
    app.config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 1}
    )
    limiter.init_app(app)
    register_audit_listeners()
    set_request_actor(request_actor)
    set_request_scope(request_scope)
    register_scope_guards()
    app.before_request(enforce_scope)
    install_listeners()
    keep_year_figures()

    @login_manager.user_loader
    def load_user(user_id: str):
        from logistics.admin.users import session_user

        return session_user(user_id, app.config["REMEMBER_COOKIE_DURATION"])

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, request, url_for

        from logistics.core.errors import wants_json

        if wants_json():
            from flask import jsonify

            return jsonify(
                {"error": "unauthorized", "message": "Silakan masuk terlebih dahulu."}
            ), 401
        flash(login_manager.login_message, "warning")
        return redirect(url_for("auth.login", next=request.full_path))


def domain_modules(kind: str) -> list:
    """The modules of every domain named `kind` or `*_kind` (kind: models, views, api)."""
    import importlib
    import pkgutil

    modules = []
    for domain in DOMAINS:
        package = importlib.import_module(f"logistics.{domain}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
            if info.name == kind or info.name.endswith(f"_{kind}"):
                modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    return modules


def register_models() -> None:
    """Import every table so the metadata (create_all, Alembic) knows them all."""
    import logistics.core.job_models  # noqa: F401
    import logistics.core.models  # noqa: F401

    domain_modules("models")


def register_blueprints(app: Flask) -> None:
    from logistics.core.api import bp as api_bp
    from logistics.core.errors import register_error_handlers

    for module in domain_modules("views"):
        app.register_blueprint(module.bp)
    domain_modules("api")  # each adds its routes to the one API blueprint
    app.register_blueprint(api_bp)
    register_error_handlers(app)


def register_scope_guards() -> None:
    """Which URL parameters name a record with a wilayah, and how to find it: every route with
    one of them is checked against the user's scope before its view (core/scope.py)."""
    from logistics.core.scope import Resolver, guard_parameter
    from logistics.distributions.details import distribution_area_codes
    from logistics.events.services import event_area_codes
    from logistics.field.review import record_area_codes
    from logistics.kitchens.services import kitchen_area_codes
    from logistics.reports.files import file_area_codes
    from logistics.shelters.services import shelter_area_codes
    from logistics.stock.wilayah import document_area_codes, warehouse_area_codes
    from logistics.tagana.deployments import deployment_area_codes
    from logistics.tagana.ksb import ksb_area_codes
    from logistics.tagana.members import member_area_codes
    from logistics.tagana.trainings import training_area_codes
    from logistics.victims import access

    # Provincial staff see every event and change the province's own (DOMAIN: events that cross
    # kab/kota borders); a kab/kota's event is changed by that kab/kota.
    guard_parameter("event_id", Resolver(event_area_codes, event=True))
    guard_parameter("victim_id", Resolver(access.victim_area_codes))
    guard_parameter("person_id", Resolver(access.person_area_codes, access.person_granted))
    guard_parameter("household_id", Resolver(access.household_area_codes, access.household_granted))
    guard_parameter("shelter_id", Resolver(shelter_area_codes))
    guard_parameter("distribution_id", Resolver(distribution_area_codes))
    # Tagana: a member without a recorded home, or a deployment to a province-wide event with
    # no place, is the whole office's: seen by every kab/kota, changed by the office.
    guard_parameter("member_id", Resolver(member_area_codes, covering=True))
    guard_parameter("training_id", Resolver(training_area_codes, covering=True))
    guard_parameter("deployment_id", Resolver(deployment_area_codes, covering=True))
    guard_parameter("ksb_id", Resolver(ksb_area_codes))
    # A generated file holds every area it reports on: a sitrep of a province-wide event or a
    # year-end report only for those who see the whole of it.
    guard_parameter("file_id", Resolver(file_area_codes))
    guard_parameter("warehouse_id", Resolver(warehouse_area_codes))
    guard_parameter("document_id", Resolver(document_area_codes))
    guard_parameter("kitchen_id", Resolver(kitchen_area_codes))
    guard_parameter("record_id", Resolver(record_area_codes))


def register_template_helpers(app: Flask) -> None:
    from logistics.core.formatting import register_filters
    from logistics.core.nav import navigation
    from logistics.events.figures import FIGURES

    register_filters(app)
    # Every page and document labels a victim figure the same way, its definition on hover.
    app.jinja_env.globals["figure_definitions"] = FIGURES

    from logistics.core.office import office_info
    from logistics.core.wording import contoh_kode, istilah

    app.jinja_env.globals.update(istilah=istilah, contoh_kode=contoh_kode, office_info=office_info)

    @app.context_processor
    def inject_globals():
        return {"office_name": app.config["OFFICE_NAME"], "navigation": navigation()}


# Pages an empty instance still serves: the setup wizard itself, its files and the health check.
SETUP_OPEN_ENDPOINTS = {"static", "main.vendor", "main.health"}


def register_office(app: Flask) -> None:
    """The office profile into the config (each request and job), and the first-run redirect."""
    from flask import appcontext_pushed, redirect, request, url_for

    from logistics.office.services import refresh_office_config
    from logistics.office.setup import setup_needed

    def refresh(sender, **_extra):
        refresh_office_config(sender)

    # Jobs and commands open an app context of their own; requests go through before_request.
    appcontext_pushed.connect(refresh, app, weak=False)

    @app.before_request
    def office_profile_and_first_run():
        refresh_office_config(app)
        if not app.config["FIRST_RUN_SETUP"] or app.extensions.get("posko.set_up"):
            return None
        endpoint = request.endpoint or ""
        if endpoint in SETUP_OPEN_ENDPOINTS or endpoint.startswith("office.setup"):
            return None
        if request.path.startswith("/api/"):
            return None
        if setup_needed():
            return redirect(url_for("office.setup_office"))
        app.extensions["posko.set_up"] = True
        return None


_NONCE_KEY = "posko.csp_nonce"


def csp_nonce() -> str:
    """This request's nonce for inline <script> elements (Content-Security-Policy).

    Kept on the request itself (not `g`, which a test's app context shares between requests);
    empty outside a request (a template rendered for a PDF needs none).
    """
    import secrets

    from flask import has_request_context, request

    if not has_request_context():
        return ""
    return request.environ.setdefault(_NONCE_KEY, secrets.token_urlsafe(18))


def content_security_policy(nonce: str | None) -> str:
    """The policy: scripts only from this server or with this request's nonce, no plugins,
    no framing by other sites, forms post here only. Styles may be inline (the maps and
    Leaflet set style attributes); images may come from the map tile server."""
    from geo.maps import tile_origins

    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    directives = {
        "default-src": "'self'",
        "script-src": script,
        "style-src": "'self' 'unsafe-inline'",
        "img-src": " ".join(["'self'", "data:", *tile_origins()]),
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def register_security_headers(app: Flask) -> None:
    from flask import request
    from markupsafe import Markup

    from geo.html import add_script_nonce

    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.template_filter("with_csp_nonce")
    def with_csp_nonce(fragment: str) -> Markup:
        """A rendered map part (trusted HTML) with this request's nonce on its <script> tags."""
        return Markup(add_script_nonce(str(fragment), csp_nonce()))

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(request.environ.get(_NONCE_KEY))
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_commands(app: Flask) -> None:
    from logistics.cli import register_cli

    register_cli(app)
