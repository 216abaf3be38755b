"""Company values: admins keep them, everyone signed in reads them."""


def test_admins_add_rename_and_archive_values_everyone_reads_them(client, admin, manager, executive):
    body = {"name": "Own it", "meaning": "Whoever hears a problem sees it through"}
    made = client.post("/api/values", json=body, headers=admin.headers)
    assert made.status_code == 201, made.text
    value = made.json()
    assert value == {**body, "id": value["id"], "archived": False}
    assert client.post("/api/values", json=body, headers=manager.headers).status_code == 403
    assert client.post("/api/values", json={**body, "name": "own IT "}, headers=admin.headers).status_code == 409
    assert client.post("/api/values", json={"name": ""}, headers=admin.headers).status_code == 422
    assert client.post("/api/values", json={**body, "colour": "red"}, headers=admin.headers).status_code == 422
    other = client.post("/api/values", json={"name": "Say it plainly"}, headers=admin.headers).json()
    assert other["meaning"] == ""
    listed = client.get("/api/values", headers=executive.headers)
    assert listed.status_code == 200 and [v["name"] for v in listed.json()] == ["Own it", "Say it plainly"]
    assert client.get("/api/values").status_code == 401

    path = f"/api/values/{value['id']}"
    assert client.patch(path, json={"archived": True}, headers=manager.headers).status_code == 403
    assert client.patch(path, json={"name": "Say it plainly"}, headers=admin.headers).status_code == 409
    assert client.patch(path, json={"name": None}, headers=admin.headers).status_code == 422
    changed = client.patch(path, json={"meaning": "See it through", "archived": True}, headers=admin.headers)
    assert changed.status_code == 200 and changed.json()["meaning"] == "See it through"
    assert [v["name"] for v in client.get("/api/values", headers=executive.headers).json()] == ["Say it plainly"]
    every = client.get("/api/values", params={"include_archived": True}, headers=executive.headers).json()
    assert [(v["name"], v["archived"]) for v in every] == [("Own it", True), ("Say it plainly", False)]
    missing = client.patch("/api/values/00000000-0000-0000-0000-000000000001", json={"archived": False},
                           headers=admin.headers)
    assert missing.status_code == 404
