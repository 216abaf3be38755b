"""The pulse's monthly average: a built-in VoE KPI, computed from the answers, never sent."""

import uuid

from sqlmodel import Session

from api.pulse.models import PulseAnswer
from tests.kpis.helpers import values


def _answers(factory, question_id: str, month: str, scores: list[int]) -> list[uuid.UUID]:
    """One new executive per score, each answering `question_id` for `month`; returns their ids."""
    from api.db import get_engine

    people = [factory.user(role="executive").id for _ in scores]
    with Session(get_engine()) as s:
        for user_id, score in zip(people, scores, strict=True):
            s.add(PulseAnswer(question_id=uuid.UUID(question_id), user_id=user_id, month=month, score=score))
        s.commit()
    return people


def test_the_pulse_kpi_averages_each_month_with_enough_respondents(client, factory, manager, admin, executive):
    listed = {k["key"]: k for k in client.get("/api/kpis", headers=executive.headers).json()}
    assert listed["pulse"] == {"key": "pulse", "name": "Reality-check pulse (monthly average)", "kind": "voe",
                               "unit": "0-10", "higher_is_better": True, "period": "month", "scale_min": 0,
                               "scale_max": 10, "archived": False, "builtin": True}
    questions = client.get("/api/pulse/questions", headers=executive.headers).json()
    scale = [q["id"] for q in questions if q["kind"] == "scale"]
    _answers(factory, scale[0], "2026-09", [6, 7, 8])
    _answers(factory, scale[1], "2026-09", [10])  # a fourth respondent, another question: in the average
    _answers(factory, scale[0], "2026-10", [2, 9])  # two respondents: fewer than pulse_min_responses (3)
    _answers(factory, scale[0], "2026-11", [5, 5, 6])
    rows = values(client, manager, "pulse")
    assert [(r["period_start"], r["value"], r["responses"], r["site"], r["department"]) for r in rows] == [
        ("2026-09-01", 7.75, 4, None, None), ("2026-11-01", 5.33, 3, None, None)]
    assert values(client, executive, "pulse") == rows  # organisation-wide, like every value of no department
    assert [r["period_start"] for r in values(client, manager, "pulse", since="2026-09-02")] == ["2026-11-01"]
    assert [r["period_start"] for r in values(client, manager, "pulse", until="2026-10-31")] == ["2026-09-01"]
    assert [r["period_start"] for r in values(client, manager, "pulse", since="2026-09-01",
                                              until="2026-09-01")] == ["2026-09-01"]
    site = factory.site()
    assert values(client, manager, "pulse", site_id=str(site.id)) == []
    assert client.patch("/api/settings", json={"pulse_min_responses": 2}, headers=admin.headers).status_code == 200
    assert [r["value"] for r in values(client, manager, "pulse")] == [7.75, 5.5, 5.33]


def test_the_pulse_kpi_takes_no_values(client, manager):
    res = client.put("/api/kpis/pulse/values", json=[{"period_start": "2026-11-01", "value": 7}],
                     headers=manager.headers)
    assert res.status_code == 409 and "computed" in res.json()["detail"]
