"""Lighthouse on the served web app, plus the shell's gzipped size. A benchmark, not a test.

    .venv/bin/python bench/pwa/run.py            # starts the real server on a free port with a temporary database
    .venv/bin/python bench/pwa/run.py --url URL  # audits a server that is already running

Lighthouse comes from npm (the version pinned in bench/pwa/package.json, installed once into a cache
folder outside the repository) and drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium).
Targets: performance >= 95, accessibility 100, best practices >= 95, shell <= 60 KB gzipped.
"""

import argparse
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PWA = ROOT / "mobile_pwa"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "undercover-bench-lighthouse"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking " \
               "--disable-component-update --disable-sync"
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95, "seo": 0}
BUDGET = 60 * 1024


def shell_size() -> tuple[int, int]:
    files = [p for p in PWA.rglob("*") if p.is_file()]
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


class Server:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="undercover-bench-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.dir / 'bench.db'}", "UNDERCOVER_ENV": "test",
                    "UNDERCOVER_SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        subprocess.run([sys.executable, "-m", "api", "migrate"], cwd=self.dir, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.dir, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "healthz", timeout=1) as res:  # noqa: S310 - loopback only
                    if res.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the server did not start")

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def audit(url: str, runs: int) -> dict[str, int]:
    cli = lighthouse()
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    best: dict[str, int] = {}
    for n in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "report.json"
            subprocess.run(
                ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={report}",
                 "--only-categories=performance,accessibility,best-practices,seo", f"--chrome-flags={CHROME_FLAGS}"],
                env=env, check=True,
            )
            data = json.loads(report.read_text())
        scores = {key: round(cat["score"] * 100) for key, cat in data["categories"].items()}
        failing = [a["id"] for a in data["audits"].values()
                   if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary"]
        print(f"run {n + 1}: " + "  ".join(f"{k} {v}" for k, v in scores.items()))
        if failing:
            print("  audits not passed: " + ", ".join(sorted(failing)))
        for key, value in scores.items():
            best[key] = max(best.get(key, 0), value)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="audit this running server instead of starting one")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs; the best score of each category counts")
    args = parser.parse_args()

    raw, packed = shell_size()
    if args.url:
        scores = audit(args.url, args.runs)
    else:
        with Server() as server:
            scores = audit(server.url, args.runs)

    print("\nLighthouse (mobile, best of %d)" % args.runs)
    ok = True
    for key, target in TARGETS.items():
        score = scores.get(key)
        met = score is not None and score >= target
        ok &= met
        print(f"  {key:15} {score:>4}   target >= {target}  {'ok' if met else 'MISSED'}")
    met = packed <= BUDGET
    ok &= met
    print(f"  {'shell size':15} {packed / 1024:>5.1f} KB gzipped ({raw / 1024:.1f} KB raw)   "
          f"budget {BUDGET // 1024} KB  {'ok' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
