"""Themes end to end, through the product's own paths: `undercover import` the labelled texts as pain
points, `undercover themes rebuild`, `undercover export`, and score the exported themes against the gold
labels. Prints figures; never run as a test.

    .venv/bin/python bench/themes.py                 # Banking77, small draws, airline, 100,000 scale
    .venv/bin/python bench/themes.py --only banking  # one part: banking | small | airline | scale

Targets (issue): Banking77 (count not given) NMI >= 0.82, ARI >= 0.55, 50-120 themes; 10 intents x 8
texts over 5 draws NMI >= 0.80; at most 10% unthemed; a rebuild of 10,000 pain points with stored
embeddings <= 10 s, of 100,000 <= 120 s with peak memory <= 4 GB. Unthemed pain points count as one
extra cluster in NMI/ARI. Reads ../shared/data; exits with a message where it is absent.

Labels (issue 13): each exported theme label against the name of the intent most of its members share
(MiniLM cosine, see bench/themes_labels.py); Banking77 targets, on the held-out half of the intents: mean
>= 0.65 and >= 75% of themes at 0.5 or more. The airline reasons are a second, outside check (never tuned on).
"""

import argparse
import csv
import io
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from themes_labels import label_line, label_scores

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
AUTHOR = "bench@themes.example"
HEADER = ["ref", "text", "severity", "felt_by", "visit_kind", "site", "department", "occurred_at",
          "theme_id", "theme_label"]


def read(path: Path, text_col: str, label_col: str) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [(r[text_col], r[label_col]) for r in csv.DictReader(f)]


class Workspace:
    """A fresh SQLite database and the `undercover` CLI pointed at it."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="undercover-themes-bench-"))
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.dir / 'bench.db'}",
                    "UNDERCOVER_SECRET_KEY": "bench", "UNDERCOVER_ENV": "bench", "UNDERCOVER_REDACT": "false"}
        self.cli("migrate")
        self.cli("create-user", AUTHOR, "--role", "executive", "--password-stdin", stdin="bench password 1\n")

    def cli(self, *args: str, stdin: str | None = None) -> tuple[str, float, int]:
        """Run a command; returns its stdout, wall seconds and peak memory (MB) of the child."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "api", *args], input=stdin, capture_output=True,
                              text=True, env=self.env, cwd=ROOT, check=False)
        took = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"undercover {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        return done.stdout, took, round(peak)

    def import_texts(self, texts: list[str]) -> float:
        path = self.dir / "points.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            for i, text in enumerate(texts):
                w.writerow([f"r{i}", text[:2000], 3, "customer", "listened_call", "", "",
                            f"2026-{9 + i % 3:02d}-{1 + i % 28:02d}", "", ""])
        out, took, _ = self.cli("import", str(path), "--author", AUTHOR)
        assert f"imported {len(texts)} rows" in out, out
        return took

    def themes(self) -> dict[str, str]:
        return {ref: theme for ref, (theme, _) in self.themes_and_labels().items()}

    def themes_and_labels(self) -> dict[str, tuple[str, str]]:
        """{ref: (theme id or "unthemed", theme label)} from `undercover export`."""
        out, _, _ = self.cli("export")
        return {r["ref"]: (r["theme_id"] or "unthemed", r["theme_label"]) for r in csv.DictReader(io.StringIO(out))}


def score(gold: list[str], refs: dict[str, str]) -> str:
    found = [refs[f"r{i}"] for i in range(len(gold))]
    n_themes = len(set(found) - {"unthemed"})
    unthemed = found.count("unthemed") / len(found)
    nmi = normalized_mutual_info_score(gold, found)
    ari = adjusted_rand_score(gold, found)
    return f"NMI {nmi:.3f}  ARI {ari:.3f}  themes {n_themes}  unthemed {unthemed:.1%}"


def rebuild(ws: Workspace) -> tuple[float, int, str]:
    out, took, peak = ws.cli("themes", "rebuild")
    return took, peak, out.strip()


def labelled_run(name: str, rows: list[tuple[str, str]], *, split: bool = True) -> None:
    ws = Workspace()
    texts, gold = [t for t, _ in rows], [g for _, g in rows]
    took = ws.import_texts(texts)
    print(f"{name}: imported {len(texts)} pain points in {took:.1f} s")
    first, peak, out = rebuild(ws)
    print(f"  first rebuild (embeds every text): {first:.1f} s = {len(texts) / first:.0f} pain points/s, "
          f"peak {peak} MB   [{out}]")
    again, peak, out = rebuild(ws)
    print(f"  rebuild with stored embeddings: {again:.1f} s, peak {peak} MB   [{out}]")
    exported = ws.themes_and_labels()
    print(f"  {score(gold, {ref: theme for ref, (theme, _) in exported.items()})}")
    themes = [exported[f"r{i}"][0] for i in range(len(gold))]
    labels = {theme: label for theme, label in exported.values() if theme != "unthemed"}
    scores = label_scores(labels, themes, gold)
    print(f"  labels vs intent names: {label_line(scores if split else {'all': scores['all']})}")


def small_draws(rows: list[tuple[str, str]], draws: int = 5) -> None:
    by_label: dict[str, list[str]] = {}
    for text, label in rows:
        by_label.setdefault(label, []).append(text)
    nmis = []
    for seed in range(draws):
        rng = random.Random(seed)
        picked = [(t, label) for label in rng.sample(sorted(by_label), 10) for t in rng.sample(by_label[label], 8)]
        ws = Workspace()
        ws.import_texts([t for t, _ in picked])
        rebuild(ws)
        line = score([g for _, g in picked], ws.themes())
        nmis.append(float(re.search(r"NMI ([0-9.]+)", line).group(1)))
        print(f"  draw {seed}: {line}")
    print(f"small volume (10 intents x 8 texts, {draws} draws): mean NMI {np.mean(nmis):.3f}")


def scale_run(rows: list[tuple[str, str]], n: int) -> None:
    """n pain points: the Banking77 texts repeated with a numbered suffix. Bulk-loaded through the
    product's write path with stored embeddings (see _themes_scale_load.py); the rebuild is timed."""
    ws = Workspace()
    texts = [f"{rows[i % len(rows)][0]} (case {i // len(rows)})" for i in range(n)]
    load = ROOT / "bench" / "_themes_scale_load.py"
    start = time.perf_counter()
    subprocess.run([sys.executable, str(load), str(ws.dir / "texts.txt")], env=ws.env, cwd=ROOT, check=True,
                   input="\n".join(t.replace("\n", " ") for t in texts), text=True)
    print(f"scale: loaded {n} pain points and their embeddings in {time.perf_counter() - start:.0f} s")
    again, peak, out = rebuild(ws)
    print(f"  rebuild of {n} with stored embeddings: {again:.1f} s, peak {peak} MB   [{out}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["banking", "small", "airline", "scale"])
    parser.add_argument("--scale", type=int, default=100_000)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"no labelled data at {DATA}: this benchmark needs the shared data folder beside the repo")
    banking = read(DATA / "banking77_train" / "train.csv", "text", "category")
    if args.only in (None, "banking"):
        labelled_run("Banking77", banking)
    if args.only in (None, "small"):
        small_draws(banking)
    if args.only in (None, "airline"):
        airline = read(DATA / "airline_complaints" / "airline_negative_tweets.csv", "text_restored", "negativereason")
        labelled_run("Airline complaints", airline, split=False)
    if args.only in (None, "scale"):
        scale_run(banking, args.scale)


if __name__ == "__main__":
    main()
