import uuid

import pytest


@pytest.mark.parametrize("path", ["/api/sites", "/api/departments"])
def test_everyone_signed_in_can_list_but_only_admins_manage(client, executive, manager, admin, path):
    created = client.post(path, json={"name": "Leeds Briggate"}, headers=admin.headers)
    assert created.status_code == 201
    row = created.json()
    for actor in (executive, manager, admin):
        listed = client.get(path, headers=actor.headers)
        assert listed.status_code == 200
        assert [r["name"] for r in listed.json()] == ["Leeds Briggate"]
    for actor in (executive, manager):
        assert client.post(path, json={"name": "Other"}, headers=actor.headers).status_code == 403
        assert client.patch(f"{path}/{row['id']}", json={"name": "X"}, headers=actor.headers).status_code == 403
    assert client.get(path).status_code == 401


@pytest.mark.parametrize("path", ["/api/sites", "/api/departments"])
def test_names_are_unique_case_insensitively(client, admin, path):
    assert client.post(path, json={"name": "Returns"}, headers=admin.headers).status_code == 201
    res = client.post(path, json={"name": "returns"}, headers=admin.headers)
    assert res.status_code == 409
    assert "already exists" in res.json()["detail"]


def test_site_fields_are_validated_and_retired_sites_are_hidden(client, admin, executive):
    bad = client.post("/api/sites", json={"name": "", "kind": "moon base", "colour": "red"}, headers=admin.headers)
    assert bad.status_code == 422
    assert {e["loc"][0] for e in bad.json()["detail"]} == {"name", "kind", "colour"}
    site = client.post("/api/sites", json={"name": "Contact centre Cardiff", "kind": "contact_centre",
                                           "region": "Wales"}, headers=admin.headers).json()
    assert site["kind"] == "contact_centre"
    res = client.patch(f"/api/sites/{site['id']}", json={"is_active": False}, headers=admin.headers)
    assert res.status_code == 200
    assert client.get("/api/sites", headers=executive.headers).json() == []
    everything = client.get("/api/sites", params={"include_inactive": True}, headers=executive.headers).json()
    assert [s["id"] for s in everything] == [site["id"]]


def test_patch_unknown_is_404(client, admin):
    res = client.patch(f"/api/departments/{uuid.uuid4()}", json={"name": "X"}, headers=admin.headers)
    assert res.status_code == 404
    assert res.json() == {"error": "Not found", "detail": "No such department"}
