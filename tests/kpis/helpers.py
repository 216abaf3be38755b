NPS = {"key": "nps", "name": "Net Promoter Score", "kind": "voc", "unit": "points", "higher_is_better": True,
       "scale_min": -100, "scale_max": 100}


def make_kpi(client, actor, **fields) -> dict:
    res = client.post("/api/kpis", json={**NPS, **fields}, headers=actor.headers)
    assert res.status_code == 201, res.text
    return res.json()


def put_values(client, actor, key: str, items: list[dict]):
    return client.put(f"/api/kpis/{key}/values", json=items, headers=actor.headers)


def values(client, actor, key: str, **params) -> list[dict]:
    res = client.get(f"/api/kpis/{key}/values", params=params, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()
