"""Contract tests generated from the REST API's OpenAPI schema (schemathesis), on the sample
world of whichever backend runs: no answer is a 5xx, and every documented answer matches its
schema. Few examples per operation, so the suite stays fast."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from agent.runtime import Assistant
from channels.web.app import create_app
from core.db import make_engine, transaction
from core.identities import issue_token
from core.settings import ServerSettings

pytestmark = pytest.mark.db

# One app for the schema; each test points it at its own fresh database (the API reads the
# engine and clock from app.state on every request).
_placeholder = make_engine("sqlite://")
APP = create_app(
    _placeholder, None, Assistant(_placeholder, None), server=ServerSettings(signin_failures_per_minute=10**6)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/api/v1/")


@pytest.fixture
def tokens(sample, clock):
    APP.state.engine, APP.state.clock = sample, clock
    with transaction(sample) as s:
        return {u: issue_token(s, u, clock=clock) for u in ("U-ADM", "U-RET-101")}


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_contract(case, tokens):
    for token in tokens.values():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error, response_schema_conformance]
        )


# Random names rarely meet a report of the catalogue: every report in every format, explicitly,
# each answer checked against what the schema documents (status, content type, JSON body).
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_reports_contract_in_every_format(fmt, tokens):
    from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

    from core.report_catalog import REPORTS

    op = schema["/api/v1/reports/{name}"]["GET"]
    for name in REPORTS:
        for token in tokens.values():
            case = op.Case(path_parameters={"name": name}, query={"format": fmt})
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                checks=[
                    not_a_server_error,
                    response_schema_conformance,
                    content_type_conformance,
                    status_code_conformance,
                ],
            )
            assert response.status_code in (200, 403, 404), (name, response.text)
