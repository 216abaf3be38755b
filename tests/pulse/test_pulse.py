import uuid

from sqlmodel import Session, select

from api.pulse.models import PulseAnswer
from api.pulse.service import current_month
from tests.factories import count_rows, fetch


def questions(client, actor, **params):
    res = client.get("/api/pulse/questions", params=params, headers=actor.headers)
    assert res.status_code == 200, res.text
    return res.json()


def submit(client, actor, *answers):
    return client.put("/api/pulse/me", json={"answers": list(answers)}, headers=actor.headers)


def test_the_five_default_questions_appear_on_first_use(client, executive):
    qs = questions(client, executive)
    assert [q["kind"] for q in qs] == ["scale", "text", "scale", "scale", "scale"]
    assert qs[0]["text"].startswith("How well do you understand the impact of customer experience")
    assert "metrics and insight" in qs[1]["text"]
    assert questions(client, executive) == qs  # seeded once


def test_one_answer_per_executive_per_month_and_a_resubmission_updates_it(client, session, executive):
    q = questions(client, executive)
    res = submit(
        client,
        executive,
        {"question_id": q[0]["id"], "score": 6},
        {"question_id": q[1]["id"], "text": "Repeat contacts by product"},
    )
    assert res.status_code == 200, res.text
    assert res.json()["month"] == current_month()
    res = submit(
        client, executive, {"question_id": q[0]["id"], "score": 9}, {"question_id": q[2]["id"], "score": 0}
    )
    assert res.status_code == 200
    answers = {a["question_id"]: a for a in res.json()["answers"]}
    assert answers[q[0]["id"]]["score"] == 9
    assert answers[q[1]["id"]]["text"] == "Repeat contacts by product"  # left out: kept
    assert answers[q[2]["id"]]["score"] == 0
    assert count_rows(session, PulseAnswer) == 3
    mine = client.get("/api/pulse/me", headers=executive.headers).json()
    assert len(mine["answers"]) == 3 and len(mine["questions"]) == 5


def test_answers_are_validated(client, executive, manager):
    q = questions(client, executive)
    cases = [
        ({"question_id": q[0]["id"], "score": 11}, 422),
        ({"question_id": q[0]["id"], "score": -1}, 422),
        ({"question_id": q[0]["id"], "text": "a text for a scale"}, 422),
        ({"question_id": q[0]["id"]}, 422),
        ({"question_id": q[1]["id"], "score": 5}, 422),
        ({"question_id": q[1]["id"], "text": "   "}, 422),
        ({"question_id": str(uuid.uuid4()), "score": 5}, 422),
    ]
    for answer, status in cases:
        assert submit(client, executive, answer).status_code == status, answer
    dup = submit(
        client, executive, {"question_id": q[0]["id"], "score": 1}, {"question_id": q[0]["id"], "score": 2}
    )
    assert dup.status_code == 422
    assert submit(client, manager, {"question_id": q[0]["id"], "score": 5}).status_code == 403
    assert client.put("/api/pulse/me", json={"answers": []}, headers=executive.headers).status_code == 422


def test_admins_add_up_to_ten_and_retire_without_losing_answers(client, admin, manager, executive):
    q = questions(client, executive)
    assert submit(client, executive, {"question_id": q[3]["id"], "score": 4}).status_code == 200
    for i in range(5):
        res = client.post(
            "/api/pulse/questions",
            json={"text": f"Extra question {i}?", "kind": "scale"},
            headers=admin.headers,
        )
        assert res.status_code == 201, res.text
    res = client.post("/api/pulse/questions", json={"text": "Eleventh?"}, headers=admin.headers)
    assert res.status_code == 409
    assert (
        client.post(
            "/api/pulse/questions", json={"text": "By a manager?"}, headers=manager.headers
        ).status_code
        == 403
    )
    retired = client.patch(
        f"/api/pulse/questions/{q[3]['id']}", json={"is_active": False}, headers=admin.headers
    )
    assert retired.status_code == 200 and retired.json()["retired_at"] is not None
    assert len(questions(client, executive)) == 9
    assert len(questions(client, admin, include_retired=True)) == 10
    # A retired question cannot be answered, but its answers are still in the results.
    assert submit(client, executive, {"question_id": q[3]["id"], "score": 4}).status_code == 422
    results = client.get("/api/pulse/results", headers=manager.headers).json()
    retired_result = next(r for r in results["questions"] if r["question"]["id"] == q[3]["id"])
    assert retired_result["months"][0]["responses"] == 1
    # Editing keeps the answers; reactivating needs room.
    edited = client.patch(
        f"/api/pulse/questions/{q[0]['id']}",
        json={"text": "Reworded?", "position": 20},
        headers=admin.headers,
    )
    assert edited.status_code == 200 and edited.json()["text"] == "Reworded?"
    assert questions(client, executive)[-1]["text"] == "Reworded?"
    client.post("/api/pulse/questions", json={"text": "Tenth again?"}, headers=admin.headers)
    assert (
        client.patch(
            f"/api/pulse/questions/{q[3]['id']}", json={"is_active": True}, headers=admin.headers
        ).status_code
        == 409
    )
    assert (
        client.patch(
            f"/api/pulse/questions/{uuid.uuid4()}", json={"is_active": True}, headers=admin.headers
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/pulse/questions", json={"text": "Bad kind?", "kind": "stars"}, headers=admin.headers
        ).status_code
        == 422
    )


def test_results_per_question_per_month(client, factory, manager, executive):
    from api.db import get_engine

    people = [executive, factory.user(role="executive"), factory.user(role="executive")]
    q = questions(client, executive)
    for person, score, text in zip(
        people, (7, 8, 8), ("Churn by segment", "NPS by store", None), strict=True
    ):
        answers = [{"question_id": q[0]["id"], "score": score}]
        if text:
            answers.append({"question_id": q[1]["id"], "text": text})
        assert submit(client, person, *answers).status_code == 200
    with Session(get_engine()) as s:  # an answer from an earlier month
        s.add(PulseAnswer(question_id=uuid.UUID(q[0]["id"]), user_id=executive.id, month="2026-01", score=3))
        s.commit()
    res = client.get(
        "/api/pulse/results", params={"since": "2026-01", "until": current_month()}, headers=manager.headers
    )
    assert res.status_code == 200, res.text
    by_id = {r["question"]["id"]: r for r in res.json()["questions"]}
    first = by_id[q[0]["id"]]["months"]
    assert [m["month"] for m in first] == ["2026-01", current_month()]
    # January had one respondent (fewer than pulse_min_responses, 3): counts only.
    assert first[0] == {
        "month": "2026-01",
        "responses": 1,
        "average": None,
        "distribution": None,
        "texts": None,
        "withheld": True,
    }
    assert first[1]["responses"] == 3 and first[1]["average"] == 7.67 and first[1]["withheld"] is False
    assert first[1]["distribution"] == [0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0]
    free = by_id[q[1]["id"]]["months"][0]
    assert sorted(free["texts"]) == ["Churn by segment", "NPS by store"] and free["average"] is None
    assert "user" not in res.text and str(executive.id) not in res.text  # anonymous
    assert by_id[q[2]["id"]]["months"] == []
    assert client.get("/api/pulse/results", headers=executive.headers).status_code == 403
    assert (
        client.get(
            "/api/pulse/results", params={"since": "2026-12", "until": "2026-01"}, headers=manager.headers
        ).status_code
        == 422
    )
    assert len(fetch(select(PulseAnswer))) == 6


def test_a_lone_respondent_cannot_be_read_until_enough_executives_answered(client, factory, admin, manager,
                                                                          executive):
    q = questions(client, executive)
    answers = ({"question_id": q[0]["id"], "score": 2},
               {"question_id": q[1]["id"], "text": "Ask me on 07700 900123 about the churn numbers"})
    assert submit(client, executive, *answers).status_code == 200

    def month_results():
        res = client.get("/api/pulse/results", headers=manager.headers)
        assert res.status_code == 200, res.text
        by_id = {r["question"]["id"]: r["months"] for r in res.json()["questions"]}
        return by_id[q[0]["id"]][0], by_id[q[1]["id"]][0], res.text

    scale, free, body = month_results()
    assert scale == {"month": current_month(), "responses": 1, "average": None, "distribution": None,
                     "texts": None, "withheld": True}
    assert free["responses"] == 1 and free["texts"] is None and "churn" not in body
    # A second respondent is still too few; an admin may lower the bar (not below 1).
    assert submit(client, factory.user(role="executive"), {"question_id": q[0]["id"], "score": 9}).status_code == 200
    assert month_results()[0]["withheld"] is True
    for bad in (0, None, "three"):
        res = client.patch("/api/settings", json={"pulse_min_responses": bad}, headers=admin.headers)
        assert res.status_code == 422, bad
    res = client.patch("/api/settings", json={"pulse_min_responses": 2}, headers=admin.headers)
    assert res.status_code == 200 and res.json()["pulse_min_responses"] == 2
    scale, free, _ = month_results()
    assert scale["withheld"] is False and scale["average"] == 5.5
    # Free text is shown masked: answers are anonymous, and so are the numbers in them.
    assert free["texts"] == ["Ask me on [phone] about the churn numbers"]
