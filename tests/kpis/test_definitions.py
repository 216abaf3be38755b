"""Defining KPIs: who may, what a key is, the built-in pulse KPI beside the organisation's own."""

from tests.kpis.helpers import NPS, make_kpi


def test_managers_define_kpis_and_everyone_signed_in_lists_them(client, manager, admin, executive):
    made = make_kpi(client, manager)
    assert made == {**NPS, "period": "week", "archived": False, "builtin": False}
    make_kpi(client, admin, key="enps", name="Employee NPS", kind="voe", period="month")
    res = client.post("/api/kpis", json={**NPS, "key": "csat"}, headers=executive.headers)
    assert res.status_code == 403
    listed = client.get("/api/kpis", headers=executive.headers)
    assert listed.status_code == 200
    assert [k["key"] for k in listed.json()] == ["nps", "enps", "pulse"]
    assert client.get("/api/kpis").status_code == 401


def test_keys_are_unique_slugs_and_the_pulse_key_is_taken(client, manager):
    make_kpi(client, manager)
    again = client.post("/api/kpis", json={**NPS, "name": "Another"}, headers=manager.headers)
    assert again.status_code == 409 and "nps" in again.json()["detail"]
    pulse = client.post("/api/kpis", json={**NPS, "key": "pulse"}, headers=manager.headers)
    assert pulse.status_code == 409
    for key in ("NPS", "n ps", "-nps", "n", "nps-", "a" * 41):
        res = client.post("/api/kpis", json={**NPS, "key": key}, headers=manager.headers)
        assert res.status_code == 422 and res.json()["detail"][0]["loc"] == ["key"], key
    bad = [{"kind": "vox"}, {"period": "day"}, {"scale_min": 10, "scale_max": 0}, {"colour": "red"}]
    for fields in bad:
        res = client.post("/api/kpis", json={**NPS, "key": "x1", **fields}, headers=manager.headers)
        assert res.status_code == 422, fields
    infinite = client.post("/api/kpis", content=b'{"key": "x1", "name": "X", "kind": "voc", "scale_max": Infinity}',
                           headers={**manager.headers, "content-type": "application/json"})
    assert infinite.status_code == 422 and infinite.json()["detail"][0]["loc"] == ["scale_max"]


def test_patch_renames_rescales_within_stored_values_and_archives(client, manager, executive):
    make_kpi(client, manager)
    assert client.put("/api/kpis/nps/values", json=[{"period_start": "2026-11-02", "value": 60}],
                      headers=manager.headers).status_code == 200
    res = client.patch("/api/kpis/nps", json={"name": "NPS", "unit": "pts"}, headers=manager.headers)
    assert res.status_code == 200 and res.json()["name"] == "NPS" and res.json()["key"] == "nps"
    assert client.patch("/api/kpis/nps", json={"scale_max": 50}, headers=manager.headers).status_code == 409
    assert client.patch("/api/kpis/nps", json={"scale_min": 70}, headers=manager.headers).status_code == 409
    assert client.patch("/api/kpis/nps", json={"scale_min": 200}, headers=manager.headers).status_code == 422
    assert client.patch("/api/kpis/nps", json={"scale_max": None}, headers=manager.headers).status_code == 200
    assert client.patch("/api/kpis/nps", json={"name": None}, headers=manager.headers).status_code == 422
    assert client.patch("/api/kpis/nps", json={"archived": True}, headers=executive.headers).status_code == 403
    assert client.patch("/api/kpis/nps", json={"archived": True}, headers=manager.headers).status_code == 200
    assert [k["key"] for k in client.get("/api/kpis", headers=manager.headers).json()] == ["pulse"]
    archived = client.get("/api/kpis", params={"include_archived": True}, headers=manager.headers).json()
    assert archived[0]["key"] == "nps" and archived[0]["archived"] is True
    refused = client.put("/api/kpis/nps/values", json=[{"period_start": "2026-11-09", "value": 1}],
                         headers=manager.headers)
    assert refused.status_code == 409
    assert client.patch("/api/kpis/pulse", json={"name": "Mine"}, headers=manager.headers).status_code == 409
    assert client.patch("/api/kpis/nope", json={"name": "x"}, headers=manager.headers).status_code == 404


def test_a_scale_upside_down_is_refused_beside_its_field(client, manager):
    res = client.post("/api/kpis", json={**NPS, "scale_min": 10, "scale_max": 0}, headers=manager.headers)
    assert res.status_code == 422
    assert [(e["loc"], e["msg"]) for e in res.json()["detail"]] == [
        (["scale_max"], "Value error, must not be below scale_min")]


def test_the_list_of_metrics_reads_each_kpis_latest_period(client, factory, manager, executive):
    from tests.kpis.helpers import put_values

    leeds, york = factory.site(), factory.site()
    make_kpi(client, manager)
    make_kpi(client, manager, key="enps", name="Employee NPS", kind="voe", period="month")
    make_kpi(client, manager, key="csat", name="CSAT")  # no values: left out
    rows = [{"period_start": "2026-11-02", "value": 10},
            {"period_start": "2026-11-09", "site_id": str(leeds.id), "value": 40, "responses": 100},
            {"period_start": "2026-11-09", "site_id": str(york.id), "value": 20, "responses": 300}]
    assert put_values(client, manager, "nps", rows).status_code == 200
    assert put_values(client, manager, "enps", [{"period_start": "2026-10-01", "value": 12}]).status_code == 200
    res = client.get("/api/kpis/latest", headers=manager.headers)
    assert res.status_code == 200, res.text
    assert res.json() == [{"key": "enps", "period_start": "2026-10-01", "value": 12.0, "rows": 1},
                          {"key": "nps", "period_start": "2026-11-09", "value": 25.0, "rows": 2}]
    assert client.get("/api/kpis/latest", headers=executive.headers).status_code == 403
