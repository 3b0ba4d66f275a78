"""Posko: disaster-response and social-assistance logistics for a Dinas Sosial office."""

import logging

from flask import Flask

from logistics.config import ROOT, load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; nothing connects to the database or Redis here."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    load_config(app, test_config)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        # Alembic announces every plugin it loads; the migrations it runs are what matters.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from logistics import models  # noqa: F401  (registers every table with the metadata)
    from logistics.extensions import csrf, db, limiter, login_manager, migrate
    from logistics.queue import redis_url
    from logistics.services.audit import register_audit_listeners
    from logistics.services.spm_tracking import install_listeners

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk untuk membuka halaman ini."
    login_manager.login_message_category = "warning"
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url(app) or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    register_audit_listeners()
    install_listeners()

    from sqlalchemy import bindparam, select

    from logistics.models import User

    # Every request of a logged-in user loads them: a statement built once costs about half of
    # session.get(), which builds its query anew each time.
    user_by_id = select(User).where(User.id == bindparam("id"))

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.execute(user_by_id, {"id": int(user_id)}).scalar_one_or_none()

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, request, url_for

        from logistics.errors import wants_json

        if wants_json():
            from flask import jsonify

            return jsonify(
                {"error": "unauthorized", "message": "Silakan masuk terlebih dahulu."}
            ), 401
        flash(login_manager.login_message, "warning")
        return redirect(url_for("auth.login", next=request.full_path))


def register_blueprints(app: Flask) -> None:
    import importlib
    import pkgutil

    from logistics import views
    from logistics.api import bp as api_bp
    from logistics.errors import register_error_handlers

    # One blueprint per module of views/ (helpers such as forms.py define none).
    for info in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"logistics.views.{info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
    app.register_blueprint(api_bp)
    register_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from logistics.formatting import register_filters
    from logistics.views.nav import navigation

    register_filters(app)

    @app.context_processor
    def inject_globals():
        return {"office_name": app.config["OFFICE_NAME"], "navigation": navigation()}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def register_commands(app: Flask) -> None:
    from logistics.cli import register_cli

    register_cli(app)
