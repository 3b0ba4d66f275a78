"""Schema-driven fuzzing of the JSON API: no input gives a 5xx, every response matches the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

import collections
STATS = collections.Counter()
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def run_operations(app, session, *, public_only=False, max_examples=20):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    cookies = {c.key: c.value for c in session._cookies.values()}
    for result in schema.get_all_operations():
        operation = result.ok()
        if public_only and operation.definition.raw.get("security"):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(17)
            @settings(
                max_examples=max_examples,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case):
                response = case.call(session=session, cookies=cookies)
                STATS[(operation.label, str(mode), response.status_code)] += 1
                try:
                    case.validate_response(response, checks=CHECKS)
                except (Exception, BaseExceptionGroup) as exc:
                    failures.append(f"{operation.label} [{mode}]: {str(exc)[:300]} {response.status_code} {response.text[:300]} {case.as_curl_command()[:300]}")

            try:
                fuzz()
            except Exception as exc:
                if "Unsatisfiable" in repr(exc):
                    continue
                failures.append(f"{operation.label} [{mode}] error: {exc!r}"[:600])
    return failures


def test_fuzz_as_admin(app, db, client_for, make_user):
    from logistics.demo.seed import seed_demo

    seed_demo()
    db.session.commit()
    session = client_for(make_user("admin"))
    failures = run_operations(app, session)
    for k, v in sorted(STATS.items()):
        print(k, v)
    assert not failures, "\n".join(failures)
