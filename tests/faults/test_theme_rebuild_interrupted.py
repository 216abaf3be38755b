"""A theme rebuild that dies half-way leaves the previous themes intact and visible: the rebuild swaps
themes in one final transaction, so a crash before it (SIGKILL while clustering) or inside it (an error
after the new themes are flushed) changes nothing readers see. The dead build is reported as failed, and
a new rebuild can start."""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from api.pain_points.models import PainPoint
from api.themes import rebuild as rebuild_module
from api.themes.models import ThemeBuild
from tests.factories import fetch
from tests.themes.test_api import GROUPS, log_visits, rebuild

MORE = {"parking": ["The car park barrier was stuck and customers queued to leave",
                    "Car park barrier broken again, a queue of cars at the exit",
                    "Customers stuck at the car park exit barrier for ten minutes"]}

# Runs the real `undercover themes rebuild`, held in its clustering stage until the test kills it.
STALLED_REBUILD = """
import sys, threading
import api.themes.engine as engine
engine.cluster = lambda *args, **kwargs: threading.Event().wait()
from api.cli import main
sys.exit(main(["themes", "rebuild"]))
"""


@pytest.fixture(autouse=True)
def tfidf(monkeypatch):
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", "tfidf")  # the fast engine: the fault is the point


def visible_themes(client, manager) -> list[tuple]:
    res = client.get("/api/themes", headers=manager.headers)
    assert res.status_code == 200
    return sorted((t["id"], t["label"], t["count"], t["visits"], t["mean_severity"], tuple(t["keywords"]))
                  for t in res.json())


def pain_point_themes() -> dict:
    return dict(fetch(select(PainPoint.id, PainPoint.theme_id)))


def latest(client, manager) -> dict:
    return client.get("/api/themes/rebuild", headers=manager.headers).json()["latest"]


def build_once_then_add_work(client, executive, manager) -> tuple[list, dict, list[str]]:
    log_visits(client, executive, GROUPS)
    rebuild(client, manager)
    before, assigned = visible_themes(client, manager), pain_point_themes()
    assert len(before) >= 2 and sum(theme_id is not None for theme_id in assigned.values()) >= 10
    new_ids = log_visits(client, executive, MORE)["parking"]  # work for the next rebuild
    return before, assigned, new_ids


def assert_unchanged(client, manager, before, assigned, new_ids) -> None:
    assert visible_themes(client, manager) == before
    now = pain_point_themes()
    assert {k: v for k, v in now.items() if k in assigned} == assigned
    assert all(now[uuid.UUID(i)] is None for i in new_ids)


def test_rebuild_killed_while_clustering_leaves_the_previous_themes(client, executive, manager, tmp_path):
    before, assigned, new_ids = build_once_then_add_work(client, executive, manager)
    process = subprocess.Popen([sys.executable, "-c", STALLED_REBUILD], cwd=tmp_path, env={**os.environ},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the rebuild never reached its clustering stage"
            running = fetch(select(ThemeBuild).where(ThemeBuild.status == "running"))
            if running and running[0].stage == "clustering":
                break
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)  # no handlers, no rollback, like a crash or the OOM killer
        process.wait(timeout=10)
    dead = running[0]
    assert dead.pain_points == 18 and dead.embedder == "tfidf"

    assert_unchanged(client, manager, before, assigned, new_ids)
    # Until its heartbeat is STALE_AFTER old, nobody can tell a dead build from a slow one.
    state = latest(client, manager)
    assert (state["id"], state["status"], state["stage"]) == (str(dead.id), "running", "clustering")
    assert client.post("/api/themes/rebuild", headers=manager.headers).status_code == 409

    with Session(rebuild_module.get_engine()) as s:  # let STALE_AFTER pass without waiting for it
        build = s.get(ThemeBuild, dead.id)
        build.heartbeat_at -= rebuild_module.STALE_AFTER + timedelta(seconds=1)
        s.add(build)
        s.commit()
    state = latest(client, manager)
    assert (state["id"], state["status"], state["error"]) == (str(dead.id), "failed", "interrupted")
    assert state["stage"] == "clustering" and state["finished_at"]
    assert_unchanged(client, manager, before, assigned, new_ids)

    done = rebuild(client, manager)  # a new rebuild starts and finishes
    assert done["latest"]["pain_points"] == 18
    assert visible_themes(client, manager)


def test_rebuild_failing_inside_the_swap_rolls_back_every_change(client, executive, manager, monkeypatch):
    before, assigned, new_ids = build_once_then_add_work(client, executive, manager)

    def fail(*_args, **_kwargs):
        raise RuntimeError("disk full half-way through the swap")

    # _swap flushes the new and retired themes, then asks the pain-points store to place the pain points:
    # failing there leaves written-but-uncommitted themes that must all roll back.
    monkeypatch.setattr(rebuild_module.store, "place_in_themes", fail)
    assert client.post("/api/themes/rebuild", headers=manager.headers).status_code == 202
    for _ in range(300):
        state = latest(client, manager)
        if state["status"] != "running":
            break
        time.sleep(0.1)
    assert state["status"] == "failed" and "disk full" in state["error"], state
    assert_unchanged(client, manager, before, assigned, new_ids)

    monkeypatch.undo()
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", "tfidf")
    assert rebuild(client, manager)["latest"]["pain_points"] == 18
