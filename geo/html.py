"""The one place where data is made safe for maps: escaped text, script JSON, folium parts."""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any

import folium
from branca.element import Element, Html
from folium.features import GeoJson, GeoJsonPopup, GeoJsonTooltip

# Besides HTML's five, the characters that end or run code inside a JavaScript template
# literal, where folium puts tooltip and popup text: `...${code}...`, and backslash escapes.
_TEMPLATE_LITERAL = {"`": "&#96;", "$": "&#36;", "\\": "&#92;"}
_TEMPLATE_RE = re.compile("[`$\\\\]")
# JSON inside <script>: no character may close the element or open an HTML comment, and the
# line separators JavaScript does not allow in strings are written as escapes.
_SCRIPT_JSON = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_RE = re.compile("[<>&'\u2028\u2029]")
_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)", re.I)
_ESCAPED = "_posko_escaped"


def text(value: Any) -> str:
    """Any value as HTML text: what Leaflet shows as a tooltip, popup, legend or layer name.

    Safe in element content, in quoted attributes and inside folium's template literals.
    """
    escaped = html.escape("" if value is None else str(value), quote=True)
    return _TEMPLATE_RE.sub(lambda m: _TEMPLATE_LITERAL[m.group()], escaped)


def script_json(value: Any) -> str:
    """JSON to place inside a <script> element (as a JS value), non-ASCII kept readable."""
    dumped = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _SCRIPT_RE.sub(lambda m: _SCRIPT_JSON[m.group()], dumped)


def escape_properties(collection: dict) -> dict:
    """A copy of a GeoJSON FeatureCollection whose property values are HTML text.

    Strings are escaped; lists and objects become their escaped JSON text (folium's detail
    tooltips would print them as JSON); numbers, booleans and null stay as they are.
    """
    escaped = copy.copy(collection)
    features = []
    for feature in collection.get("features") or []:
        feature = dict(feature)
        props = feature.get("properties") or {}
        feature["properties"] = {key: _property_text(value) for key, value in props.items()}
        features.append(feature)
    escaped["features"] = features
    return escaped


def _property_text(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict | list | tuple):
        return text(json.dumps(value, ensure_ascii=False))
    return text(value)


def walk_elements(element: Element):
    """A folium element and every element below it, parents first, in the order added."""
    yield element
    for child in list(element._children.values()):
        yield from walk_elements(child)


def escape_map(fmap: folium.Map) -> folium.Map:
    """Make every folium part of a map that Leaflet shows as HTML carry escaped text.

    Leaflet takes a string tooltip, popup or layer name as HTML, and folium's GeoJsonTooltip
    and GeoJsonPopup build HTML from feature properties, so a kelurahan or shelter named
    "<img onerror=...>" would run script. Covered: property values of GeoJson layers that show
    them (embedded data), Tooltip and Popup text, layer names in the layer control, and the
    field labels of detail tooltips. Our own map elements pass data as script_json and show it
    as DOM text, or build their HTML with text(). Runs once per map (render_map_html calls it);
    maps must not rely on HTML in folium tooltips, popups or layer names.
    """
    for element in walk_elements(fmap):
        if getattr(element, _ESCAPED, False):
            continue
        setattr(element, _ESCAPED, True)
        if isinstance(element, GeoJson):
            shows_properties = any(
                isinstance(child, GeoJsonTooltip | GeoJsonPopup)
                for child in element._children.values()
            )
            if shows_properties and isinstance(element.data, dict):
                element.data = escape_properties(element.data)
        if isinstance(element, GeoJsonTooltip | GeoJsonPopup):
            element.aliases = [text(alias) for alias in element.aliases]
        if isinstance(element, folium.Tooltip):
            element.text = text(element.text)
        if isinstance(element, folium.Popup):
            # A popup keeps its content outside _children; text content is an Html element,
            # escaped here and placed as is (script=True) so that it is not escaped twice.
            for content in element.html._children.values():
                if isinstance(content, Html):
                    content.data = text(content.data)
                    content.script = True
        if isinstance(element, folium.map.Layer) and element.layer_name is not None:
            element.layer_name = text(element.layer_name)
    return fmap


def add_script_nonce(markup: str, nonce: str) -> str:
    """Every <script> tag of a rendered fragment with the page's CSP nonce."""
    return _SCRIPT_TAG.sub(lambda m: f'{m.group()} nonce="{text(nonce)}"', markup)
