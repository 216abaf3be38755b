"""Quality and cost of the theme engine on the shared labelled data sets. Prints figures; never run as a test.

    .venv/bin/python bench/themes_engine.py              # everything (embeddings cached under the temp
    folder) .venv/bin/python bench/themes_engine.py --scale 100000   # only the synthetic volume run

Targets (product issue): Banking77 (10,003 texts, 77 intents, count not given) NMI >= 0.82, ARI >= 0.55 with
50-120 themes; 10 intents x 8 texts (5 draws) NMI >= 0.80; at most 10% unthemed; 10,000 vectors clustered in
<= 10 s, 100,000 in <= 120 s with peak memory <= 4 GB. Unthemed points count as one extra cluster in NMI/ARI.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from themes_labels import label_line, label_scores, worst  # noqa: E402

from api.themes.engine import cluster, describe, embed, embedder_name  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = Path(tempfile.gettempdir()) / "undercover_themes_bench"


def read_csv(path: Path, text_col: str, label_col: str) -> tuple[list[str], np.ndarray]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r[text_col] for r in rows], np.array([r[label_col] for r in rows])


def cached_embed(name: str, texts: list[str], embedder: str) -> np.ndarray:
    """Embed once per data set, embedder and text content; print the embedding rate when it is measured."""
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{name}-{embedder}-{key}.npy"
    if path.exists():
        print(f"  {name}: {len(texts)} vectors from cache ({embedder})")
        return np.load(path)
    start = time.perf_counter()
    vectors, used = embed(texts, embedder=embedder)
    took = time.perf_counter() - start
    print(
        f"  {name}: embedded {len(texts)} texts with {used} in {took:.1f} s = {len(texts) / took:.0f} texts/s"
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def scores(gold: np.ndarray, labels: np.ndarray) -> str:
    nmi = normalized_mutual_info_score(gold, labels)
    ari = adjusted_rand_score(gold, labels)
    themes = len(set(labels.tolist()) - {-1})
    return f"NMI {nmi:.3f}  ARI {ari:.3f}  themes {themes}  unthemed {100 * np.mean(labels < 0):.1f}%"


def timed_cluster(vectors: np.ndarray, embedder: str) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    labels = cluster(vectors, embedder=embedder)
    return labels, time.perf_counter() - start


def run_banking(embedder: str, labels_only: bool = False) -> None:
    texts, gold = read_csv(DATA / "banking77_train" / "train.csv", "text", "category")
    vectors = cached_embed("banking77", texts, embedder)
    labels, took = timed_cluster(vectors, embedder)
    print(f"banking77 full ({len(texts)} texts, 77 intents): {scores(gold, labels)}  cluster {took:.1f} s")
    start = time.perf_counter()
    themes = describe(texts, labels, vectors, embedder=embedder)
    print(f"  describe {time.perf_counter() - start:.2f} s; largest themes:")
    for t in sorted(themes)[:8]:
        d = themes[t]
        print(f"    {d.size:4d}  {d.label!r:32}  {', '.join(d.keywords)}")
    named = {t: d.label for t, d in themes.items()}
    print(f"  labels vs intent names: {label_line(label_scores(named, labels.tolist(), gold.tolist()))}")
    if labels_only:
        print("  lowest on the dev half:")
        for cos, label, intent in worst(named, labels.tolist(), gold.tolist()):
            print(f"    {cos:.2f}  {label!r:34} {intent}")
        return

    intents = np.unique(gold)
    draws = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        chosen = rng.choice(intents, 10, replace=False)
        idx = np.concatenate([rng.choice(np.flatnonzero(gold == c), 8, replace=False) for c in chosen])
        small = cluster(vectors[idx], embedder=embedder)
        draws.append(
            (
                normalized_mutual_info_score(gold[idx], small),
                adjusted_rand_score(gold[idx], small),
                len(set(small.tolist()) - {-1}),
                np.mean(small < 0),
            )
        )
    nmi, ari, k, unthemed = np.mean(draws, axis=0)
    print(
        f"banking77 small (10 intents x 8 texts, 5 draws): NMI {nmi:.3f}  ARI {ari:.3f}  themes {k:.1f}  "
        f"unthemed {100 * unthemed:.1f}%  (NMI per draw {', '.join(f'{d[0]:.2f}' for d in draws)})"
    )


def run_airline(embedder: str) -> None:
    path = DATA / "airline_complaints" / "airline_negative_tweets.csv"
    texts, gold = read_csv(path, "text_restored", "negativereason")
    vectors = cached_embed("airline", texts, embedder)
    labels, took = timed_cluster(vectors, embedder)
    print(
        f"airline complaints ({len(texts)} tweets, 10 reasons): {scores(gold, labels)}  cluster {took:.1f} s"
    )
    known = gold != "Can't Tell"
    print(f"  without 'Can't Tell' ({known.sum()} tweets, 9 reasons): {scores(gold[known], labels[known])}")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM restarts at exec; ru_maxrss keeps the parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_scale(n: int) -> None:
    """Cluster `n` synthetic vectors (Banking77 MiniLM vectors tiled with noise) in this fresh process."""
    base = sorted(CACHE.glob("banking77-minilm-*.npy"))
    if not base:
        print("scale: run the full bench once first (it caches the Banking77 vectors)")
        return
    vectors = np.load(base[0])
    rng = np.random.default_rng(0)
    reps = -(-n // len(vectors))
    tiled = np.tile(vectors, (reps, 1))[:n]
    tiled += rng.normal(scale=0.01, size=tiled.shape).astype(np.float32)
    tiled /= np.linalg.norm(tiled, axis=1, keepdims=True)
    before = peak_rss_mb()
    labels, took = timed_cluster(tiled, "minilm")
    peak = peak_rss_mb()
    print(
        f"scale {n} vectors: cluster {took:.1f} s, {len(set(labels.tolist()) - {-1})} themes, "
        f"unthemed {100 * np.mean(labels < 0):.1f}%, peak RSS {peak:.0f} MB (vectors alone {before:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, help="only the synthetic volume run, with this many vectors")
    parser.add_argument("--tfidf", action="store_true", help="also measure the TF-IDF fallback on Banking77")
    parser.add_argument("--labels", action="store_true", help="only Banking77's themes and labels (quick)")
    args = parser.parse_args()
    if args.scale:
        run_scale(args.scale)
        return
    if not DATA.is_dir():
        print(f"skipped: the shared data folder {DATA.name!r} is not beside the repository")
        return
    name = embedder_name()
    print(f"embedder: {name}")
    if args.labels:
        run_banking(name, labels_only=True)
        if args.tfidf and name != "tfidf":
            print("embedder: tfidf (fallback)")
            run_banking("tfidf", labels_only=True)
        return
    run_banking(name)
    run_airline(name)
    if args.tfidf and name != "tfidf":
        print("embedder: tfidf (fallback)")
        run_banking("tfidf")
    for n in (10_000, 100_000):
        # A fresh process per volume, so peak memory is the clustering's and not the model's.
        subprocess.run([sys.executable, __file__, "--scale", str(n)], check=True)  # noqa: S603


if __name__ == "__main__":
    main()
