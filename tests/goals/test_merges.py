"""A goal on a theme follows the theme's merges: to the surviving theme, and back when the merge is undone."""

from tests.goals.helpers import log_pain_points, make_goal, read_goal


def _place(client, manager, theme, ids) -> None:
    res = client.post(f"/api/themes/{theme.id}/pain-points", json={"pain_point_ids": ids}, headers=manager.headers)
    assert res.status_code == 200, res.text


def _merge(client, manager, source, target) -> None:
    res = client.post(f"/api/themes/{source.id}/merge", json={"into_id": str(target.id)}, headers=manager.headers)
    assert res.status_code == 200, res.text


def _unmerge(client, manager, source) -> None:
    assert client.post(f"/api/themes/{source.id}/unmerge", headers=manager.headers).status_code == 200


def test_a_merge_repoints_the_goal_and_its_undo_points_it_back(client, factory, executive, manager):
    refunds, payments = factory.theme(label="Refund shows twice"), factory.theme(label="Card payments")
    _place(client, manager, refunds, log_pain_points(client, executive, 2))
    _place(client, manager, payments, log_pain_points(client, executive, 3))
    goal = make_goal(client, manager, [factory.department(), factory.department()], type="theme_count",
                     theme_id=str(refunds.id), comparison="at_most", value=1)
    assert (goal["target"]["theme_id"], goal["progress"]["current"]) == (str(refunds.id), 2)

    _merge(client, manager, refunds, payments)
    merged = read_goal(client, manager, goal["id"])
    assert merged["target"]["theme_id"] == str(payments.id)
    assert merged["progress"]["current"] == 5 and merged["progress"]["baseline"] == 2

    _unmerge(client, manager, refunds)
    undone = read_goal(client, manager, goal["id"])
    assert (undone["target"]["theme_id"], undone["progress"]["current"]) == (str(refunds.id), 2)


def test_merges_of_merges_are_followed_and_undone_one_at_a_time(client, factory, executive, manager):
    a, b, c = factory.theme(), factory.theme(), factory.theme()
    goal = make_goal(client, manager, [factory.department(), factory.department()], type="theme_count",
                     theme_id=str(a.id), value=3)
    _merge(client, manager, a, b)
    _merge(client, manager, b, c)
    [listed] = client.get("/api/goals", headers=manager.headers).json()
    assert listed["target"]["theme_id"] == str(c.id)
    _unmerge(client, manager, b)
    assert read_goal(client, manager, goal["id"])["target"]["theme_id"] == str(b.id)
    _unmerge(client, manager, a)
    assert read_goal(client, manager, goal["id"])["target"]["theme_id"] == str(a.id)
