"""Bench-only WSGI app: the production app plus one bare route that inserts one row (the floor)."""

from flask import jsonify, request
from sqlalchemy import Column, Integer, MetaData, String, Table, insert

from logistics import create_app
from logistics.core.extensions import csrf, db

# Not in the app's metadata: the benchmark creates it in its own database only.
FLOOR = Table(
    "bench_floor",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("client_id", String(64), unique=True),
    Column("household_id", Integer),
)
_INSERT = insert(FLOOR)


def create_floor_table(engine) -> None:
    FLOOR.create(engine, checkfirst=True)


@csrf.exempt
def floor():
    """What any write costs on this stack: parse the JSON, insert one row, commit, answer."""
    body = request.get_json(silent=True) or {}
    values = {"client_id": body.get("client_id"), "household_id": body.get("household_id")}
    new_id = db.session.execute(_INSERT, values).inserted_primary_key[0]
    db.session.commit()
    return jsonify({"id": new_id}), 201


app = create_app()
app.add_url_rule("/bench/floor", "bench_floor", floor, methods=["POST"])
