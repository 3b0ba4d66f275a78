"""Schema-driven fuzzing of the JSON API from its own OpenAPI document: no input gives a 5xx, and
every answer matches the document (schemathesis, in-process over WSGI, fixed seed, bounded)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

# Cases per operation and generation mode: about 2 x 105 x 8 requests, well under two minutes.
CASES = 8
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
METHODS = ("get", "put", "post", "delete", "patch")


def fuzz_operations(app, session, *, public_only: bool) -> tuple[int, list[str]]:
    """Run every operation (only those without security when `public_only`) with valid and
    invalid inputs; (operations run, failures as text)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    cookies = {cookie.key: cookie.value for cookie in session._cookies.values()}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if public_only and operation.definition.raw.get("security"):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run_one(operation, mode, session, cookies, failures)
    return operations, failures


def run_one(operation, mode, session, cookies, failures) -> None:
    @seed(17)
    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        # The session's own cookie, not the random one the document's cookie scheme would send;
        # plain bodies, as the WSGI client does not decompress (compression has its own tests).
        response = case.call(
            session=session, cookies=cookies, headers={"Accept-Encoding": "identity"}
        )
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(
                f"{operation.label} [{mode}] {response.status_code} {case.as_curl_command()}\n"
                f"{str(failure)[:600]}"
            )

    try:
        fuzz()
    except Exception as error:
        # Some negative modes have nothing to generate (an operation without inputs).
        if "Unsatisfiable" not in type(error).__name__:
            failures.append(f"{operation.label} [{mode}] raised {error!r}"[:800])


@pytest.fixture
def demo_office(db):
    """The Kota Bekasi demo office: records for the generated ids to find."""
    from logistics.demo.seed import seed_demo

    seed_demo()
    db.session.commit()


def test_fuzzing_as_admin_finds_no_5xx_and_no_schema_mismatch(
    app, demo_office, client_for, make_user
):
    operations, failures = fuzz_operations(app, client_for(make_user("admin")), public_only=False)
    assert operations > 100
    assert not failures, "\n\n".join(failures)


def test_fuzzing_public_routes_anonymously(app, demo_office):
    operations, failures = fuzz_operations(app, app.test_client(), public_only=True)
    assert operations >= 5
    assert not failures, "\n\n".join(failures)


def test_every_other_method_is_405_with_allow(app, client_for, make_user):
    from logistics.core.api import openapi_document

    client = client_for(make_user("admin"))
    checked = 0
    for path, item in openapi_document()["paths"].items():
        documented = {method for method in METHODS if method in item}
        url = "/api/v1" + "/".join(
            "1" if part.startswith("{") else part for part in path.split("/")
        )
        for method in set(METHODS) - documented:
            response = client.open(url, method=method.upper())
            assert response.status_code == 405, (method, url, response.status_code)
            allowed = {m.strip().lower() for m in response.headers["Allow"].split(",")}
            assert documented <= allowed, (method, url, allowed)
            checked += 1
    assert checked > 200
