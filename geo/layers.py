"""The layers of a boundary file (a GeoPackage may hold several), for an operator to pick one."""

from __future__ import annotations

from pathlib import Path

import pyogrio

from geo.boundaries import _vsi_path


def polygon_layers(path: str | Path) -> list[str]:
    """Names of the file's layers that hold polygons, in file order; [] when unreadable.

    Only a file with more than one needs a choice (read_boundaries refuses to guess).
    """
    try:
        layers = pyogrio.list_layers(_vsi_path(Path(path)))
    except Exception:  # any GDAL failure: the load itself will say what is wrong
        return []
    return [str(name) for name, kind in layers if kind and "polygon" in str(kind).lower()]
