"""The messages worker as a real process: `undercover worker` delivers and stops cleanly on SIGTERM; the child
worker an API process starts on PostgreSQL delivers, stops with a clean shutdown and dies with a killed API."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.faults.test_message_delivery import WORKER, log_points, subscribe, wait_for
from tests.live import LiveServer, backends, live_database
from tests.messages.receiver import Receiver

pytestmark = pytest.mark.slow


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its parent has not collected it yet


@pytest.mark.parametrize("backend", backends())
def test_undercover_worker_delivers_and_stops_on_sigterm(backend, tmp_path):
    with Receiver() as receiver, live_database(backend, tmp_path) as url, LiveServer(url, tmp_path) as server:
        admin, author = server.user("admin"), server.user("executive")
        subscribe(server, admin, receiver.url)
        log_points(server, author, 3)
        time.sleep(0.5)
        assert receiver.requests == []  # the API process delivers nothing (UNDERCOVER_MESSAGES_WORKER=false)
        log = (tmp_path / "worker.log").open("w+")
        worker = subprocess.Popen([sys.executable, "-m", "api", "worker"], cwd=tmp_path, stdout=log, stderr=log,
                                  env={**server.env, **WORKER})
        try:
            wait_for(lambda: len(receiver.requests) == 3, 60, "three webhook calls from `undercover worker`")
            wait_for(lambda: server.scalar("SELECT count(*) FROM delivery WHERE status = 'sent'") == 3, 30,
                     "the deliveries to be recorded as sent")
            assert {r["headers"]["X-Undercover-Event"] for r in receiver.requests} == {"pain_point.created"}
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        log.seek(0)
        output = log.read()
        assert "Messages worker running." in output and "Messages worker stopped." in output, output
        assert "Traceback" not in output, output
        assert len(receiver.requests) == 3  # nothing sent twice


def test_the_apis_worker_process_delivers_and_dies_with_the_api(tmp_path):
    if not Path("/proc/self/task").exists():
        pytest.skip("reads child processes from /proc (Linux)")
    with Receiver() as receiver, live_database("postgresql", tmp_path) as url:
        server = LiveServer(url, tmp_path, **WORKER)
        with server:
            api_pid = server.process.pid
            worker_pid = wait_for(lambda: next(iter(children(api_pid)), None), 30, "the worker process to start")
            admin, author = server.user("admin"), server.user("executive")
            subscribe(server, admin, receiver.url)
            log_points(server, author, 2)
            wait_for(lambda: len(receiver.requests) == 2, 60, "two webhook calls from the API's worker process")
            server.kill()  # SIGKILL: the API never runs its shutdown, yet its worker must not live on
            wait_for(lambda: not alive(worker_pid), 10, "the worker process to die with the API")
            server.start()  # a clean shutdown (SIGTERM) stops the new worker process too
            worker_pid = wait_for(lambda: next(iter(children(server.process.pid)), None), 30, "a new worker")
        wait_for(lambda: not alive(worker_pid), 10, "the worker process to stop with the API")
        assert len(receiver.requests) == 2
