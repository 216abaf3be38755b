def test_settings_defaults_and_admin_changes(client, executive, manager, admin):
    res = client.get("/api/settings", headers=executive.headers)
    assert res.status_code == 200
    assert res.json() == {"field_hours_target": 16.0, "executives_see_feed": False, "pulse_min_responses": 3,
                          "executives_see_all_kpis": False, "time_zone": "UTC", "updated_at": None}
    assert (
        client.patch("/api/settings", json={"executives_see_feed": True}, headers=manager.headers).status_code
        == 403
    )
    res = client.patch("/api/settings", json={"field_hours_target": 12.5}, headers=admin.headers)
    assert res.status_code == 200 and res.json()["field_hours_target"] == 12.5
    assert res.json()["executives_see_feed"] is False and res.json()["updated_at"]
    assert client.get("/api/settings", headers=manager.headers).json()["field_hours_target"] == 12.5
    for bad in ({"field_hours_target": -1}, {"executives_see_feed": None}, {"colour": "red"}):
        assert client.patch("/api/settings", json=bad, headers=admin.headers).status_code == 422
