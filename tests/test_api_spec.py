"""The OpenAPI document is valid and names every API route."""

from openapi_spec_validator import validate


def test_openapi_is_valid_and_complete(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{").replace("{path:", "{")
            assert path in documented, f"{rule.rule} is not in openapi"
