"""What managers see of a lone pulse respondent in the web app: a count, never their scores or words."""

import re

import pytest

from tests.e2e.conftest import EXEC_EMAIL
from tests.e2e.test_pwa_review import MANAGER_EMAIL, desk  # noqa: F401 - the manager's laptop fixture

pytestmark = [pytest.mark.e2e]


def test_the_dashboard_shows_a_lone_pulse_answer_as_a_count_only(desk, server):  # noqa: F811
    from playwright.sync_api import expect

    with server.client(EXEC_EMAIL) as c:
        questions = c.get("/api/pulse/questions").json()
        scale, text = (next(q for q in questions if q["kind"] == kind) for kind in ("scale", "text"))
        answers = [{"question_id": scale["id"], "score": 1},
                   {"question_id": text["id"], "text": "Only I would say the pricing is a mess"}]
        assert c.put("/api/pulse/me", json={"answers": answers}).status_code == 200
    page = desk.page
    desk.sign_in(MANAGER_EMAIL)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    pulse = page.get_by_role("region", name="Reality-check pulse")
    expect(pulse.get_by_text(re.compile("Too few answers to show: ")).first).to_be_visible()
    expect(pulse).not_to_contain_text("pricing is a mess")
    expect(pulse.get_by_role("img", name=re.compile("Average score per month"))).to_have_count(0)
    assert desk.console == []
