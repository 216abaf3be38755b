"""Sending KPI values: an idempotent upsert, checked all together, nothing partial stored."""

from sqlmodel import select

from api.kpis.models import KpiValue
from tests.factories import count_rows, fetch
from tests.kpis.helpers import make_kpi, put_values, values


def test_the_same_list_twice_changes_nothing_and_a_change_updates_in_place(client, factory, manager):
    make_kpi(client, manager)
    leeds, stores = factory.site(name="Leeds"), factory.department(name="Stores")
    items = [
        {"period_start": "2026-11-02", "site": "Leeds", "department": None, "value": 41.5, "responses": 212},
        {"period_start": "2026-11-02", "site": "leeds", "department": "Stores", "value": 38, "responses": 90},
        {"period_start": "2026-11-02", "value": 40},  # organisation-wide
        {"period_start": "2026-11-02", "department_id": str(stores.id), "value": 35},
        {"period_start": "2026-11-09", "site_id": str(leeds.id), "value": 44, "responses": None},
    ]
    first = put_values(client, manager, "nps", items)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 5, "updated": 0, "unchanged": 0}
    stored = fetch(select(KpiValue.id, KpiValue.updated_at).order_by(KpiValue.id))
    again = put_values(client, manager, "nps", items)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 5}
    assert fetch(select(KpiValue.id, KpiValue.updated_at).order_by(KpiValue.id)) == stored
    items[0]["value"], items[2]["responses"] = 42, 1000
    changed = put_values(client, manager, "nps", items)
    assert changed.json() == {"created": 0, "updated": 2, "unchanged": 3}
    assert count_rows(None, KpiValue) == 5
    rows = values(client, manager, "nps")
    assert [(r["period_start"], r["site"], r["department"], r["value"], r["responses"]) for r in rows] == [
        ("2026-11-02", None, None, 40, 1000),
        ("2026-11-02", None, "Stores", 35, None),
        ("2026-11-02", "Leeds", None, 42, 212),
        ("2026-11-02", "Leeds", "Stores", 38, 90),
        ("2026-11-09", "Leeds", None, 44, None),
    ]  # by period, then the place: the organisation's first, then by site and department name


def test_no_site_and_no_department_is_still_one_key(client, manager):
    make_kpi(client, manager)
    one = [{"period_start": "2026-11-02", "value": 10}]
    assert put_values(client, manager, "nps", one).json()["created"] == 1
    assert put_values(client, manager, "nps", [{**one[0], "value": 11}]).json() == {
        "created": 0, "updated": 1, "unchanged": 0}
    assert count_rows(None, KpiValue) == 1
    twice = put_values(client, manager, "nps", [one[0], {**one[0], "value": 12}])
    assert twice.status_code == 422
    assert twice.json()["detail"] == [{"loc": [1, "period_start"], "type": "value_error",
                                       "msg": "the same period and place as item 0"}]


def test_the_database_refuses_a_second_row_for_the_same_key_without_a_place(client, session, manager):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from api.kpis.models import Kpi, scope_of

    make_kpi(client, manager)
    kpi = session.exec(select(Kpi).where(Kpi.key == "nps")).one()
    from datetime import date

    for _ in range(2):
        session.add(KpiValue(kpi_id=kpi.id, period_start=date(2026, 11, 2), scope=scope_of(None, None), value=1))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_bad_items_are_all_reported_and_nothing_is_stored(client, factory, manager):
    make_kpi(client, manager)
    make_kpi(client, manager, key="enps", name="eNPS", kind="voe", period="month")
    factory.site(name="Leeds")
    items = [
        {"period_start": "2026-11-02", "site": "Leeds", "value": 41},  # good
        {"period_start": "2026-11-03", "site": "Leeds", "value": 41},  # a Tuesday
        {"period_start": "2026-11-09", "site": "Atlantis", "value": 41},
        {"period_start": "2026-11-09", "department": "Nowhere", "value": 101},
        {"period_start": "2026-11-16", "site_id": "00000000-0000-0000-0000-000000000001", "value": -101},
        {"period_start": "2026-11-16", "site": "Leeds", "site_id": "00000000-0000-0000-0000-000000000001",
         "value": 1},
    ]
    res = put_values(client, manager, "nps", items)
    assert res.status_code == 422
    assert [(e["loc"], e["msg"]) for e in res.json()["detail"]] == [
        ([1, "period_start"], "must be a Monday: the KPI's values are per ISO week"),
        ([2, "site"], "no site named 'Atlantis'"),
        ([3, "value"], "must be at most 100 (the KPI's scale)"),
        ([3, "department"], "no department named 'Nowhere'"),
        ([4, "value"], "must be at least -100 (the KPI's scale)"),
        ([4, "site_id"], "no such site"),
        ([5, "site_id"], "give site or site_id, not both"),
    ]
    assert count_rows(None, KpiValue) == 0
    monthly = put_values(client, manager, "enps", [{"period_start": "2026-11-02", "value": 1}])
    assert monthly.json()["detail"][0]["loc"] == [0, "period_start"]
    assert "1st" in monthly.json()["detail"][0]["msg"]
    assert put_values(client, manager, "enps", [{"period_start": "2026-11-01", "value": 1}]).status_code == 200
    malformed = put_values(client, manager, "nps", [{"period_start": "2026-11-02", "value": 1},
                                                     {"period_start": "2026-02-30", "value": "x"}])
    assert malformed.status_code == 422
    assert {tuple(e["loc"]) for e in malformed.json()["detail"]} == {(1, "period_start"), (1, "value")}
    not_a_number = client.put("/api/kpis/nps/values", content=b'[{"period_start": "2026-11-02", "value": NaN}]',
                              headers={**manager.headers, "content-type": "application/json"})
    assert not_a_number.status_code == 422 and not_a_number.json()["detail"][0]["loc"] == [0, "value"]
    assert count_rows(None, KpiValue) == 1
    assert put_values(client, manager, "nope", []).status_code == 404
    assert client.put("/api/kpis/nps/values", json={"period_start": "2026-11-02"},
                      headers=manager.headers).status_code == 422


def test_a_list_over_the_limit_is_refused_whole(client, manager):
    from api.kpis.schemas import MAX_VALUES

    make_kpi(client, manager, scale_min=None, scale_max=None)
    too_many = [{"period_start": "2026-11-02", "value": i} for i in range(MAX_VALUES + 1)]
    res = put_values(client, manager, "nps", too_many)
    assert res.status_code == 422
    assert "5000" in res.json()["detail"][0]["msg"]
    assert count_rows(None, KpiValue) == 0


def test_values_are_filtered_by_site_department_and_period(client, factory, manager):
    make_kpi(client, manager)
    leeds, york, stores = factory.site(name="Leeds"), factory.site(name="York"), factory.department(name="Stores")
    weeks = ["2026-10-26", "2026-11-02", "2026-11-09"]
    items = [{"period_start": w, "site": s, "department": d, "value": n}
             for n, w in enumerate(weeks) for s in ("Leeds", "York") for d in (None, "Stores")]
    assert put_values(client, manager, "nps", items).json()["created"] == 12
    assert len(values(client, manager, "nps")) == 12
    at_leeds = values(client, manager, "nps", site_id=str(leeds.id))
    assert len(at_leeds) == 6 and {r["site_id"] for r in at_leeds} == {str(leeds.id)}
    in_stores = values(client, manager, "nps", department_id=str(stores.id), site_id=str(york.id))
    assert [(r["period_start"], r["site"], r["department"]) for r in in_stores] == [
        (w, "York", "Stores") for w in weeks]
    window = values(client, manager, "nps", since="2026-11-01", until="2026-11-02")
    assert {r["period_start"] for r in window} == {"2026-11-02"} and len(window) == 4
    bad = client.get("/api/kpis/nps/values", params={"since": "2026-11-09", "until": "2026-11-02"},
                     headers=manager.headers)
    assert bad.status_code == 422
    assert client.get("/api/kpis/nps/values", params={"since": "soon"}, headers=manager.headers).status_code == 422


def test_executives_read_their_departments_and_placeless_values_unless_the_organisation_allows(
        client, factory, manager, admin, executive):
    make_kpi(client, manager)
    mine, theirs = factory.department(name="Stores"), factory.department(name="Finance")
    factory.site(name="Leeds")
    assert client.patch(f"/api/users/{executive.id}", json={"department_ids": [str(mine.id)]},
                        headers=admin.headers).status_code == 200
    items = [{"period_start": "2026-11-02", "value": 1}, {"period_start": "2026-11-02", "site": "Leeds", "value": 2},
             {"period_start": "2026-11-02", "department": "Stores", "value": 3},
             {"period_start": "2026-11-02", "department": "Finance", "value": 4}]
    assert put_values(client, manager, "nps", items).status_code == 200
    assert put_values(client, executive, "nps", items).status_code == 403
    assert sorted(r["value"] for r in values(client, executive, "nps")) == [1, 2, 3]
    assert len(values(client, executive, "nps", department_id=str(mine.id))) == 1
    other = client.get("/api/kpis/nps/values", params={"department_id": str(theirs.id)}, headers=executive.headers)
    assert other.status_code == 403
    assert sorted(r["value"] for r in values(client, manager, "nps")) == [1, 2, 3, 4]
    assert client.patch("/api/settings", json={"executives_see_all_kpis": True}, headers=admin.headers).json()[
        "executives_see_all_kpis"] is True
    assert sorted(r["value"] for r in values(client, executive, "nps")) == [1, 2, 3, 4]
    assert len(values(client, executive, "nps", department_id=str(theirs.id))) == 1
