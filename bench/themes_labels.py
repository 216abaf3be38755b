"""How well theme labels name what their members share: shared by bench/themes.py and bench/themes_engine.py.

For each theme, the reference is the name of the intent most of its members carry ("card_arrival" reads
"card arrival"); the score is the MiniLM cosine between the theme's label and that name. Reported: the mean
and the share of themes at 0.5 or more.

The intents are split in two halves once, by their sorted order: labelling is developed on the themes whose
majority intent is in the "dev" half and reported on the "held-out" half, so the figure that counts was never
looked at while the labeller was tuned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

THRESHOLD = 0.5


def intent_name(category: str) -> str:
    return category.replace("_", " ").replace("?", "").strip().lower()


def split_of(category: str, categories: Sequence[str]) -> str:
    """"dev" for intents at even positions of the sorted intent names, "held-out" for the odd ones."""
    order = sorted({intent_name(c) for c in categories})
    return "dev" if order.index(intent_name(category)) % 2 == 0 else "held-out"


def majority_intents(themes: Sequence, gold: Sequence[str]) -> dict:
    """{theme: most common gold category among its members} for every theme that is not unthemed."""
    members: dict = {}
    for theme, category in zip(themes, gold, strict=True):
        if theme not in (None, "", "unthemed", -1):
            members.setdefault(theme, Counter())[category] += 1
    return {t: c.most_common(1)[0][0] for t, c in members.items()}


def label_scores(labels: Mapping, themes: Sequence, gold: Sequence[str]) -> dict[str, tuple[float, float, int]]:
    """{"all" | "dev" | "held-out": (mean cosine, share >= 0.5, themes)} for `labels` = {theme: label}."""
    from api.themes.engine import embed

    majority = majority_intents(themes, gold)
    keys = sorted(majority, key=str)
    names = [intent_name(majority[t]) for t in keys]
    vectors, _ = embed([str(labels[t]) for t in keys] + names, embedder="minilm")
    cos = np.sum(vectors[: len(keys)] * vectors[len(keys) :], axis=1)
    splits = np.array([split_of(majority[t], gold) for t in keys])
    out = {}
    for name, mask in (("all", np.ones(len(keys), bool)), ("dev", splits == "dev"),
                       ("held-out", splits == "held-out")):
        picked = cos[mask]
        out[name] = (float(picked.mean()) if picked.size else 0.0,
                     float(np.mean(picked >= THRESHOLD)) if picked.size else 0.0, int(picked.size))
    return out


def label_line(scores: Mapping[str, tuple[float, float, int]]) -> str:
    return "  ".join(f"{name}: mean {m:.3f}, >= 0.5 {s:.0%} ({n} themes)" for name, (m, s, n) in scores.items())


def worst(labels: Mapping, themes: Sequence, gold: Sequence[str], split: str = "dev", n: int = 15) -> list:
    """(cosine, label, intent name) of the `n` lowest-scoring themes of `split`: for developing the labeller."""
    from api.themes.engine import embed

    majority = majority_intents(themes, gold)
    keys = [t for t in sorted(majority, key=str) if split_of(majority[t], gold) == split]
    names = [intent_name(majority[t]) for t in keys]
    vectors, _ = embed([str(labels[t]) for t in keys] + names, embedder="minilm")
    cos = np.sum(vectors[: len(keys)] * vectors[len(keys) :], axis=1)
    return sorted(zip(cos.tolist(), [labels[t] for t in keys], names, strict=True))[:n]
