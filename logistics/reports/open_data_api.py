"""API: open data for partners (public, no login): HXL-tagged CSV and GeoJSON, no personal data."""

from flask import Response, jsonify, url_for

from logistics.core.api import bp
from logistics.core.extensions import limiter
from logistics.reports import open_data


def _links(kind: str, value: int) -> list[dict]:
    scope_arg = {"event_id": value} if kind == "event" else {"year": value}
    csv_endpoint = "api.open_data_event_csv" if kind == "event" else "api.open_data_year_csv"
    geo_endpoint = (
        "api.open_data_event_geojson" if kind == "event" else "api.open_data_year_geojson"
    )
    links = [
        {"format": "csv", "level": level, "url": url_for(csv_endpoint, level=level, **scope_arg)}
        for level in open_data.offered_levels()
    ]
    links += [
        {
            "format": "geojson",
            "level": layer,
            "url": url_for(geo_endpoint, layer=layer, **scope_arg),
        }
        for layer in open_data.offered_layers()
    ]
    return links


def _csv(scope, level: str) -> Response:
    open_data.check_level(level)
    return Response(
        open_data.to_csv(scope, level),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{open_data.filename(scope, level, "csv")}"'
        },
    )


def _geojson(scope, layer: str) -> Response:
    open_data.check_level(layer, open_data.LAYERS)
    response = jsonify(open_data.geojson(scope, layer))
    response.mimetype = "application/geo+json"
    return response


@bp.get("/open-data")
@limiter.limit(open_data.rate_limit)
def open_data_index():
    events = open_data.published_events()
    return jsonify(
        {
            "notes": open_data.NOTES,
            "small_cell_threshold": open_data.SMALL_CELL,
            "events": [
                {
                    "id": e.id,
                    "code": e.code,
                    "title": e.title,
                    "year": e.year,
                    "hazard": e.hazard_type.name,
                    "datasets": _links("event", e.id),
                }
                for e in events
            ],
            "years": [
                {"year": y, "datasets": _links("year", y)} for y in open_data.published_years()
            ],
        }
    )


@bp.get("/open-data/events/<int:event_id>/csv/<level>")
@limiter.limit(open_data.rate_limit)
def open_data_event_csv(event_id: int, level: str):
    return _csv(open_data.event_scope(event_id), level)


@bp.get("/open-data/events/<int:event_id>/geojson/<layer>")
@limiter.limit(open_data.rate_limit)
def open_data_event_geojson(event_id: int, layer: str):
    return _geojson(open_data.event_scope(event_id), layer)


@bp.get("/open-data/events/<int:event_id>/figures/<level>")
@limiter.limit(open_data.rate_limit)
def open_data_event_figures(event_id: int, level: str):
    scope = open_data.event_scope(event_id)
    open_data.check_level(level)
    return jsonify(
        {
            "scope": scope.label,
            "level": level,
            "notes": open_data.NOTES,
            "columns": [
                {"key": key, "label": label, "hxl": tag}
                for key, label, tag in open_data.columns(level, scope.kind)
            ],
            "items": open_data.figures(scope, level),
        }
    )


@bp.get("/open-data/years/<int:year>/csv/<level>")
@limiter.limit(open_data.rate_limit)
def open_data_year_csv(year: int, level: str):
    return _csv(open_data.year_scope(open_data.validate_year(year)), level)


@bp.get("/open-data/years/<int:year>/geojson/<layer>")
@limiter.limit(open_data.rate_limit)
def open_data_year_geojson(year: int, layer: str):
    return _geojson(open_data.year_scope(open_data.validate_year(year)), layer)
