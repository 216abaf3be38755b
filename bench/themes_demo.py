"""Themes on the demo organisation's pain points, read like a manager would. Prints figures; never run as a
test.

    .venv/bin/python bench/themes_demo.py            # MiniLM when installed, else TF-IDF
    .venv/bin/python bench/themes_demo.py --tfidf    # force the fallback embedder
    .venv/bin/python bench/themes_demo.py --quiet    # labels and figures, no sample texts

Embeds every pain point of `api/demo/data.py` (description + ". " + quote, as `pain_point_text` does),
clusters,
describes, and prints each theme's label, size, topic mix and two sample texts, then NMI/ARI against the topic
mapping below (unthemed points count as one extra cluster). The engine never sees the mapping.

Targets: 12-22 themes, NMI >= 0.6, the one-offs ("O") mostly unthemed or in small themes; labels of 2-6
words a
manager understands ("long till queues", "refunds slow to arrive", "app logs customers out").
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.demo.data import DEPARTMENTS, SITES, USERS, VISITS  # noqa: E402
from api.themes.engine import cluster, describe, embed, embedder_name, pain_point_text  # noqa: E402

# The demo author's topic for every pain point: one letter per pain point, in order within each visit.
TOPICS = {
    "Q": "till and desk queues",
    "S": "stock shown is wrong",
    "R": "returns policy confusion",
    "F": "refunds slow to arrive",
    "D": "delivery changes not communicated",
    "C": "click & collect parcels not ready or lost",
    "L": "loyalty points missing",
    "A": "app logs customers out, sign-in loops",
    "T": "transferred between teams",
    "U": "understaffing",
    "W": "tills, handhelds and back-office systems failing",
    "P": "price differs between shelf, app and till",
    "O": "one-off (no recurring topic)",
}
MAPPING = {
    "v01": "Q R W U L", "v02": "D T W D", "v03": "S W U O D", "v04": "O A A L L", "v05": "R R O Q F",
    "v06": "C C W S U", "v07": "F T O F", "v08": "S P W O", "v09": "R R W O", "v10": "D T D U",
    "v11": "Q L P W O", "v12": "D D A T", "v13": "R R F W Q", "v14": "F F T W", "v15": "S S W U O",
    "v16": "R O T D F", "v17": "C C R U A", "v18": "S U Q W L", "v19": "D T A U Q", "v20": "P Q O L",
    "v21": "A A A", "v22": "Q W P C U", "v23": "S P O W", "v24": "R R F T S", "v25": "D D W U",
    "v26": "A A A D D", "v27": "C F R T L", "v28": "F R W U O", "v29": "Q P L O D", "v30": "L L A T",
    "v31": "C O C U", "v32": "F T W F", "v33": "S P U A O", "v34": "S W P Q", "v35": "D A D D",
    "v36": "S U O P", "v37": "R C A O", "v38": "F T T U", "v39": "Q W R R", "v40": "Q U L P R",
    "v41": "D S W U O", "v42": "Q L C A T", "v43": "L L A T", "v44": "F T C", "v45": "C C O W Q",
    "v46": "Q P U L", "v47": "D D F O S", "v48": "S L L A", "v49": "F T R W", "v50": "S S U O",
    "v51": "R F C P Q", "v52": "O A T F", "v53": "A A D W", "v54": "Q P U L D", "v55": "C C R Q T",
    "v56": "D F T R", "v57": "Q S W L", "v58": "O L P A", "v59": "D S U", "v60": "C P T S",
}  # fmt: skip


def load() -> tuple[list[str], np.ndarray, list[str]]:
    """(texts as embedded, topic letter per text, visit key per text)."""
    texts, gold, groups = [], [], []
    for visit in VISITS:
        letters = MAPPING[visit["key"]].split()
        assert len(letters) == len(visit["pain_points"]), visit["key"]
        for letter, p in zip(letters, visit["pain_points"], strict=True):
            texts.append(pain_point_text(p["text"], p.get("quote")))
            gold.append(letter)
            groups.append(visit["key"])
    return texts, np.array(gold), groups


def _mix(letters: np.ndarray, top: int = 3) -> str:
    return ", ".join(f"{k}{v}" for k, v in Counter(letters.tolist()).most_common(top))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tfidf", action="store_true", help="use the TF-IDF fallback embedder")
    parser.add_argument("--quiet", action="store_true", help="labels and figures only, no sample texts")
    args = parser.parse_args()
    texts, gold, groups = load()
    vectors, name = embed(texts, embedder="tfidf" if args.tfidf else embedder_name())
    start = time.perf_counter()
    labels = cluster(vectors, embedder=name)
    took = time.perf_counter() - start
    # As a rebuild passes them: the organisation's people, sites and departments stay out of labels.
    start = time.perf_counter()
    themes = describe(texts, labels, vectors, groups=groups, embedder=name, names=[u["name"] for u in USERS],
                      units=[x["name"] for x in SITES + DEPARTMENTS])
    labelled = time.perf_counter() - start
    print(
        f"embedder {name}: {len(texts)} pain points from {len(VISITS)} visits; cluster {1000 * took:.0f} ms, "
        f"describe {1000 * labelled:.0f} ms"
    )
    for t in sorted(themes):
        d = themes[t]
        print(f"{d.size:4d}  {d.label!r:36} [{_mix(gold[labels == t])}]  keywords: {', '.join(d.keywords)}")
        if not args.quiet:
            for i in d.representatives[:2]:
                print(f"          - {texts[i][:110]}")
    unthemed = labels < 0
    print(f"unthemed: {unthemed.sum()} [{_mix(gold[unthemed], top=13)}]")

    sizes = np.bincount(labels[labels >= 0], minlength=1)
    small = unthemed | (sizes[np.maximum(labels, 0)] <= 3)
    oneoff, recurring = gold == "O", gold != "O"
    print(
        f"themes {len(themes)}  NMI {normalized_mutual_info_score(gold, labels):.3f}  "
        f"ARI {adjusted_rand_score(gold, labels):.3f}  unthemed {100 * unthemed.mean():.1f}%  "
        f"(recurring topics only: NMI {normalized_mutual_info_score(gold[recurring], labels[recurring]):.3f},"
        f" ARI {adjusted_rand_score(gold[recurring], labels[recurring]):.3f})"
    )
    print(
        f"one-offs: {oneoff.sum()}, {unthemed[oneoff].sum()} unthemed, {(small & oneoff).sum()} unthemed or "
        f"in a theme of <= 3 points; recurring unthemed: {unthemed[recurring].sum()} of {recurring.sum()}"
    )


if __name__ == "__main__":
    main()
