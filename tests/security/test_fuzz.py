"""Schema fuzzing with schemathesis against a real server's /api/openapi.json.

Every operation gets positive (schema-valid) and negative (schema-invalid) examples, authenticated as an
admin, with all of schemathesis's checks: no 5xx, every status documented, every body matching the
documented schema, invalid input rejected, valid input accepted. Hypothesis runs derandomized (a fixed
seed), with a bounded number of examples, so a failure reproduces and the run stays short.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.live import LiveServer, backends, live_database

EXAMPLES = int(os.environ.get("UNDERCOVER_FUZZ_EXAMPLES", "20"))
# Schema-valid input these operations may still refuse on meaning, with a 422 that says why.
REFUSED_ON_MEANING = {
    "POST /api/me/password": "the current password must be the caller's",
    # A schema-valid password may still be too weak or common for the password rule (api/auth/passwords.py).
    "POST /api/users": "the password must be strong enough",
    "PATCH /api/users/{user_id}": "the password must be strong enough",
    # People and messages (issue 14)
    "POST /api/invitations": "the e-mail address must be valid and the departments must exist",
    "POST /api/invitations/accept": "the token must come from a live invitation link",
    "POST /api/auth/password-reset": "the e-mail address must be valid",
    "POST /api/auth/password-reset/confirm": "the token must come from a live reset link",
    "POST /api/notifications/read": "ids or all: true",
    "POST /api/notifications/unsubscribe": "the token must match the person and kind",
    "POST /api/webhooks": "the URL must be an http(s) address and the events known ones",
    "GET /api/notifications": "a cursor must be one the list gave out",
    # KPIs and company values (issue 15)
    "POST /api/kpis": "the key must be free and not a built-in KPI's",
    "PATCH /api/kpis/{key}": "the KPI must exist, not be built in, and its stored values fit a new scale",
    "PUT /api/kpis/{key}/values": "the KPI must exist; dates on its grid, values on its scale, known places",
    "GET /api/kpis/{key}/values": "the KPI must exist and since must not be after until",
    "POST /api/values": "the name must be free",
    "PATCH /api/values/{value_id}": "the value must exist and its new name be free",
    "POST /api/goals": "two or more known departments; a known site, KPI or current theme; a due date not past",
    "GET /api/goals/{goal_id}": "the goal must exist",
    "PATCH /api/goals/{goal_id}": "the goal must exist; a new due date not in the past",
    "DELETE /api/goals/{goal_id}": "the goal must exist",
}
# These revoke the caller's token: each example gets a throwaway token of its own.
REVOKING = {"POST /api/auth/logout", "POST /api/auth/logout-all", "POST /api/me/password"}


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_api_matches_its_schema_under_fuzzing(backend, tmp_path):
    with live_database(backend, tmp_path) as url, LiveServer(url, tmp_path) as server:
        admin = server.user("admin")
        schema = schemathesis.openapi.from_url(f"{server.url}/api/openapi.json")
        failures: list[str] = []
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
                @given(case=operation.as_strategy(generation_mode=mode))
                def check(case):
                    label = operation.label  # noqa: B023 - check() runs right here, inside this iteration
                    token = server.token(admin.id) if label in REVOKING else admin.token
                    excluded = [positive_data_acceptance] if label in REFUSED_ON_MEANING else []
                    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, timeout=30,
                                           excluded_checks=excluded)

                try:
                    check()
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to get wrong: no input
                except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report every operation at once
                    failures.append(f"{operation.label} [{mode.value}]: {exc}"[:3000])
        assert "Traceback" not in server.log_text(), server.log_text()[-5000:]
    assert not failures, "\n\n".join(failures)
