"""`flask --app wsgi setup`: the first-run setup of an empty office from the command line."""

import getpass
from pathlib import Path

import click
from flask import current_app

from logistics.core.audit import acting_as
from logistics.core.database import transaction
from logistics.core.errors import DomainError
from logistics.core.wording import LEVELS
from logistics.office.models import SIGNATORY_ROLES, TIMEZONES


def _password(password_file: str | None) -> tuple[str, str]:
    if password_file:
        text = Path(password_file).read_text(encoding="utf-8").strip()
        return text, text
    return getpass.getpass("Kata sandi admin: "), getpass.getpass("Ulangi kata sandi: ")


def _signatories(head_name, head_nip, head_position, extra: tuple[str, ...]) -> list[dict]:
    rows = [{"role": "kepala_dinas", "name": head_name, "nip": head_nip, "position": head_position}]
    for text in extra:
        parts = [p.strip() for p in text.split(";")]
        if len(parts) < 2 or "=" not in parts[0]:
            raise click.BadParameter(
                f"'{text}': tulis PERAN=NAMA;NIP[;JABATAN], mis. "
                "pengelola_gudang=Rina Wati;198805122010012003",
                param_hint="--signatory",
            )
        role, name = (p.strip() for p in parts[0].split("=", 1))
        rows.append({"role": role, "name": name, "nip": parts[1], "position": ";".join(parts[2:])})
    return rows


@click.command("setup")
@click.option("--name", required=True, help="Office name, e.g. 'Dinas Sosial Kabupaten Serang'.")
@click.option("--level", type=click.Choice(list(LEVELS)), required=True)
@click.option("--code", required=True, help="Kemendagri code: PP (provinsi) or PP.KK.")
@click.option("--timezone", type=click.Choice(list(TIMEZONES)), default="Asia/Jakarta")
@click.option("--admin", "admin_username", required=True, help="User name of the first admin.")
@click.option("--admin-name", default="", help="Full name of the first admin.")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--boundaries", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--head-name", required=True, help="Kepala Dinas: name as it is printed.")
@click.option("--head-nip", required=True, help="Kepala Dinas: NIP (18 digits).")
@click.option("--head-position", default="", help="Kepala Dinas: jabatan (default 'Kepala Dinas').")
@click.option(
    "--signatory",
    multiple=True,
    metavar="ROLE=NAME;NIP[;JABATAN]",
    help=f"Another signatory (repeatable); roles: {', '.join(list(SIGNATORY_ROLES)[1:])}.",
)
@click.option("--address", default="")
@click.option("--phone", default="")
@click.option("--email", default="")
@click.option("--logo", type=click.Path(exists=True, dir_okay=False), default=None)
def setup_command(**options):
    """Set up an empty office: profile, first admin and (optionally) its boundaries."""
    from logistics.office.setup import refuse_when_set_up, run_setup
    from logistics.reference import seed_reference_data

    values = {
        "name": options["name"],
        "level": options["level"],
        "area_code": options["code"],
        "timezone": options["timezone"],
        "address": options["address"],
        "phone": options["phone"],
        "email": options["email"],
    }
    signatories = _signatories(
        options["head_name"], options["head_nip"], options["head_position"], options["signatory"]
    )
    logo = options["logo"]
    try:
        refuse_when_set_up()
        password, confirm = _password(options["password_file"])
        admin = {
            "username": options["admin_username"],
            "full_name": options["admin_name"],
            "password": password,
            "password_confirm": confirm,
        }
        with acting_as(None, "cli"), transaction():
            seed_reference_data()
            done = run_setup(
                values,
                signatories,
                admin,
                current_app.config["INSTANCE_DIR"],
                (Path(logo).name, Path(logo).read_bytes()) if logo else None,
                options["boundaries"],
            )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    loaded = done["boundaries"]
    click.echo(f"office set up: {done['profile'].name} ({done['profile'].area_code})")
    click.echo(f"admin account: {done['user'].username}")
    if loaded:
        click.echo(f"boundaries: {loaded['features']} areas loaded")
    else:
        click.echo("boundaries: none yet (flask --app wsgi geo load FILE)")
