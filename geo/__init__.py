"""Administrative boundaries: reading, validation, dissolving, point lookup, demo areas, maps."""

from geo.boundaries import (
    CODE_PATTERNS,
    LEVELS,
    OUTPUT_COLUMNS,
    BoundaryFileError,
    file_sha256,
    read_boundaries,
)
from geo.demo import points_from_csv, voronoi_areas
from geo.dissolve import dissolve_parents
from geo.index import AreaIndex
from geo.maps import MapHtml, area_map, render_map_html, simplify_for_zoom, to_geojson

__all__ = [
    "CODE_PATTERNS",
    "LEVELS",
    "OUTPUT_COLUMNS",
    "AreaIndex",
    "BoundaryFileError",
    "MapHtml",
    "area_map",
    "dissolve_parents",
    "file_sha256",
    "points_from_csv",
    "read_boundaries",
    "render_map_html",
    "simplify_for_zoom",
    "to_geojson",
    "voronoi_areas",
]
