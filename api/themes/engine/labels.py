"""Describe each theme in words a manager understands: a short phrase, keywords, representative members.

The label is a 2-4 word phrase taken as it stands from the theme's own texts, never across punctuation or a
connective like "but" (so no fragment glued from the end of one clause and the start of the next). A candidate
must:

- appear in at least two of the theme's texts, or be made of content words that do (when it has two or
  more);
- hold a noun-like content word: not a stopword, pronoun, number, unit or time word ("min", "days", "pm",
  "twice"), reporting verb ("said", "asks") or one of a small list of common verbs and adjectives;
- start on no stopword and end on a noun, a participle ("return refused"), a state ("points missing") or a
  particle after a content word ("logged out");
- hold no digit, pronoun, unit or time word anywhere.

Candidates rank by the sum of their content words' class-based TF-IDF in the theme (share of the theme's texts
that use the word x log(1 + themes / themes using it)) times the square root of the share of texts holding the
whole phrase: a phrase wins by being both typical of the theme and common inside it. Phrases made only of
generic words ("contact centre", "customer service"), holding a name (a word only ever capitalised inside a
sentence, like "Dave") or padded with stopwords rank lower. With no such phrase, the best phrase of the most
central texts is used. Larger themes choose first and a phrase already taken is skipped, so labels are unique.
An acronym keeps its capitals ("POS", "C&C").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

MAX_KEYWORDS = 6
REPRESENTATIVES = 3
TEXTS_PER_THEME = 300  # label at most this many members (the most central) so 100,000 points stay cheap
MIN_WORDS, MAX_WORDS = 2, 4  # phrase lengths tried for a label (the public contract allows 2-6)

_WORD = re.compile(r"[A-Za-z0-9]+(?:[&'’-][A-Za-z0-9]+)*")
# Punctuation that ends a clause: a label never spans it. A quote mark only counts when it is not an
# apostrophe.
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”/=+|<>@#*~…–—]+|\s[-']|['-](?:\s|$)|^'|\s&\s")

# English function words: they name no subject, so a label never starts or ends with one.
_FUNCTION_WORDS = {
    # articles, determiners and quantifiers
    "a", "an", "the", "this", "that", "these", "those", "some", "any", "no", "none", "all", "both", "each",
    "every", "either", "neither", "few", "more", "most", "much", "less", "least", "enough", "such", "same",
    "other", "others", "another", "whole", "own",
    # pronouns
    "i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself", "yourselves", "he", "him", "his",
    "himself", "she", "her", "hers", "herself", "it", "its", "itself", "we", "us", "our", "ours",
    "ourselves", "they", "them", "their", "themselves", "who", "whom", "whose", "which", "what", "whatever",
    "whoever", "someone", "something", "somebody", "anyone", "anything", "anybody", "everyone", "everything",
    "everybody", "nobody", "noone", "nothing",
    # prepositions and particles
    "about", "above", "across", "after", "against", "along", "among", "amongst", "around", "as", "at",
    "before", "behind", "below", "beside", "besides", "between", "beyond", "by", "down", "during", "except",
    "for", "from", "in", "into", "of", "off", "on", "onto", "out", "over", "through", "throughout", "thru",
    "to", "toward", "towards", "under", "until", "up", "upon", "with", "within", "without",
    # conjunctions
    "and", "but", "or", "nor", "so", "yet", "if", "because", "although", "though", "while", "whereas",
    "whether", "since", "unless", "than", "when", "whenever", "where", "wherever", "why", "how", "however",
    # auxiliaries and modals
    "am", "is", "are", "was", "were", "be", "been", "being", "do", "done", "had", "has", "have", "may",
    "might", "must", "shall", "should", "could", "would", "cannot", "cant", "couldnt", "hasnt", "ought",
    "become", "became", "becomes", "becoming", "seem", "seems", "seemed", "seeming",
    # linking and degree adverbs
    "again", "almost", "alone", "already", "also", "always", "anyhow", "anyway", "anywhere", "afterwards",
    "back", "else", "elsewhere", "even", "ever", "everywhere", "further", "hence", "here", "indeed",
    "meanwhile", "moreover", "mostly", "namely", "never", "nevertheless", "next", "nowhere", "now", "often",
    "once", "only", "otherwise", "perhaps", "rather", "somehow", "sometime", "sometimes", "somewhere",
    "still", "then", "there", "therefore", "thus", "together", "too", "very", "well", "due",
    "former", "formerly", "latter", "not", "many", "last",
    # light verbs that say nothing on their own
    "go", "give", "keep", "made", "put", "see", "show", "take", "find", "found", "move", "fill",
}  # fmt: skip
STOPWORDS = frozenset(_FUNCTION_WORDS) | {
    "i'm", "i've", "i'd", "i'll", "im", "ive", "it's", "there's", "what's", "you're", "that's", "let",
    "please", "just", "really", "does", "did", "don't", "doesn't", "didn't", "can't", "won't", "isn't",
    "aren't", "wasn't", "hasn't", "haven't", "couldn't", "wouldn't", "shouldn't", "can", "will", "got", "get",
    "gets", "getting", "lot", "lots", "bit", "ok", "okay", "yes", "oh", "hi", "thanks", "thank", "pls", "u",
    "ur", "amp", "dm", "via", "like", "say", "know", "want", "need", "needs", "let's", "we're", "they're",
    "doing", "going", "gonna", "wanna", "having", "vs", "etc", "per", "re", "eg", "ie",
}  # fmt: skip
# Words that make a phrase unreadable anywhere in it: pronouns, numbers, units and time words.
_PRONOUNS = {
    "i", "me", "my", "mine", "myself", "you", "your", "yours", "we", "us", "our", "ours", "he", "him", "his",
    "she", "her", "hers", "they", "them", "their", "it", "its", "it's", "i'm", "i've", "i'd", "i'll",
    "you're",
    "we're", "they're", "she's", "he's", "im", "ive", "u", "ur",
}  # fmt: skip
_NUMBER_WORDS = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "hundred", "thousand", "first", "second",
    "third", "fourth", "fifth", "half", "twice", "once", "dozen", "several", "few", "many", "couple",
}  # fmt: skip
_TIME_AND_UNITS = {
    "min", "mins", "minute", "minutes", "hr", "hrs", "hour", "hours", "sec", "secs", "seconds", "day", "days",
    "week", "weeks", "month", "months", "year", "years", "today", "yesterday", "tomorrow", "tonight",
    "morning",
    "afternoon", "evening", "night", "am", "pm", "ago", "later", "earlier", "now", "weekend", "weekends",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed",
    "thu", "thurs", "fri", "sat", "sun", "time", "times", "midday", "lunchtime", "noon", "daily", "weekly",
    "hourly", "k", "kg", "mb", "gb", "p", "x", "percent", "pct", "ish", "approx", "around", "till's",
}  # fmt: skip
# Reporting verbs and filler that name no subject: never in a label.
_REPORTING = {
    "said", "says", "say", "saying", "asks", "asked", "ask", "asking", "told", "tell", "tells", "telling",
    "thinks", "think", "thought", "mentioned", "explained", "apparently", "basically", "literally",
    "actually",
    "anyway", "still", "already", "again", "even", "also", "maybe", "probably", "every", "each", "sure",
    "lol", "omg", "wtf", "hey", "guys", "ppl", "people", "someone", "anyone", "nobody", "everyone", "thing",
    "things", "stuff", "way", "today's", "day's",
}  # fmt: skip
# Common verbs, adjectives and adverbs: fine inside a label, but a label also needs a word outside this list.
_NOT_NOUNS = {
    "long", "short", "slow", "fast", "quick", "late", "early", "wrong", "right", "bad", "good", "poor",
    "great",
    "big", "small", "new", "old", "same", "different", "other", "another", "separate", "missing", "broken",
    "open", "closed", "available", "unavailable", "able", "unable", "possible", "free", "full", "empty",
    "sent", "send", "sends", "took", "take", "takes", "taken", "made", "make", "makes", "went", "goes",
    "gone",
    "came", "come", "comes", "gave", "give", "gives", "given", "put", "keep", "keeps", "kept", "left",
    "leave",
    "find", "found", "see", "seen", "show", "shows", "showed", "showing", "use", "used", "using", "try",
    "tried", "trying", "work", "works", "worked", "working", "happen", "happened", "turned", "stop", "stops",
    "stopped", "start", "started", "wait", "waited", "waiting", "waits", "change", "changed", "changes",
    "move", "moved", "moves", "fix", "fixed", "fixes", "check", "checked", "checks", "look", "looked",
    "looking", "help", "helped", "helpful", "unhelpful", "ever", "never", "always", "only", "much", "more",
    "most", "less", "least", "very", "too", "enough", "whole", "real", "actual", "due", "next", "last",
    "previous", "own", "sorry", "unsure", "clear", "unclear", "hard", "easy", "high", "low", "correct",
    "incorrect", "extra", "general", "certain", "specific", "simple", "instead", "across", "whilst",
    "opens", "needs", "wants", "looks", "seems",
    "happens", "starts", "fails", "loads", "puts", "finds", "tries", "means", "becomes",
}  # fmt: skip
# Words a label may end on although they are no noun: states a headline ends with ("points missing").
_FINAL_STATES = {
    "missing", "broken", "wrong", "slow", "late", "closed", "open", "lost", "stuck", "down", "out", "off",
    "unavailable", "empty", "full", "frozen", "gone", "sent", "taken", "shown", "given",
}  # fmt: skip
# Words that name a department or role: a label made only of these says little when the theme has more.
GENERIC = {
    "customer", "customers", "service", "services", "contact", "centre", "center", "team", "teams", "staff",
    "store", "stores", "shop", "colleague", "colleagues", "agent", "agents", "manager", "managers", "desk",
    "department", "company", "business", "support", "issue", "issues", "problem", "problems", "complaint",
    "complaints", "experience", "help", "question", "questions", "query", "flight", "flights", "airline",
    "bank", "account", "money", "card", "order", "orders", "phone", "app", "website", "online", "email",
    "logistics", "billing", "returns", "deliveries", "finance",
}  # fmt: skip
# Words that join two clauses: a phrase across one reads as a fragment ("card scanned but points").
_CONNECTIVES = {
    "but", "or", "because", "though", "although", "so", "then", "when", "if", "while", "until", "than",
    "whereas", "unless", "since", "which", "who", "where",
}  # fmt: skip
_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "some", "any", "no"}
_END_PARTICLES = {"out", "down", "off", "up", "back", "over"}
_BANNED = _PRONOUNS | _NUMBER_WORDS | _TIME_AND_UNITS | _REPORTING
# Kept for callers and tests that check label edges: every word a label may not start or end with.
_EDGE_STOPWORDS = STOPWORDS | _BANNED


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
    """Lower-case words of `text` (apostrophes inside words kept, curly ones made straight)."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text or "")]


def clauses(text: str) -> list[list[str]]:
    """`text` cut at punctuation into runs of words (original case): phrases are only taken inside one run."""
    out = []
    for part in _CLAUSE.split(text or ""):
        words = [w.replace("’", "'") for w in _WORD.findall(part)]
        if words:
            out.append(words)
    return out


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
    used_texts = {t: [texts[i] for i in central[t][:TEXTS_PER_THEME]] for t in themes}
    surface = _Surface()
    stats = {t: _theme_counts(used_texts[t], surface) for t in themes}
    word_scores = _word_scores({t: s[0] for t, s in stats.items()}, {t: len(used_texts[t]) for t in themes})
    out: dict[int, ThemeDescription] = {}
    used: set[str] = set()
    # Larger themes choose their phrase first: they are the ones a manager reads first.
    for t in sorted(themes, key=lambda t: (-len(central[t]), t)):
        ws = word_scores[t]
        keywords = [
            w for w, _ in sorted(ws.items(), key=lambda kv: (-kv[1], kv[0])) if _keyword_ok(w, surface)
        ]
        keywords = keywords[:MAX_KEYWORDS]
        label = _pick_label(
            stats[t][1], ws, len(used_texts[t]), used, surface, stats[t][0], used_texts[t][:REPRESENTATIVES]
        )
        if label is None:
            label = _fallback_label(keywords, used)
        used.add(label)
        out[t] = ThemeDescription(
            label=surface.render(label),
            keywords=keywords,
            representatives=_representatives(central[t], groups),
            centroid=centroids[t],
            size=len(central[t]),
        )
    return out


class _Surface:
    """How each word is written across the texts: to spot names ("Dave") and acronyms ("POS", "C&C")."""

    def __init__(self) -> None:
        self.forms: dict[str, Counter] = {}

    def see(self, words: list[str]) -> None:
        for pos, w in enumerate(words):
            low = w.lower()
            if pos == 0 and not w.isupper():
                continue  # the first word of a clause is capitalised whatever it is
            kind = "upper" if w.isupper() and len(w) > 1 else "title" if w[:1].isupper() else "lower"
            self.forms.setdefault(low, Counter())[kind] += 1

    def is_name(self, word: str) -> bool:
        forms = self.forms.get(word)
        return bool(forms) and forms["lower"] == 0 and forms["title"] > 0 and forms["upper"] == 0

    def is_acronym(self, word: str) -> bool:
        forms = self.forms.get(word)
        return bool(forms) and forms["upper"] > forms["lower"] + forms["title"] and len(word) <= 5

    def render(self, phrase: str) -> str:
        return " ".join(w.upper() if self.is_acronym(w) else w for w in phrase.split(" "))


def _theme_counts(texts: list[str], surface: _Surface) -> tuple[Counter, Counter]:
    """(texts holding each word, texts holding each 2-4 word phrase taken within one clause)."""
    words: Counter = Counter()
    grams: Counter = Counter()
    for text in texts:
        seen_words: set[str] = set()
        seen_grams: set[str] = set()
        for clause in clauses(text):
            surface.see(clause)
            low = [w.lower() for w in clause]
            seen_words.update(low)
            for n in range(MIN_WORDS, MAX_WORDS + 1):
                for i in range(len(low) - n + 1):
                    seen_grams.add(" ".join(low[i : i + n]))
        words.update(seen_words)
        grams.update(seen_grams)
    return words, grams


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
        out[t] = {w: (v / n) * math.log(1.0 + n_themes / spread[w]) for w, v in c.items() if _is_content(w)}
    return out


# Word tests run hundreds of thousands of times per rebuild over a vocabulary of a few thousand words.
@lru_cache(maxsize=65536)
def _is_content(word: str) -> bool:
    return (
        len(word) > 1
        and word not in STOPWORDS
        and word not in _BANNED
        and not any(ch.isdigit() for ch in word)
    )


@lru_cache(maxsize=65536)
def _is_nounish(word: str) -> bool:
    return _is_content(word) and word not in _NOT_NOUNS and not word.endswith(("ed", "ly"))


def _keyword_ok(word: str, surface: _Surface) -> bool:
    return _is_content(word) and not surface.is_name(word)


@lru_cache(maxsize=65536)
def _never_in_label(word: str) -> bool:
    return word in _BANNED or word in _CONNECTIVES or any(ch.isdigit() for ch in word)


def _phrase_ok(words: list[str]) -> bool:
    if any(_never_in_label(w) for w in words):
        return False
    if words[0] in STOPWORDS or len(words[0]) < 2 and words[0] != "c&c":
        return False
    last = words[-1]
    if last in STOPWORDS and not (last in _END_PARTICLES and _is_content(words[-2])):
        return False
    # A headline ends on a noun, a participle ("refund refused") or a state ("points missing"), not on a verb.
    if not (_is_nounish(last) or last.endswith("ed") or last in _FINAL_STATES or last in _END_PARTICLES):
        return False
    if not _is_nounish(last) and any(w in _DETERMINERS for w in words):
        return False  # "refund on a cancelled": the noun it announces is missing
    return any(_is_nounish(w) for w in words)


def _phrase_score(words: list[str], ws: dict[str, float], share: float, surface: _Surface) -> float:
    content = [w for w in dict.fromkeys(words) if w in ws]
    score = sum(ws[w] for w in content) * math.sqrt(share)
    if all(w in GENERIC for w in content):
        score *= 0.35
    if any(surface.is_name(w) for w in content):
        score *= 0.4
    # A stopword inside costs a little: "refund to card" reads worse than "card refund" at equal weight.
    score *= 0.85 ** sum(1 for w in words if w not in ws)
    return score


def _pick_label(
    grams: Counter,
    ws: dict[str, float],
    n_texts: int,
    used: set[str],
    surface: _Surface,
    words: Counter,
    central_texts: list[str],
) -> str | None:
    """The best phrase shared by two of the theme's texts, or held by one text but made only of words that
    two or more of its texts use ("refund reference" when "refund" and "reference" both recur); failing
    both, the best phrase of the most central texts."""
    recurring = {w for w, c in words.items() if c >= 2} if n_texts >= 2 else set(words)
    best, best_score = None, 0.0
    for gram, count in grams.items():
        if gram in used:
            continue
        phrase = gram.split(" ")
        if count < 2 and n_texts >= 2 and not all(w in recurring for w in phrase if w in ws):
            continue
        if not _phrase_ok(phrase):
            continue
        score = _phrase_score(phrase, ws, count / n_texts, surface)
        if score > best_score or (score == best_score and best is not None and gram < best):
            best, best_score = gram, score
    if best is not None:
        return best
    for text in central_texts:
        for clause in clauses(text):
            low = [w.lower() for w in clause]
            for n in range(MIN_WORDS, MAX_WORDS + 1):
                for i in range(len(low) - n + 1):
                    phrase = low[i : i + n]
                    gram = " ".join(phrase)
                    if gram in used or not _phrase_ok(phrase):
                        continue
                    score = _phrase_score(phrase, ws, grams[gram] / max(n_texts, 1), surface)
                    if score > best_score:
                        best, best_score = gram, score
        if best is not None:
            return best
    return best


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
