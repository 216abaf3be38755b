"""Lighthouse on the served web app, plus the shell's gzipped size. A benchmark, not a test.

    .venv/bin/python bench/pwa/run.py            # starts the real server on a free port with a temporary database
    .venv/bin/python bench/pwa/run.py --url URL  # audits a server that is already running (sign-in page only)

With its own server the script loads the demo organisation (`undercover demo`: visits with pain points, a
rebuilt set of themes) and audits, each from a browser profile Playwright signed in (storage kept): the
sign-in page (fresh profile), as an executive home, My visits and a visit being logged, and as a manager
the feed, themes and dashboard. Each screen is audited 3 times (--runs) and the median of each category
is printed against the targets, with the audits that did not pass.

Lighthouse runs its defaults: mobile emulation, simulated throttling, and the app's own gzip on the wire.
It comes from npm (the version pinned in bench/pwa/package.json, installed once into a cache
folder outside the repository) and drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium).
Targets: performance >= 95, accessibility 100, best practices >= 95 (100 sought), first load <= 45 KB gzipped (the files
mobile_pwa/js/screens.js puts in it, and sw.js; the whole shell is printed too).
"""

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # a benchmark runs as a plain script; `tests` is not an installed package

from tests.e2e.test_pwa_shell import FIRST_LOAD_BUDGET, first_load  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

PWA = ROOT / "mobile_pwa"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "undercover-bench-lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 0}
BUDGET = FIRST_LOAD_BUDGET
LIGHTHOUSE = json.loads((HERE / "package.json").read_text())["dependencies"]["lighthouse"]
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench password 1"
MANAGER_EMAIL = "manager@demo.undercover.example"  # from `undercover demo`, with its published password
DEMO_PASSWORD = "undercover-demo"  # noqa: S105 - the demo's published login


def shell_size(first_only: bool = False) -> tuple[int, int]:
    files = [p for p in PWA.rglob("*") if p.is_file()]
    if first_only:
        files = [PWA / ("index.html" if name == "./" else name) for name in [*first_load(), "sw.js"]]
    raw = sum(p.stat().st_size for p in files)
    packed = sum(len(gzip.compress(p.read_bytes(), 9, mtime=0)) for p in files)
    return raw, packed


def lighthouse() -> Path:
    """The Lighthouse CLI, installed from npm into the cache folder when missing or outdated."""
    wanted = (HERE / "package.json").read_text()
    cli = CACHE / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists() or (CACHE / "package.json").read_text() != wanted:
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / "package.json").write_text(wanted)
        print(f"installing Lighthouse into {CACHE} …", flush=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CACHE, check=True)
    return cli


class Server(ServerProcess):
    """The shared harness (tests/server_process.py) on a temporary SQLite database with the bench user."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="undercover-bench-"))
        super().__init__(f"sqlite:///{self.dir / 'bench.db'}", workdir=self.dir,
                         env={"UNDERCOVER_SECRET_KEY": "bench-secret"})
        self.home = self.url + "/"

    def __enter__(self) -> "Server":
        self.cli("migrate")
        self.cli("create-user", BENCH_EMAIL, "--role", "executive", "--name", "Bench", "--password-stdin",
                 stdin=BENCH_PASSWORD + "\n")
        self.cli("demo", timeout=600)  # the managers' screens need data: visits, pain points, themes
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        shutil.rmtree(self.dir, ignore_errors=True)


def audit(url: str, runs: int, profile: Path | None = None) -> tuple[dict[str, int], list[str]]:
    """Lighthouse `runs` times on `url`: the median score of each category, and the audits any run failed."""
    cli = lighthouse()
    flags = CHROME_FLAGS + (f" --user-data-dir={profile}" if profile else "")
    keep = ["--disable-storage-reset"] if profile else []
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    scores: dict[str, list[int]] = {}
    failing: set[str] = set()
    n = attempts = 0
    while n < runs:
        attempts += 1
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            done = subprocess.run(
                ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={report}",
                 "--only-categories=performance,accessibility,best-practices,seo", f"--chrome-flags={flags}", *keep],
                env=env,
            )
            data = json.loads(report.read_text()) if report.exists() else {}
        if done.returncode or data.get("runtimeError") or not data:
            # Lighthouse's own failures (NO_NAVSTART and the like, on a busy machine) get another go.
            print(f"{url}: Lighthouse failed ({(data.get('runtimeError') or {}).get('code', done.returncode)}), "
                  "run again", flush=True)
            if attempts >= runs + 3:
                raise RuntimeError(f"Lighthouse kept failing on {url}")
            continue
        n += 1
        run = {key: round((cat["score"] or 0) * 100) for key, cat in data["categories"].items()}
        elements = data["audits"]["dom-size"].get("numericValue")
        failed = sorted(a["id"] for a in data["audits"].values()
                        if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary")
        print(f"{url} run {n}: " + "  ".join(f"{k} {v}" for k, v in run.items()) + f"  ({elements} elements)"
              + (f"   not passed: {', '.join(failed)}" if failed else ""), flush=True)
        failing.update(failed)
        for key, value in run.items():
            scores.setdefault(key, []).append(value)
    return {key: round(statistics.median(values)) for key, values in scores.items()}, sorted(failing)


def wait_in_page(page, script: str, timeout: float = 30) -> None:
    """Polls a script in the page (not Playwright's wait_for_function: the app's CSP refuses its eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {script}")
        page.wait_for_timeout(200)


def open_profile(p, profile: Path):
    return p.chromium.launch_persistent_context(
        str(profile), executable_path=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
        args=CHROME_FLAGS.replace("--headless=new ", "").split(), viewport={"width": 412, "height": 823})


def sign_in(page, server: Server, email: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(server.home)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # signed in: the session is stored
    wait_in_page(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def executive_profile(server: Server, profile: Path) -> list[str]:
    """Signs the executive in with Playwright in a persistent profile, logs a visit; returns the screens' URLs."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        context = open_profile(p, profile)
        page = context.new_page()
        sign_in(page, server, BENCH_EMAIL, BENCH_PASSWORD)
        page.get_by_role("button", name="New visit").click()
        page.get_by_role("button", name="Journey walkthrough").click()
        page.get_by_role("button", name="Add step").click()
        page.get_by_role("button", name="Add pain point").click()
        page.get_by_label("Pain point").fill("Returns desk hidden at the back of the store")
        expect(page.get_by_text("Saved on this phone", exact=True)).to_be_visible()
        visit_url = page.url
        context.close()
    return [server.home + "#/", server.home + "#/visits", visit_url]


def manager_profile(server: Server, profile: Path) -> list[str]:
    """Signs the demo's manager in and opens each of the managers' screens once (the service worker caches
    their files); returns the screens' URLs."""
    from playwright.sync_api import expect, sync_playwright

    screens = {"#/feed": "Feed", "#/themes": "Themes", "#/dashboard": "Dashboard"}
    with sync_playwright() as p:
        context = open_profile(p, profile)
        page = context.new_page()
        sign_in(page, server, MANAGER_EMAIL, DEMO_PASSWORD)
        for hash, title in screens.items():
            page.goto(server.home + hash)
            expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
            expect(page.locator("main .loading")).to_have_count(0)
            page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # the service worker's background caching settles before the profile closes
        context.close()
    return [server.home + hash for hash in screens]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="audit this running server instead of starting one")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per screen; the median counts")
    args = parser.parse_args()

    raw, packed = shell_size(first_only=True)
    whole_raw, whole = shell_size()
    results: dict[str, tuple[dict[str, int], list[str]]] = {}
    if args.url:
        results["sign-in"] = audit(args.url, args.runs)
    else:
        with Server() as server:
            results["sign-in"] = audit(server.home, args.runs)
            try:
                import playwright  # noqa: F401
            except ImportError:
                print("Playwright is not installed: the signed-in screens are not audited")
            else:
                for who, make in (("executive", executive_profile), ("manager", manager_profile)):
                    profile = server.dir / f"profile-{who}"
                    for url in make(server, profile):
                        screen = re.sub(r"[0-9a-f-]{36}", "ID", url.removeprefix(server.home))
                        results[f"{who} {screen}"] = audit(url, args.runs, profile)

    print(f"\nLighthouse {LIGHTHOUSE} (mobile, simulated throttling, gzip on), median of {args.runs} runs")
    print(f"  {'screen':26}" + "".join(f"{key:>16}" for key in TARGETS))
    print(f"  {'target':26}" + "".join(f"{'>= ' + str(t) if t else '-':>16}" for t in TARGETS.values()))
    ok = True
    for screen, (scores, failing) in results.items():
        cells = ""
        for key, target in TARGETS.items():
            score = scores.get(key)
            met = score is not None and score >= target
            ok &= met
            cells += f"{score if score is not None else '-':>12}{'' if met else ' (!)':4}"
        print(f"  {screen:26}{cells}")
        if failing:
            print(f"  {'':26}not passed in some run: {', '.join(failing)}")
    met = packed <= BUDGET
    ok &= met
    print(f"  {'first load':15} {packed / 1024:>5.1f} KB gzipped ({raw / 1024:.1f} KB raw, {packed:,} bytes)   "
          f"budget {BUDGET // 1024} KB  {'ok' if met else 'MISSED'}")
    print(f"  {'whole shell':15} {whole / 1024:>5.1f} KB gzipped ({whole_raw / 1024:.1f} KB raw)   "
          "the rest is cached in the background")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
