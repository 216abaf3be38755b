"""Lighthouse on the served web app, plus the shell's gzipped size. A benchmark, not a test.

    .venv/bin/python bench/pwa/run.py            # starts the real server on a free port with a temporary database
    .venv/bin/python bench/pwa/run.py --url URL  # audits a server that is already running (sign-in page only)

The first load (the sign-in page, empty storage) is what the targets are judged on. With its own server the
script also signs a bench user in through Playwright in a browser profile and audits the screens used
every day (home, My visits, a visit being logged) from that profile, storage kept.

Lighthouse comes from npm (the version pinned in bench/pwa/package.json, installed once into a cache
folder outside the repository) and drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium).
Targets: performance >= 95, accessibility 100, best practices >= 95, first load <= 45 KB gzipped (the files
mobile_pwa/js/screens.js puts in it, and sw.js; the whole shell is printed too).
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
BENCH_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench password 1"


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
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        shutil.rmtree(self.dir, ignore_errors=True)


def audit(url: str, runs: int, profile: Path | None = None) -> dict[str, int]:
    cli = lighthouse()
    flags = CHROME_FLAGS + (f" --user-data-dir={profile}" if profile else "")
    keep = ["--disable-storage-reset"] if profile else []
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    best: dict[str, int] = {}
    for n in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            subprocess.run(
                ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={report}",
                 "--only-categories=performance,accessibility,best-practices,seo", f"--chrome-flags={flags}", *keep],
                env=env, check=True,
            )
            data = json.loads(report.read_text())
        scores = {key: round(cat["score"] * 100) for key, cat in data["categories"].items()}
        failing = [a["id"] for a in data["audits"].values()
                   if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"]
        print(f"{url} run {n + 1}: " + "  ".join(f"{k} {v}" for k, v in scores.items()))
        if failing:
            print("  audits not passed: " + ", ".join(sorted(failing)))
        for key, value in scores.items():
            best[key] = max(best.get(key, 0), value)
    return best


def signed_in_profile(server: Server, profile: Path) -> list[str]:
    """Signs in with Playwright in a persistent profile; returns the URLs of the everyday screens."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
            args=CHROME_FLAGS.replace("--headless=new ", "").split(), viewport={"width": 412, "height": 823})
        page = context.new_page()
        page.goto(server.home)
        page.get_by_label("Email").fill(BENCH_EMAIL)
        page.get_by_label("Password").fill(BENCH_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("button", name="New visit").click()
        page.get_by_role("button", name="Journey walkthrough").click()
        page.get_by_role("button", name="Add step").click()
        page.get_by_role("button", name="Add pain point").click()
        page.get_by_label("Pain point").fill("Returns desk hidden at the back of the store")
        expect(page.get_by_text("Saved on this phone", exact=True)).to_be_visible()
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        visit_url = page.url
        context.close()
    return [server.home + "#/", server.home + "#/visits", visit_url]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="audit this running server instead of starting one")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs; the best score of each category counts")
    args = parser.parse_args()

    raw, packed = shell_size(first_only=True)
    whole_raw, whole = shell_size()
    everyday: dict[str, dict[str, int]] = {}
    if args.url:
        scores = audit(args.url, args.runs)
    else:
        with Server() as server:
            scores = audit(server.home, args.runs)
            try:
                import playwright  # noqa: F401
            except ImportError:
                print("Playwright is not installed: the signed-in screens are not audited")
            else:
                profile = server.dir / "profile"
                for url in signed_in_profile(server, profile):
                    everyday[url.removeprefix(server.home) or "/"] = audit(url, 1, profile)

    print(f"\nLighthouse (mobile, best of {args.runs})")
    ok = True
    for key, target in TARGETS.items():
        score = scores.get(key)
        met = score is not None and score >= target
        ok &= met
        print(f"  {key:15} {score:>4}   target >= {target}  {'ok' if met else 'MISSED'}")
    for screen, result in everyday.items():
        print(f"  signed in, {screen}: " + "  ".join(f"{k} {v}" for k, v in result.items()))
    met = packed <= BUDGET
    ok &= met
    print(f"  {'first load':15} {packed / 1024:>5.1f} KB gzipped ({raw / 1024:.1f} KB raw)   "
          f"budget {BUDGET // 1024} KB  {'ok' if met else 'MISSED'}")
    print(f"  {'whole shell':15} {whole / 1024:>5.1f} KB gzipped ({whole_raw / 1024:.1f} KB raw)   "
          "the rest is cached in the background")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
