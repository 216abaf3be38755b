"""Describe each theme in words a manager understands: a short phrase, keywords, representative members.

The label is a 2-5 word phrase taken from the theme's own texts as written (less an object pronoun before a
particle or a possessive: "app logged me out" gives "app logged out"), never across punctuation or a
connective like "but", never cutting a phrasal verb or a noun from its article ("cash to top" of "cash to top
up"), and never holding a name, number, unit, time word or part of an e-mail address (see `words`).
How it is chosen (the KeyBERT / BERTopic "KeyBERTInspired" idea, with maximal marginal relevance):

1. Candidates: phrases that appear in at least two of the theme's texts (or are made of content words that
   do), ranked by their content words' class-based TF-IDF in the theme (share of the theme's texts that use
   the word x log(1 + themes / themes using it)) times the square root of the share of texts holding the
   whole phrase. Phrases made only of generic words ("customer service") or padded with stopwords rank
   lower. The best few go on: up to `CANDIDATES` per theme, about `PHRASE_BUDGET` in all, at least
   `MIN_CANDIDATES` each.
2. Closeness: each candidate is compared with the theme's centroid in the theme's own vector space: with
   MiniLM all candidates are embedded in one batch, with TF-IDF a phrase is the TF-IDF vector of its words
   and the theme its class-based TF-IDF vector. A phrase closer to another theme's centroid than to its own
   says little about this theme and loses some of its score.
3. Choice: larger themes choose first (they are the ones a manager reads first), each taking the candidate
   with the best closeness, less a penalty for resembling a label already chosen, so labels are distinct as
   well as unique. With no candidate, the best phrase of the most central texts is used.

An acronym keeps its capitals ("POS", "C&C"). `carry_label` keeps a theme's previous label over a rebuild
while it still fits the theme about as well as the new one, and always keeps a manager's rename.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .words import (
    END_PARTICLES,
    GENERIC,
    STOPWORDS,
    Surface,
    clauses,
    is_content,
    is_nounish,
    never_in_label,
    phrase_ok,
    strip_contacts,
)

MAX_KEYWORDS = 6
REPRESENTATIVES = 3
TEXTS_PER_THEME = 300  # label at most this many members (the most central) so 100,000 points stay cheap
MIN_WORDS, MAX_WORDS = 2, 5  # phrase lengths tried for a label
CANDIDATES = 15  # at most this many phrases per theme are compared with its centroid...
PHRASE_BUDGET = 500  # ...and at most about this many in all (5 each for 100 themes; one batch of short phrases)
MIN_CANDIDATES = 4
FUNCTION_WORD = 0.03  # cost of each function word inside a label ("card declined at the till")
OTHER_THEME = 0.5  # weight of how much closer a phrase is to another theme's centroid than to its own
LEXICAL = 0.1  # weight of the phrase's word-based rank (1 for the theme's best phrase)
SIMILAR_LABEL = 0.3  # weight of the closeness to a label already chosen, above `SIMILAR_FROM`
SIMILAR_FROM = 0.6
KEEP_MARGIN = 0.05  # a previous label is kept while its score is within this of the best one's
_OBJECTS = frozenset({"me", "him", "her", "them", "us", "you", "it"})
_POSSESSIVES = frozenset({"my", "your", "our", "their", "his", "her", "its"})

__all__ = ["STOPWORDS", "ThemeDescription", "carry_label", "describe"]


@dataclass
class ThemeDescription:
    """What a theme is about: `label` (2-5 words), `keywords`, `representatives` (indices into the input,
    most central first), `centroid` (unit vector), `size` (members) and `candidates` (phrase → score, the
    label's among them: what `carry_label` weighs a previous label against)."""

    label: str
    keywords: list[str]
    representatives: list[int]
    centroid: np.ndarray = field(repr=False)
    size: int
    candidates: dict[str, float] = field(default_factory=dict, repr=False)


def describe(
    texts: list[str],
    labels: np.ndarray,
    vectors: np.ndarray,
    groups: list[str] | None = None,
    *,
    embedder: str | None = None,
    names: Iterable[str] = (),
    units: Iterable[str] = (),
) -> dict[int, ThemeDescription]:
    """A description for every theme label >= 0 in `labels`.

    `groups[i]` (e.g. the visit id of point i) makes the representatives come from different groups where the
    theme allows it. `embedder` is the one that made `vectors`: with "minilm" candidate phrases are embedded
    and compared with the centroids; otherwise (TF-IDF, or vectors from elsewhere) phrases are compared in
    TF-IDF word space. `names` (the organisation's people) never appear in a label, nor do the words of `units`
    (its sites and departments) unless the texts use them as common words ("returns desk", "store").
    """
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
    used_texts = {t: [strip_contacts(texts[i]) for i in central[t][:TEXTS_PER_THEME]] for t in themes}
    surface = Surface(names, units)
    stats = {t: _theme_counts(used_texts[t], surface) for t in themes}
    word_scores = _word_scores({t: s[0] for t, s in stats.items()}, {t: len(used_texts[t]) for t in themes})
    keywords = {
        t: [w for w, _ in sorted(word_scores[t].items(), key=lambda kv: (-kv[1], kv[0]))
            if not surface.is_name(w)][:MAX_KEYWORDS]
        for t in themes
    }
    per_theme = max(MIN_CANDIDATES, min(CANDIDATES, PHRASE_BUDGET // max(len(themes), 1)))
    pools = {
        t: _candidates(stats[t][1], word_scores[t], len(used_texts[t]), surface, stats[t][0], used_texts[t],
                       per_theme)
        for t in themes
    }
    closeness = _Closeness(pools, centroids, word_scores, embedder, vectors.shape[1] if vectors.ndim == 2 else 0)
    out: dict[int, ThemeDescription] = {}
    used: set[str] = set()
    chosen: list[str] = []
    for t in sorted(themes, key=lambda t: (-len(central[t]), t)):
        scored = {gram: closeness.score(t, gram, lexical) - closeness.resemblance(gram, chosen)
                  for gram, lexical in pools[t].items() if gram not in used}
        if scored:
            label = min(scored, key=lambda g: (-scored[g], g))
        else:
            label = _fallback_label(keywords[t], used)
        used.add(label)
        chosen.append(label)
        out[t] = ThemeDescription(
            label=surface.render(label),
            keywords=keywords[t],
            representatives=_representatives(central[t], groups),
            centroid=centroids[t],
            size=len(central[t]),
            candidates={surface.render(g): round(float(s), 4) for g, s in scored.items()},
        )
    return out


def carry_label(previous: str | None, description: ThemeDescription, *, renamed: bool = False) -> str:
    """The label a theme shows after a rebuild: a manager's rename always; else its previous label while that
    is still one of the theme's candidate phrases, scoring within `KEEP_MARGIN` of the new label (so labels
    do not flicker between rebuilds of much the same theme); else the new label."""
    if previous and renamed:
        return previous
    if previous:
        scores = {phrase.lower(): s for phrase, s in description.candidates.items()}
        best = scores.get(description.label.lower())
        kept = scores.get(previous.lower())
        if kept is not None and best is not None and kept >= best - KEEP_MARGIN:
            return previous
    return description.label


class _Closeness:
    """How close each candidate phrase is to its theme, and to the labels chosen so far."""

    def __init__(self, pools, centroids, word_scores, embedder, dims) -> None:
        phrases = sorted({g for pool in pools.values() for g in pool})
        self.index = {g: i for i, g in enumerate(phrases)}
        themes = sorted(pools)
        if embedder == "minilm" and dims == 384 and phrases:
            from .embedders import embed_minilm

            self.vectors = embed_minilm(phrases, batch_size=256)
            self.centroids = np.stack([centroids[t] for t in themes]).astype(np.float32)
        else:
            self.vectors, self.centroids = _tfidf_space(phrases, themes, word_scores)
        # Closeness of every phrase to every theme; the phrase's own theme is looked up per call.
        self.sims = self.vectors @ self.centroids.T if phrases else np.zeros((0, len(themes)), np.float32)
        self.column = {t: j for j, t in enumerate(themes)}
        self.best_lexical = {t: max(pool.values(), default=1.0) or 1.0 for t, pool in pools.items()}

    def score(self, theme: int, gram: str, lexical: float) -> float:
        row = self.sims[self.index[gram]]
        own = float(row[self.column[theme]])
        other = float(np.max(np.delete(row, self.column[theme]))) if row.size > 1 else -1.0
        padding = FUNCTION_WORD * sum(1 for w in gram.split(" ") if w in STOPWORDS)
        return own - OTHER_THEME * max(0.0, other - own) + LEXICAL * lexical / self.best_lexical[theme] - padding

    def resemblance(self, gram: str, chosen: list[str]) -> float:
        picked = [self.index[g] for g in chosen if g in self.index]
        if not picked:
            return 0.0
        top = float(np.max(self.vectors[picked] @ self.vectors[self.index[gram]]))
        return SIMILAR_LABEL * max(0.0, top - SIMILAR_FROM)


def _tfidf_space(phrases: list[str], themes: list[int], word_scores) -> tuple[np.ndarray, np.ndarray]:
    """Phrases as unit vectors of their content words' weights, themes as their class-based TF-IDF vectors
    (cut to the phrases' words but scaled by their full length, so a dot product is a true cosine)."""
    vocab = sorted({w for g in phrases for w in g.split(" ") if is_content(w)})
    col = {w: j for j, w in enumerate(vocab)}
    spread: Counter = Counter(w for t in themes for w in word_scores[t])
    idf = {w: math.log(1.0 + len(themes) / max(spread[w], 1)) for w in vocab}
    pv = np.zeros((len(phrases), max(len(vocab), 1)), dtype=np.float32)
    for i, g in enumerate(phrases):
        for w in set(g.split(" ")):
            if w in col:
                pv[i, col[w]] = idf[w]
    pv /= np.maximum(np.linalg.norm(pv, axis=1, keepdims=True), 1e-12)
    tv = np.zeros((len(themes), pv.shape[1]), dtype=np.float32)
    for k, t in enumerate(themes):
        ws = word_scores[t]
        norm = math.sqrt(sum(v * v for v in ws.values())) or 1.0
        for w in vocab:
            if w in ws:
                tv[k, col[w]] = ws[w] / norm
    return pv, tv


def _theme_counts(texts: list[str], surface: Surface) -> tuple[Counter, Counter]:
    """(texts holding each word, texts holding each 2-5 word phrase taken within one clause)."""
    words: Counter = Counter()
    grams: Counter = Counter()
    for text in texts:
        seen_words: set[str] = set()
        seen_grams: set[str] = set()
        for clause in clauses(text):
            surface.see(clause)
            low = [w.lower() for w in clause]
            seen_words.update(low)
            low = _without_pronouns(low)
            for i, first in enumerate(low):
                # Only phrases a label could be: none starts on a stopword or holds a banned word.
                if first in STOPWORDS or never_in_label(first):
                    continue
                for j in range(i + 1, min(i + MAX_WORDS, len(low))):
                    if never_in_label(low[j]):
                        break
                    if j + 1 - i >= MIN_WORDS and not _cuts_a_unit(low, i, j):
                        seen_grams.add(" ".join(low[i : j + 1]))
        words.update(seen_words)
        grams.update(seen_grams)
    return words, grams


def _without_pronouns(words: list[str]) -> list[str]:
    """The words as a headline has them: "app logged me out" → "app logged out", "waiting for my refund" →
    "waiting for refund" (an object pronoun before a particle, a possessive before a content word)."""
    out = []
    for k, w in enumerate(words):
        following = words[k + 1] if k + 1 < len(words) else ""
        if w in _OBJECTS and following in END_PARTICLES or w in _POSSESSIVES and is_content(following):
            continue
        out.append(w)
    return out


def _cuts_a_unit(words: list[str], i: int, j: int) -> bool:
    """Whether words[i..j] stops inside a unit the next word completes: a phrasal verb ("cash to top" of
    "cash to top up") or a noun announced by a function word ("froze during a card" of "... card payment")."""
    if j + 1 >= len(words):
        return False
    following = words[j + 1]
    return following in END_PARTICLES or (j > i and words[j - 1] in STOPWORDS and is_nounish(following))


def _word_scores(words: dict[int, Counter], sizes: dict[int, int]) -> dict[int, dict[str, float]]:
    """Class-based TF-IDF of each content word in each theme: share of its texts x log(1 + themes /
    spread)."""
    spread: Counter = Counter()
    for c in words.values():
        spread.update(c.keys())
    n_themes = len(words)
    out = {}
    for t, c in words.items():
        n = max(sizes[t], 1)
        out[t] = {w: (v / n) * math.log(1.0 + n_themes / spread[w]) for w, v in c.items() if is_content(w)}
    return out


def _lexical_score(words: list[str], ws: dict[str, float], share: float) -> float:
    content = [w for w in dict.fromkeys(words) if w in ws]
    score = sum(ws[w] for w in content) * math.sqrt(share)
    if all(w in GENERIC for w in content):
        score *= 0.35
    # A stopword inside costs a little: "refund to card" reads worse than "card refund" at equal weight.
    return score * 0.85 ** sum(1 for w in words if w not in ws)


def _candidates(
    grams: Counter, ws: dict[str, float], n_texts: int, surface: Surface, words: Counter, texts: list[str],
    keep: int,
) -> dict[str, float]:
    """{phrase: word-based score} for the theme's best `keep` phrases: shared by two of its texts, or
    held by one text but made only of words that two or more of its texts use; failing both, the phrases of
    its most central texts."""
    recurring = {w for w, c in words.items() if c >= 2} if n_texts >= 2 else set(words)
    names = {w for w in words if surface.is_name(w)}
    scored: dict[str, float] = {}
    for gram, count in grams.items():
        phrase = gram.split(" ")
        if count < 2 and n_texts >= 2 and not all(w in recurring for w in phrase if w in ws):
            continue
        if names.intersection(phrase) or not phrase_ok(phrase):
            continue
        score = _lexical_score(phrase, ws, count / n_texts)
        if score > 0:
            scored[gram] = score
    if not scored:
        for text in texts[:REPRESENTATIVES]:
            for clause in clauses(text):
                low = [w.lower() for w in clause]
                for n in range(MIN_WORDS, MAX_WORDS + 1):
                    for i in range(len(low) - n + 1):
                        phrase = low[i : i + n]
                        if names.intersection(phrase) or not phrase_ok(phrase):
                            continue
                        gram = " ".join(phrase)
                        scored[gram] = max(_lexical_score(phrase, ws, grams[gram] / max(n_texts, 1)), 1e-6)
            if scored:
                break
    best = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:keep]
    return dict(best)


def _fallback_label(keywords: list[str], used: set[str]) -> str:
    """Only when no text holds a readable phrase: the strongest keyword(s), made unique."""
    label = f"{keywords[0]} issues" if keywords else "other pain points"
    number = 2
    base = label
    while label in used:
        label = f"{base} ({number})"
        number += 1
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
