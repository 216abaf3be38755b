"""A theme's metrics, linked week by week: the rank correlation, its sample size and its words."""

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from api.core.clock import utcnow
from api.kpis.rank import MIN_PERIODS, describe, ranks, spearman
from tests.factories import visit_body
from tests.kpis.helpers import make_kpi, put_values


def test_ranks_share_the_mean_of_tied_places():
    assert ranks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1]


def test_spearman_on_series_whose_relation_is_known():
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1)
    assert spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1)  # monotone, not linear: still 1
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert spearman([3, 3, 3], [1, 2, 3]) is None  # one side never changed


def test_the_words_never_give_a_bare_coefficient():
    few = describe(rho=None, n=MIN_PERIODS - 1, metric="NPS", period="week", higher_is_better=True)
    assert few.startswith("Too few weeks to say anything") and "ρ" not in few
    strong = describe(rho=-0.62, n=14, metric="NPS", period="week", higher_is_better=True)
    assert strong == ("Weeks with more of these pain points tended strongly to have lower NPS "
                      "(worse; ρ = −0.62 over 14 weeks). A relation, not proof of a cause.")
    churn = describe(rho=0.45, n=9, metric="churn", period="month", higher_is_better=False)
    assert churn.startswith("Months with more of these pain points tended to have higher churn (worse;")
    assert describe(rho=0.05, n=20, metric="NPS", period="week", higher_is_better=True).startswith(
        "No clear relation between these pain points and NPS")


def _monday(weeks_ago: int):
    today = utcnow().date()
    return today - timedelta(days=today.weekday(), weeks=weeks_ago)


def _theme_with_weekly_counts(client, factory, executive, manager, counts: dict[int, int], *, site, department):
    """A theme whose pain points occurred `counts[k]` times in the week k weeks ago, at one site and department."""
    theme = factory.theme(label=f"Refund shows twice {uuid.uuid4().hex[:6]}")
    ids = []
    for weeks_ago, n in counts.items():
        start = datetime.combine(_monday(weeks_ago) + timedelta(days=1), time(10), tzinfo=UTC)
        body = visit_body(start=start, pain_points=n, site_id=site.id, department_id=department.id)
        assert client.put(f"/api/visits/{uuid.uuid4()}", json=body, headers=executive.headers).status_code == 201
        ids += [p["id"] for p in body["pain_points"]]
    res = client.post(f"/api/themes/{theme.id}/pain-points", json={"pain_point_ids": ids}, headers=manager.headers)
    assert res.status_code == 200, res.text
    return theme


def test_a_theme_shows_the_metrics_of_its_places_and_how_they_moved_together(client, factory, executive, manager):
    site, department, elsewhere = factory.site(), factory.department(), factory.site()
    weeks = range(1, 11)
    theme = _theme_with_weekly_counts(client, factory, executive, manager, {k: 11 - k for k in weeks},
                                      site=site, department=department)
    make_kpi(client, manager)  # NPS, weekly: the more pain points, the lower
    nps = [{"period_start": _monday(k).isoformat(), "site_id": str(site.id), "value": 20 + k} for k in weeks]
    nps += [{"period_start": _monday(k).isoformat(), "site_id": str(elsewhere.id), "value": 90} for k in weeks]
    assert put_values(client, manager, "nps", nps).status_code == 200
    make_kpi(client, manager, key="enps", name="Employee NPS", kind="voe", period="month")  # three months only
    firsts = sorted({_monday(k).replace(day=1) for k in (1, 5, 9)} | {(_monday(12)).replace(day=1)})
    months = [{"period_start": d.isoformat(), "department_id": str(department.id), "value": 10 + i}
              for i, d in enumerate(firsts[:3])]
    assert put_values(client, manager, "enps", months).status_code == 200
    make_kpi(client, manager, key="csat", name="CSAT", scale_min=0)  # only elsewhere: not this theme's

    res = client.get(f"/api/themes/{theme.id}/kpis", headers=manager.headers)
    assert res.status_code == 200, res.text
    body = res.json()
    assert [p["name"] for p in body["sites"]] == [site.name]
    assert [p["name"] for p in body["departments"]] == [department.name]
    by_key = {m["key"]: m for m in body["metrics"]}
    assert set(by_key) == {"nps", "enps"}
    linked = by_key["nps"]
    assert (linked["rho"], linked["sample_size"], linked["period"]) == (-1.0, 10, "week")
    assert [p["value"] for p in linked["points"]] == [20 + k for k in reversed(weeks)]  # oldest first, one site only
    assert [p["pain_points"] for p in linked["points"]] == list(range(1, 11))
    assert "lower Net Promoter Score" in linked["sentence"] and "ρ = −1.00 over 10 weeks" in linked["sentence"]
    few = by_key["enps"]
    assert few["rho"] is None and few["sample_size"] <= 3 and few["period"] == "month"
    assert few["sentence"].startswith("Too few months to say anything") and "ρ" not in few["sentence"]


def test_who_reads_a_themes_metrics(client, factory, executive, manager, admin):
    theme = factory.theme()
    assert client.get(f"/api/themes/{theme.id}/kpis", headers=executive.headers).status_code == 403
    assert client.get(f"/api/themes/{uuid.uuid4()}/kpis", headers=manager.headers).status_code == 404
    empty = client.get(f"/api/themes/{theme.id}/kpis", headers=admin.headers).json()
    assert (empty["metrics"], empty["sites"], empty["min_sample_size"]) == ([], [], MIN_PERIODS)
    assert client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers).status_code == 200
    assert client.get(f"/api/themes/{theme.id}/kpis", headers=executive.headers).status_code == 200


def test_executives_see_only_the_kpi_rows_the_values_api_shows_them(client, factory, executive, manager, admin):
    from tests.goals.helpers import join

    site, mine, theirs = factory.site(), factory.department(), factory.department()
    join(factory.session, executive, mine)
    theme = _theme_with_weekly_counts(client, factory, executive, manager, {1: 2, 2: 1}, site=site, department=mine)
    other = _theme_with_weekly_counts(client, factory, executive, manager, {1: 1}, site=site, department=theirs)
    make_kpi(client, manager, key="enps", name="Employee NPS", kind="voe")
    rows = [{"period_start": _monday(1).isoformat(), "department_id": str(d.id), "value": v}
            for d, v in ((mine, 10), (theirs, 50))]
    assert put_values(client, manager, "enps", rows).status_code == 200
    assert client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers).status_code == 200
    # The theme touching only the executive's department: its rows; the other theme: none for them.
    seen = client.get(f"/api/themes/{theme.id}/kpis", headers=executive.headers).json()["metrics"]
    assert [p["value"] for p in seen[0]["points"]] == [10]
    assert client.get(f"/api/themes/{other.id}/kpis", headers=executive.headers).json()["metrics"] == []
    assert client.get(f"/api/themes/{other.id}/kpis", headers=manager.headers).json()["metrics"][0]["points"][0][
        "value"] == 50


def test_the_pulse_shows_beside_a_theme_as_answered_in_its_departments(client, factory, executive, manager, admin):
    from tests.goals.helpers import join
    from tests.kpis.test_pulse_kpi import _answers

    site, ours, theirs = factory.site(), factory.department(), factory.department()
    theme = _theme_with_weekly_counts(client, factory, executive, manager, {5: 2}, site=site, department=ours)
    question = next(q["id"] for q in client.get("/api/pulse/questions", headers=executive.headers).json()
                    if q["kind"] == "scale")
    first = utcnow().date().replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1).strftime("%Y-%m")
    before = (first - timedelta(days=40)).replace(day=1).strftime("%Y-%m")
    members = _answers(factory, question, last_month, [4, 5, 6])
    join(factory.session, executive, ours)
    for user_id in members:
        join_ids(factory.session, user_id, ours)
    strangers = _answers(factory, question, last_month, [10, 10, 10])
    for user_id in strangers:
        join_ids(factory.session, user_id, theirs)
    for user_id in _answers(factory, question, before, [9, 9]):  # two of ours: too few to show
        join_ids(factory.session, user_id, ours)

    metrics = client.get(f"/api/themes/{theme.id}/kpis", headers=manager.headers).json()["metrics"]
    pulse = next(m for m in metrics if m["key"] == "pulse")
    assert pulse["period"] == "month" and pulse["kind"] == "voe"
    assert [(p["period_start"], p["value"]) for p in pulse["points"]] == [(f"{last_month}-01", 5.0)]
    # An executive of another department reads no pulse of this one.
    outsider = factory.user(role="executive")
    join(factory.session, outsider, theirs)
    assert client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers).status_code == 200
    seen = client.get(f"/api/themes/{theme.id}/kpis", headers=outsider.headers).json()["metrics"]
    assert "pulse" not in {m["key"] for m in seen}
    assert "pulse" in {m["key"] for m in client.get(f"/api/themes/{theme.id}/kpis",
                                                    headers=executive.headers).json()["metrics"]}


def join_ids(session, user_id, department) -> None:
    from api.auth.models import UserDepartment

    session.add(UserDepartment(user_id=user_id, department_id=department.id))
    session.commit()
