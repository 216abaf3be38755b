"""Describe each theme in words a manager understands: a short phrase, keywords, representative members.

The phrase is the theme's most distinctive 2-3 word sequence by class-based TF-IDF (each theme's texts
taken as one document, weighted against all themes), found in at least two of its texts when the theme has
two or more, never starting or ending with a stopword, and never the same as another theme's phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

MAX_KEYWORDS = 6
REPRESENTATIVES = 3
TEXTS_PER_THEME = 300  # label at most this many members (the most central) so 100,000 points stay cheap
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:'[a-z]+)?")
# Words that carry no meaning at the edge of a phrase, beyond the standard English list.
_EDGE_STOPWORDS = frozenset(ENGLISH_STOP_WORDS) | {
    "i'm",
    "i've",
    "i'd",
    "i'll",
    "im",
    "it's",
    "there's",
    "what's",
    "you're",
    "let",
    "please",
    "just",
    "really",
    "does",
    "did",
    "don't",
    "doesn't",
    "didn't",
    "can't",
    "won't",
    "isn't",
    "aren't",
    "wasn't",
    "hasn't",
    "haven't",
}


@dataclass
class ThemeDescription:
    """What a theme is about: `label` (2-6 words), `keywords`, `representatives` (indices into the input,
    most central first), `centroid` (unit vector) and `size` (members)."""

    label: str
    keywords: list[str]
    representatives: list[int]
    centroid: np.ndarray = field(repr=False)
    size: int


def tokens(text: str) -> list[str]:
    return _TOKEN.findall((text or "").lower())


def describe(
    texts: list[str],
    labels: np.ndarray,
    vectors: np.ndarray,
    groups: list[str] | None = None,
) -> dict[int, ThemeDescription]:
    """A description for every theme label >= 0 in `labels`. `groups[i]` (e.g. the visit id of point i) makes
    the representatives come from different groups where the theme allows it."""
    labels = np.asarray(labels)
    vectors = np.asarray(vectors, dtype=np.float32)
    themes = [int(t) for t in np.unique(labels[labels >= 0])]
    centroids, central = {}, {}
    for t in themes:
        members = np.flatnonzero(labels == t)
        c = vectors[members].mean(axis=0)
        c = c / max(float(np.linalg.norm(c)), 1e-12)
        centroids[t] = c
        central[t] = members[np.argsort(-(vectors[members] @ c), kind="stable")]
    counts = {t: _ngram_counts([texts[i] for i in central[t][:TEXTS_PER_THEME]]) for t in themes}
    scores = _class_tfidf(counts)
    out: dict[int, ThemeDescription] = {}
    used: set[str] = set()
    # Larger themes choose their phrase first: they are the ones a manager reads first.
    for t in sorted(themes, key=lambda t: (-len(central[t]), t)):
        keywords = [g for g, _ in scores[t] if " " not in g][:MAX_KEYWORDS]
        label = _pick_label(scores[t], counts[t], min(len(central[t]), TEXTS_PER_THEME), keywords, used)
        used.add(label)
        out[t] = ThemeDescription(
            label=label,
            keywords=keywords,
            representatives=_representatives(central[t], groups),
            centroid=centroids[t],
            size=len(central[t]),
        )
    return out


def _ngram_counts(texts: list[str]) -> Counter:
    """How many of `texts` contain each word and each 2- or 3-word sequence (counted once per text)."""
    counts: Counter = Counter()
    for text in texts:
        words = tokens(text)
        grams = set(words)
        for n in (2, 3):
            grams.update(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        counts.update(grams)
    return counts


def _class_tfidf(counts: dict[int, Counter]) -> dict[int, list[tuple[str, float]]]:
    """Per theme, its n-grams by c-TF-IDF (share of the theme's texts x log(1 + themes / themes using it))."""
    spread: Counter = Counter()
    for c in counts.values():
        spread.update(c.keys())
    n_themes = len(counts)
    ranked = {}
    for t, c in counts.items():
        total = max(sum(v for g, v in c.items() if " " not in g), 1)
        scored = [(g, (v / total) * np.log(1.0 + n_themes / spread[g])) for g, v in c.items() if _edges_ok(g)]
        ranked[t] = sorted(scored, key=lambda gs: (-gs[1], gs[0]))
    return ranked


def _edges_ok(gram: str) -> bool:
    words = gram.split(" ")
    return words[0] not in _EDGE_STOPWORDS and words[-1] not in _EDGE_STOPWORDS and len(words[0]) > 1


def _pick_label(
    ranked: list[tuple[str, float]], counts: Counter, n_texts: int, keywords: list[str], used: set[str]
) -> str:
    min_support = 2 if n_texts >= 2 else 1
    for gram, _ in ranked:
        if " " in gram and counts[gram] >= min_support and gram not in used:
            return gram
    # No shared phrase: fall back on the two strongest keywords, then make it unique.
    words = keywords[:2] or ["unnamed", "theme"]
    label = " ".join(words) if len(words) == 2 else f"{words[0]} issues"
    extra = iter(keywords[2:])
    while label in used:
        nxt = next(extra, None)
        if nxt is None or len(label.split()) >= 6:
            label = f"{label.split(' (')[0]} ({sum(u.startswith(label) for u in used) + 1})"
            break
        label = f"{label} {nxt}"
    return label


def _representatives(ordered_members: np.ndarray, groups: list[str] | None) -> list[int]:
    """The most central members, taking at most one per group until every group has had its turn."""
    if groups is None:
        return [int(i) for i in ordered_members[:REPRESENTATIVES]]
    chosen: list[int] = []
    seen: set[str] = set()
    for i in ordered_members:
        if groups[i] not in seen:
            chosen.append(int(i))
            seen.add(groups[i])
            if len(chosen) == REPRESENTATIVES:
                return chosen
    for i in ordered_members:
        if int(i) not in chosen:
            chosen.append(int(i))
            if len(chosen) == REPRESENTATIVES:
                break
    return chosen
