"""The privacy rule from the outside: free text reaches anyone but its author masked, on every path.

The last test is the outside check: it plants e-mail addresses, phone and card numbers in every kind of free
text, then reads every GET answer of the API (as listed by its own schema) and every file a manager can take
away, and finds none of them.
"""

import csv
import io
import re
import uuid

from sqlmodel import select

from api.pain_points.models import PainPoint
from tests.cli_helpers import run_cli
from tests.factories import fetch, visit_body
from tests.journeys.test_api import walkthrough
from tests.media.helpers import photo
from tests.themes.test_api import GROUPS, log_visits, rebuild, themes_of

EMAIL, PHONE, CARD = "jane.doe@shopper.example", "07700 900123", "4111 1111 1111 1111"
# Pieces that must not show up anywhere a manager reads (parts of an address count: they were keywords once).
SECRETS = ("jane", "doe@", "shopper", "07700", "900123", "4111", "1111 1111")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def leaks(text: str) -> list[str]:
    # Ids are left out first: a random one can hold "4111" or "900123" (one run in a few hundred did).
    lowered = UUID.sub("", text.lower())
    return [s for s in SECRETS if s in lowered]


def put_visit(client, actor, body) -> str:
    visit_id = str(uuid.uuid4())
    res = client.put(f"/api/visits/{visit_id}", json=body, headers=actor.headers)
    assert res.status_code == 201, res.text
    return visit_id


def personal_visit(**overrides) -> dict:
    body = visit_body(kind="listened_call", pain_points=2, details={"queue": f"Callback {PHONE}",
                                                                    "call_reason": f"Refund to {EMAIL}"})
    body["notes"] = f"Customer {EMAIL} read out card {CARD}"
    body["private_notes"] = "Private to the author"
    body["pain_points"][0].update(text=f"Refund promised to {EMAIL} never came", quote=f"Ring me on {PHONE}")
    body["pain_points"][1].update(text=f"Card {CARD} charged twice", quote=None)
    body["bright_spots"] = [{"id": str(uuid.uuid4()), "text": f"Refunded {EMAIL} before she asked",
                             "department_id": None, "recognise": f"Sam on {PHONE}", "value_id": None}]
    body.update(overrides)
    return body


def test_the_visits_api_masks_notes_details_and_pain_points_for_everyone_but_the_author(client, executive,
                                                                                         manager, admin):
    visit_id = put_visit(client, executive, personal_visit())
    for reader in (manager, admin):
        one = client.get(f"/api/visits/{visit_id}", headers=reader.headers)
        listed = client.get("/api/visits", params={"author_id": str(executive.id)}, headers=reader.headers)
        assert one.status_code == listed.status_code == 200
        for visit in (one.json(), listed.json()[0]):
            assert not leaks(str(visit)), leaks(str(visit))
            assert visit["private_notes"] is None
            assert visit["notes"] == "Customer [email] read out card [card number]"
            assert visit["details"]["queue"] == "Callback [phone]"
            points = visit["pain_points"]
            assert points[0]["text"] == "Refund promised to [email] never came"
            assert points[0]["quote"] == "Ring me on [phone]"
            assert points[1]["text"] == "Card [card number] charged twice"
            assert visit["bright_spots"][0]["text"] == "Refunded [email] before she asked"
            assert visit["bright_spots"][0]["recognise"] == "Sam on [phone]"
    own = client.get(f"/api/visits/{visit_id}", headers=executive.headers).json()
    assert own["notes"] == f"Customer {EMAIL} read out card {CARD}" and own["private_notes"]
    assert own["details"]["call_reason"] == f"Refund to {EMAIL}"
    assert own["pain_points"][0]["quote"] == f"Ring me on {PHONE}"
    assert own["bright_spots"][0]["recognise"] == f"Sam on {PHONE}"


def feed_texts(client, actor, path="/api/pain-points", **params) -> list[str]:
    res = client.get(path, params=params, headers=actor.headers)
    assert res.status_code == 200, res.text
    return [item["text"] for item in res.json()["items"]]


def test_search_matches_what_the_reader_sees_not_the_masked_words(client, executive, manager):
    put_visit(client, executive, personal_visit())
    for q in (PHONE, "07700", "900123", "jane", "shopper", "4111"):
        assert feed_texts(client, manager, q=q) == [], q
        res = client.get("/api/pain-points/export.csv", params={"q": q}, headers=manager.headers)
        assert res.headers["x-row-count"] == "0", q
    assert feed_texts(client, manager, q="refund promised") == ["Refund promised to [email] never came"]
    # The author searches their own words as written.
    assert feed_texts(client, executive, "/api/my/pain-points", q="900123") == [
        f"Refund promised to {EMAIL} never came"]


def test_search_pages_skip_hidden_matches_without_losing_visible_ones(client, executive, manager):
    body = visit_body(pain_points=8)
    for i, point in enumerate(body["pain_points"]):
        # Every other pain point has 900123 only inside a phone number, which managers read as [phone].
        point.update(text=f"Ring 07700 900123 about parcel {i}" if i % 2 else f"Order 900123 item {i} was late",
                     quote=None)
    put_visit(client, executive, body)
    seen, cursor = [], None
    for _ in range(10):
        params = {"q": "900123", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/pain-points", params=params, headers=manager.headers).json()
        seen += [item["text"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == [f"Order 900123 item {i} was late" for i in (0, 2, 4, 6)]
    assert len(feed_texts(client, executive, "/api/my/pain-points", q="900123")) == 8


def test_comments_resolution_notes_and_audit_values_are_masked_for_all_but_their_writer(client, executive,
                                                                                      manager, admin):
    put_visit(client, executive, visit_body(pain_points=1))
    pain_point_id = client.get("/api/my/pain-points", headers=executive.headers).json()["items"][0]["id"]
    note = f"Refunded; confirmation sent to {EMAIL}"
    res = client.patch(f"/api/pain-points/{pain_point_id}", json={"status": "resolved", "resolution_note": note},
                       headers=manager.headers)
    assert res.status_code == 200, res.text
    comment = client.post(f"/api/pain-points/{pain_point_id}/comments", json={"body": f"Rang her on {PHONE}"},
                          headers=manager.headers)
    assert comment.status_code == 201 and comment.json()["body"] == f"Rang her on {PHONE}"
    for reader in (executive, admin):
        detail = client.get(f"/api/pain-points/{pain_point_id}", headers=reader.headers).json()
        comments = client.get(f"/api/pain-points/{pain_point_id}/comments", headers=reader.headers).json()
        assert not leaks(str(detail)) and not leaks(str(comments)), reader.user.role
        assert detail["resolution_note"] == "Refunded; confirmation sent to [email]"
        assert comments[0]["body"] == "Rang her on [phone]"
        line = next(e for e in detail["history"] if e["field"] == "resolution_note")
        assert line["new_value"] == line["new_label"] == "Refunded; confirmation sent to [email]"
    # The manager who wrote them reads their own words in the history and comments.
    own = client.get(f"/api/pain-points/{pain_point_id}", headers=manager.headers).json()
    assert own["comments"][0]["body"] == f"Rang her on {PHONE}"
    assert next(e for e in own["history"] if e["field"] == "resolution_note")["new_value"] == note


def test_a_personal_dashboard_shows_its_reader_their_own_words_and_everyone_else_s_masked(
        client, factory, executive, other_executive, manager, admin):
    """/api/dashboard/me: the executive's own pain points as written, the resolution note (a manager's) masked;
    a manager reading their scope's overdue pain points sees them masked, another executive sees none of it."""
    department = factory.department()
    put_visit(client, executive, personal_visit(pain_points=[
        {**personal_visit()["pain_points"][0], "department_id": str(department.id)}]))
    pain_point_id = client.get("/api/my/pain-points", headers=executive.headers).json()["items"][0]["id"]
    res = client.patch(f"/api/pain-points/{pain_point_id}", headers=manager.headers,
                       json={"status": "resolved", "resolution_note": f"Refund sent, told {PHONE}"})
    assert res.status_code == 200, res.text
    [outcome] = client.get("/api/dashboard/me", headers=executive.headers).json()["pain_points"]["outcomes"]
    assert outcome["text"] == f"Refund promised to {EMAIL} never came"
    assert outcome["resolution_note"] == "Refund sent, told [phone]"
    for reader in (other_executive, manager, admin):
        res = client.get("/api/dashboard/me", headers=reader.headers)
        assert res.status_code == 200 and not leaks(res.text), reader.user.role


def test_journeys_are_for_feed_readers_and_mask_names_and_texts(client, factory, executive, other_executive, manager,
                                                          admin):
    site = factory.site()
    walkthrough(client, other_executive, site=site, journey="Call back jane.doe@shopper.example",
                steps=[("Ring 07700 900123", 5, 4)], points=[("She gave 07700 900123 twice", 4, 0)])
    assert client.get("/api/journeys").status_code == 401
    assert client.get("/api/journeys", headers=executive.headers).status_code == 403
    client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers)
    for reader in (manager, admin, executive):
        res = client.get("/api/journeys", headers=reader.headers)
        assert res.status_code == 200 and "07700" not in res.text and "jane" not in res.text, res.text
        journey = res.json()["journeys"][0]
        assert journey["name"] == "Call back [email]" and journey["steps"][0]["name"] == "Ring [phone]"
        assert journey["steps"][0]["examples"][0]["text"] == "She gave [phone] twice"
    own = client.get("/api/journeys", headers=other_executive.headers).json()["journeys"][0]
    assert own["steps"][0]["examples"][0]["text"] == "She gave 07700 900123 twice"



def test_possible_duplicates_are_masked_and_the_typing_hint_is_a_bare_count(client, factory, executive,
                                                                            other_executive, manager, admin):
    site = factory.site()
    body = visit_body(site_id=site.id, quote=f"Ring {PHONE}", pain_points=[
        f"Queue at the tills, customer {EMAIL} waited", f"Queue at the tills again, card {CARD} declined"])
    put_visit(client, other_executive, body)
    first, second = (p["id"] for p in body["pain_points"])
    found = client.get(f"/api/pain-points/{first}/similar", headers=manager.headers)
    assert found.status_code == 200 and not leaks(found.text), leaks(found.text)
    item = found.json()["items"][0]
    assert item["id"] == second and item["text"] == "Queue at the tills again, card [card number] declined"
    assert item["quote"] == "Ring [phone]"
    client.patch("/api/settings", json={"executives_see_feed": True}, headers=admin.headers)
    own = client.get(f"/api/pain-points/{first}/similar", headers=other_executive.headers).json()["items"][0]
    assert own["text"] == f"Queue at the tills again, card {CARD} declined"
    hint = client.post("/api/pain-points/similar-count", json={"text": "Queue at the tills", "site_id": str(site.id)},
                       headers=executive.headers)
    assert hint.status_code == 200 and not leaks(hint.text) and "tills" not in hint.text


FORMULAS = ["=HYPERLINK(\"http://127.0.0.1/x\",\"click\")", "+44 is the dialling code", "-5% off was wrong",
            "@channel nobody answered", "\tindented by the scanner", "'=already quoted"]


def test_csv_exports_defuse_formulas_and_the_import_takes_them_back(client, factory, executive, manager,
                                                                   database_url, tmp_path):
    site = factory.site(name="=cmd|' /C calc'!A0")
    department = factory.department(name="@SUM(1+1)")
    body = visit_body(pain_points=len(FORMULAS), site_id=str(site.id))
    for point, text in zip(body["pain_points"], FORMULAS, strict=True):
        point.update(text=text, quote=None, department_id=str(department.id), severity=4)
    put_visit(client, executive, body)

    def check(rows: list[dict]):
        assert sorted(r["text"] for r in rows) == sorted("'" + t for t in FORMULAS)
        assert {r["site"] for r in rows} == {"'" + site.name} and {r["department"] for r in rows} == {"'@SUM(1+1)"}
        assert {r["severity"] for r in rows} == {"4"}  # numbers stay numbers

    api_csv = client.get("/api/pain-points/export.csv", headers=manager.headers)
    assert api_csv.status_code == 200
    check(list(csv.DictReader(io.StringIO(api_csv.text))))
    cli = run_cli(database_url, "export")
    assert cli.returncode == 0, cli.stderr
    rows = list(csv.DictReader(io.StringIO(cli.stdout)))
    check(rows)
    # Importing the export (as another author, without refs, so every row is new) gives back the same texts.
    other = factory.user(role="executive")
    path = tmp_path / "again.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "ref": ""} for r in rows)
    res = run_cli(database_url, "import", str(path), "--author", other.user.email)
    assert res.returncode == 0 and f"imported {len(FORMULAS)} rows" in res.stdout, res.stdout + res.stderr
    texts = fetch(select(PainPoint.text).where(PainPoint.author_id == other.id))
    assert sorted(texts) == sorted(FORMULAS)
    assert client.get("/api/sites", headers=manager.headers).json()[0]["name"] == site.name  # not a second site


ADMINS_ONLY = {"/api/metrics"}
# --- People and messages (issue 14) ---
ADMINS_ONLY |= {"/api/invitations", "/api/webhooks", "/api/webhooks/{webhook_id}/deliveries", "/api/deliveries"}


def _plant_messages(client, admin, manager, closer, pain_point_id) -> dict:
    """Messages about the planted pain point: assigned to the reader (their inbox), sent to a webhook."""
    from api.messages.mail import unsubscribe_token
    from tests.messages.helpers import deliver_all

    hook = client.post("/api/webhooks", headers=admin.headers, json={
        "url": "http://127.0.0.1:9/hook", "events": ["pain_point.updated"], "secret": "a-long-enough-secret"})
    assert hook.status_code == 201, hook.text
    assert client.patch(f"/api/pain-points/{pain_point_id}", headers=closer.headers,
                        json={"assignee_id": str(manager.id)}).status_code == 200
    deliver_all()
    assert client.get("/api/notifications", headers=manager.headers).json()["unread"] >= 1
    return {"webhook_id": hook.json()["id"], "unsubscribe": {
        "user": str(manager.id), "kind": "assigned", "token": unsubscribe_token(manager.id, "assigned")}}
# --- end of people and messages ---


# Path parameters for the outside check, filled from what the test planted.
def test_photos_reach_every_reader_without_their_metadata(client, executive, manager):
    """EXIF (camera, GPS, a description with an e-mail address) is removed on upload: nobody, the author
    included, gets it back, whether the full photo or its thumbnail."""
    from PIL import Image

    body = personal_visit()
    put_visit(client, executive, body)
    pain_point_id = body["pain_points"][0]["id"]
    photo_id = str(uuid.uuid4())
    res = client.put(f"/api/pain-points/{pain_point_id}/media/{photo_id}", content=photo(description=EMAIL),
                     headers={**executive.headers, "Content-Type": "image/jpeg"})
    assert res.status_code == 201, res.text
    for reader in (executive, manager):
        for size in ("original", "thumb"):
            got = client.get(f"/api/media/{photo_id}", params={"size": size}, headers=reader.headers)
            assert got.status_code == 200
            assert not leaks(got.content.decode("latin-1")) and b"GPS" not in got.content
            assert not Image.open(io.BytesIO(got.content)).getexif()
        detail = client.get(f"/api/pain-points/{pain_point_id}", headers=reader.headers).json()
        assert [m["id"] for m in detail["media"]] == [photo_id]


def _path_values(ids: dict) -> dict:
    return {"visit_id": ids["visit"], "pain_point_id": ids["pain_point"], "theme_id": ids["theme"]}


def test_outside_check_no_planted_personal_data_in_any_answer_or_file(client, app, factory, executive,
                                                                      other_executive, manager, admin,
                                                                      database_url):
    # Plant: a visit with every free-text field, themes built over it, a comment, a resolution note, pulse text.
    visit_id = put_visit(client, executive, personal_visit())
    walkthrough(client, executive, site=factory.site(), journey=f"Refund for {EMAIL}", steps=[(f"Ring {PHONE}", 5, 4)],
                points=[(f"Card {CARD} declined at this step", 4, 0)])
    planted = {"queues": [f"{text}, mail {EMAIL} or ring {PHONE}" for text in GROUPS["queues"]]}
    theme_ids = log_visits(client, executive, planted)
    log_visits(client, other_executive, {k: v for k, v in GROUPS.items() if k != "queues"})
    rebuild(client, manager)
    theme_id = str(next(iter(themes_of(theme_ids["queues"]))))
    pain_point_id = theme_ids["queues"][0]
    assert client.post(f"/api/pain-points/{pain_point_id}/comments", json={"body": f"Card was {CARD}"},
                       headers=executive.headers).status_code == 201
    closer = factory.user(role="manager")  # neither reader below: what people write is raw only to themselves
    messages = _plant_messages(client, admin, manager, closer, pain_point_id)
    assert client.patch(f"/api/pain-points/{pain_point_id}", headers=closer.headers,
                        json={"status": "wont_fix", "resolution_note": f"Asked {EMAIL}"}).status_code == 200
    questions = client.get("/api/pulse/questions", headers=executive.headers).json()
    text_question = next(q for q in questions if q["kind"] == "text")
    for person in (executive, other_executive, factory.user(role="executive")):
        answer = {"question_id": text_question["id"], "text": f"Call me: {PHONE}"}
        assert client.put("/api/pulse/me", json={"answers": [answer]}, headers=person.headers).status_code == 200

    values = _path_values({"visit": visit_id, "pain_point": pain_point_id, "theme": theme_id})
    values["webhook_id"] = messages["webhook_id"]
    values["key"] = "pulse"  # the built-in KPI: the pulse's monthly averages
    goal = client.post("/api/goals", headers=closer.headers, json={  # a title is free text too
        "title": f"Call {PHONE} about it", "department_ids": [str(factory.department().id) for _ in range(2)],
        "target": {"type": "theme_count", "theme_id": theme_id, "comparison": "at_most", "value": 1},
        "due_date": "2099-01-31"})
    assert goal.status_code == 201, goal.text
    values["goal_id"] = goal.json()["id"]
    # A photo whose EXIF carries personal data and a place: the server keeps none of it.
    photo_id = str(uuid.uuid4())
    assert client.put(f"/api/pain-points/{pain_point_id}/media/{photo_id}", content=photo(description=EMAIL),
                      headers={**executive.headers, "Content-Type": "image/jpeg"}).status_code == 201
    values["media_id"] = photo_id
    params = {"/api/visits": {"author_id": str(executive.id)},
              "/api/notifications/unsubscribe": messages["unsubscribe"]}
    read = 0
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        url = path.format(**values)
        for reader in (manager, admin):
            res = client.get(url, params=params.get(path, {}), headers=reader.headers)
            assert res.status_code == (403 if path in ADMINS_ONLY and reader is manager else 200), (url, res.text)
            assert not leaks(res.text), (url, reader.user.role, leaks(res.text))
            read += 1
    assert read >= 40
    # Files a manager takes away: the feed's CSV and the command line's CSV and JSON lines.
    exported = client.get("/api/pain-points/export.csv", headers=manager.headers)
    assert exported.headers["x-row-count"] == "18" and not leaks(exported.text)
    for fmt in ("csv", "jsonl"):
        res = run_cli(database_url, "export", "--format", fmt)
        assert res.returncode == 0 and res.stdout.count("\n") >= 18 and not leaks(res.stdout), fmt
    # Executives are refused themes (the feed is not open to them).
    assert client.get("/api/themes", headers=other_executive.headers).status_code == 403
    assert client.get(f"/api/themes/{theme_id}", headers=other_executive.headers).status_code == 403


def test_values_on_the_dashboards_and_bright_spots_in_the_digest_carry_no_personal_data(client, session, executive,
                                                                                        manager, admin):
    from datetime import timedelta

    from api.core.clock import utcnow
    from api.messages import digest

    own_it = client.post("/api/values", json={"name": "Own it"}, headers=admin.headers).json()["id"]
    body = visit_body(pain_points=[{"text": f"Refund to {CARD} failed", "value_id": own_it}])
    body["bright_spots"] = [{"id": str(uuid.uuid4()), "text": f"Rang {PHONE} back at once", "department_id": None,
                             "recognise": f"Sam, {EMAIL}", "value_id": own_it}]
    put_visit(client, executive, body)
    for reader in (executive, manager, admin):
        part = client.get("/api/dashboard/me", headers=reader.headers).json()["values"]
        assert [v["value"]["name"] for v in part["values"]] == ["Own it"]
        assert not leaks(str(part)) and "Refund" not in str(part) and "Rang" not in str(part)
    now = utcnow()
    _, built, _ = digest.send(session, now=now + timedelta(days=7 - now.weekday()), dry_run=True)
    assert len(built.bright_spots) == 1 and "Own it" in built.bright_spots[0]
    assert not leaks(built.body())
