"""A folium map frame whose area layers the browser fetches per zoom (no geometry in the page)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.html import script_json
from geo.maps import (
    _BOX_STYLE,
    _INDONESIA_CENTER,
    _INDONESIA_ZOOM,
    _KECAMATAN_STYLE,
    _KELURAHAN_STYLE,
    DEFAULT_TILES,
    LEAFLET_CSS,
    LEAFLET_JS,
    _MapControl,
    _MetricScale,
    notice_html,
)

KAB_KOTA_COLOUR = "#5b2c6f"
AFFECTED_FILL = "#fb6a4a"


class _RemoteLayers(MacroElement):
    """Hands the map to the layer script (`poskoAreaLayers`, loaded with Leaflet), which fetches
    the layers named in `config` and draws them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.poskoAreaLayers({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: Mapping):
        super().__init__()
        self._name = "RemoteLayers"
        self.config_json = script_json(dict(config))


def _legend(levels: Sequence[str], approximate: bool) -> str:
    swatch = "display:inline-block;width:18px;height:12px;margin-right:6px;vertical-align:middle;"
    line = f"{swatch}height:0;border-top:3px solid"
    rows = []
    if "affected" in levels:
        rows.append(
            f'<span style="{swatch}background:{AFFECTED_FILL};border:1px solid #a50f15"></span>'
            "Wilayah terdampak kejadian aktif"
        )
    if "kelurahan" in levels:
        border = "dashed" if approximate else "solid"
        label = "Kelurahan/Desa (perkiraan)" if approximate else "Kelurahan/Desa"
        rows.append(
            f'<span style="{swatch}background:{_KELURAHAN_STYLE["fillColor"]};opacity:0.7;'
            f'border:1px {border} {_KELURAHAN_STYLE["color"]}"></span>{label}'
        )
    if "kecamatan" in levels:
        rows.append(f'<span style="{line} {_KECAMATAN_STYLE["color"]}"></span>Batas kecamatan')
    if "kab_kota" in levels:
        rows.append(f'<span style="{line} {KAB_KOTA_COLOUR}"></span>Batas kabupaten/kota')
    return f'<div style="{_BOX_STYLE}"><strong>Keterangan</strong><br>{"<br>".join(rows)}</div>'


def layered_map(
    config: Mapping,
    *,
    bounds: Sequence[float] | None,
    script_url: str,
    approximate: bool = False,
    tiles: str | None = DEFAULT_TILES,
) -> folium.Map:
    """A map fitted to `bounds` (min lng, min lat, max lng, max lat) whose layers the browser
    fetches: config holds `layers` (level -> URL), `whole` (draw the whole grid at once),
    `zoom` (level -> first zoom it shows at), `affected` (URL of a layer drawn on top, or None).
    script_url is the layer script's address; Leaflet is linked from the CDN until the caller
    serves it locally (replacing default_js, then appending the layer script again)."""
    center = (
        ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2) if bounds else _INDONESIA_CENTER
    )
    fmap = folium.Map(
        location=list(center), zoom_start=9 if bounds else _INDONESIA_ZOOM, tiles=None
    )
    if tiles:
        folium.TileLayer(tiles, name=f"Peta dasar ({tiles})", control=False).add_to(fmap)
    fmap.default_js = [("leaflet", LEAFLET_JS), ("posko_layers", script_url)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS)]
    fmap.add_child(_MetricScale())
    levels = [level for level, url in config.get("layers", {}).items() if url]
    if config.get("affected"):
        levels.append("affected")
    fmap.add_child(_MapControl(_legend(levels, approximate), "bottomright", "posko-map-legend"))
    if approximate:
        fmap.add_child(_MapControl(notice_html(), "topright", "posko-map-notice"))
    fmap.add_child(_RemoteLayers(config))
    if bounds:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap
