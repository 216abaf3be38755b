"""Stored vectors follow the words: a pain point whose text or quote changes is embedded again by the theme
worker (which finds its work by the missing vector), and other edits leave the stored vector alone."""

import uuid

from tests.factories import visit_body


def test_changed_words_are_embedded_again(client, executive, session, monkeypatch):
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", "minilm")
    from api.themes.worker import place_new_pain_points

    visit_id, body = uuid.uuid4(), visit_body(pain_points=2)
    put = client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers)
    assert put.status_code == 201
    assert place_new_pain_points(session=session) == 2
    assert place_new_pain_points(session=session) == 0
    body["pain_points"][0]["severity"] = 1  # not the words: the stored vector still holds
    body["version"] = put.json()["version"]
    put = client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers)
    assert put.status_code == 200, put.text
    assert place_new_pain_points(session=session) == 0
    body["pain_points"][1]["quote"] = "Never again"
    body["version"] = put.json()["version"]
    assert client.put(f"/api/visits/{visit_id}", json=body, headers=executive.headers).status_code == 200
    assert place_new_pain_points(session=session) == 1
