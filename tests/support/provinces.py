"""Part of a real province's boundaries (Bengkulu, 17) loaded as a provinsi office's spine."""

import gzip
import json
from pathlib import Path

from tests.conftest import BOUNDARIES

BENGKULU = BOUNDARIES / "prov_bengkulu.geojson.gz"


def load_bengkulu(folder: Path, kab_kota: tuple[str, ...]) -> dict:
    """Load the desa of the given Bengkulu kab/kota (the file's own features, uncut) into the
    current app's database as office 17; returns the load's result."""
    from flask import current_app

    from logistics.areas.services import load_boundary_file
    from logistics.core.extensions import db

    with gzip.open(BENGKULU, "rt", encoding="utf-8") as fh:
        collection = json.load(fh)
    collection["features"] = [
        f for f in collection["features"] if f["properties"]["kode_kab"] in kab_kota
    ]
    path = folder / "bengkulu-part.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    current_app.config.update(OFFICE_AREA_CODE="17", OFFICE_AREA_NAME="Bengkulu")
    result = load_boundary_file(path, office_code="17")
    db.session.commit()
    return result
