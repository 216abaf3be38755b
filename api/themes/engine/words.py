"""Words for theme labels: English function words, words never shown in a label, and how a text is cut into
the runs of words a label may be taken from.

A label never holds a pronoun, a number, a unit or time word, a reporting verb or filler ("said", "kind of"),
a name (a word of the organisation's people's names; a word only ever capitalised inside a sentence, like
"Dave"; or a word of its sites' and departments' names that its texts do not write in lower case as a common
word, like "Briggate" but not "returns"), nor any part of an
e-mail address, web address or @handle (those are taken out of the texts before any word is counted).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9]+(?:[&'’-][A-Za-z0-9]+)*")
# Contact details and addresses: removed before words are counted, so "john", "gmail" or "com" never reach a
# label or a keyword. Masked text has them removed already; this covers texts shown unmasked.
_CONTACTS = re.compile(
    r"\S+@\S+|@\w+|\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|co|uk|io|gov|edu|info|biz)\b\S*",
    re.I,
)
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
    "january", "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "apr", "jun", "jul", "aug", "sept", "oct", "nov", "dec", "recently", "lately",
    "currently", "anymore", "soon", "yet",
}  # fmt: skip
# Reporting verbs and filler that name no subject: never in a label.
_REPORTING = {
    "said", "says", "say", "saying", "asks", "asked", "ask", "asking", "told", "tell", "tells", "telling",
    "thinks", "think", "thought", "mentioned", "explained", "apparently", "basically", "literally",
    "actually",
    "anyway", "still", "already", "again", "even", "also", "maybe", "probably", "every", "each", "sure",
    "lol", "omg", "wtf", "hey", "guys", "ppl", "people", "someone", "anyone", "nobody", "everyone", "thing",
    "things", "stuff", "way", "today's", "day's", "kind", "kinds", "sort", "sorts", "bunch", "hello", "dear",
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
END_PARTICLES = frozenset({"out", "down", "off", "up", "back", "over", "away"})
_BANNED = _PRONOUNS | _NUMBER_WORDS | _TIME_AND_UNITS | _REPORTING
# Kept for callers and tests that check label edges: every word a label may not start or end with.
_EDGE_STOPWORDS = STOPWORDS | _BANNED


def strip_contacts(text: str) -> str:
    """`text` without e-mail addresses, web addresses and @handles (each replaced by a clause break)."""
    return _CONTACTS.sub(" | ", text or "")


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


class Surface:
    """How each word is written across the texts: to spot names ("Dave") and acronyms ("POS", "C&C")."""

    def __init__(self, names: Iterable[str] = (), units: Iterable[str] = ()) -> None:
        self.forms: dict[str, Counter] = {}
        # The organisation's own words, function words aside: people's names, and its sites' and departments'.
        self.people = {w for name in names for w in tokens(name) if w not in STOPWORDS and len(w) > 1}
        self.unit_words = {w for name in units for w in tokens(name) if w not in STOPWORDS and len(w) > 1}

    def see(self, words: list[str]) -> None:
        for pos, w in enumerate(words):
            low = w.lower()
            if pos == 0 and not w.isupper():
                continue  # the first word of a clause is capitalised whatever it is
            kind = "upper" if w.isupper() and len(w) > 1 else "title" if w[:1].isupper() else "lower"
            self.forms.setdefault(low, Counter())[kind] += 1

    def is_name(self, word: str) -> bool:
        """A word of a person's name in the organisation; a word only ever capitalised inside a sentence
        ("Dave", "Leeds"); or a word of a site's or department's name that the texts do not mostly write in
        lower case, as a common word ("Briggate", but not "returns" or "store")."""
        if word in self.people:
            return True
        forms = self.forms.get(word)
        if word in self.unit_words:
            return not forms or forms["lower"] <= forms["title"] + forms["upper"]
        return bool(forms) and forms["lower"] == 0 and forms["title"] > 0 and forms["upper"] == 0

    def is_acronym(self, word: str) -> bool:
        forms = self.forms.get(word)
        return bool(forms) and forms["upper"] > forms["lower"] + forms["title"] and len(word) <= 5

    def render(self, phrase: str) -> str:
        return " ".join(w.upper() if self.is_acronym(w) else w for w in phrase.split(" "))


# Word tests run hundreds of thousands of times per rebuild over a vocabulary of a few thousand words.
@lru_cache(maxsize=65536)
def is_content(word: str) -> bool:
    return (
        len(word) > 1
        and word not in STOPWORDS
        and word not in _BANNED
        and not any(ch.isdigit() for ch in word)
    )


@lru_cache(maxsize=65536)
def is_nounish(word: str) -> bool:
    return is_content(word) and word not in _NOT_NOUNS and not word.endswith(("ed", "ly"))


# Verbs no headline starts with: it would read as an order ("fix date shared") or lack its subject ("goes to
# deliveries"). Forms that are also nouns ("check", "help", "change", "work") are not here.
_NO_START = {
    "send", "sends", "sent", "take", "takes", "took", "make", "makes", "made", "go", "goes", "went", "come",
    "comes", "came", "give", "gives", "gave", "keep", "keeps", "kept", "find", "finds", "see", "sees", "saw",
    "try", "tries", "tried", "leave", "leaves", "fix", "fixes", "shows", "showed", "works", "stops", "waits",
    "moves", "opens", "needs", "wants", "looks", "seems", "happens", "starts", "fails", "loads", "puts",
    "means", "becomes", "gets", "got",
}  # fmt: skip
# "do" inside a phrase is the middle of a question ("how long do transfers take"), never a headline.
_QUESTION_AUXILIARIES = {"do", "does", "did"}


@lru_cache(maxsize=65536)
def never_in_label(word: str) -> bool:
    return (
        word in _BANNED
        or word in _CONNECTIVES
        or word in _QUESTION_AUXILIARIES
        or any(ch.isdigit() for ch in word)
    )


def phrase_ok(words: list[str]) -> bool:
    """A readable headline: no banned word, no stopword or verb like "goes" first, ends on a noun, a
    participle ("refund refused"), a state ("points missing") or a particle after a content word ("logged
    out"), holds a noun."""
    if any(never_in_label(w) for w in words):
        return False
    if words[0] in STOPWORDS or words[0] in _NO_START or len(words[0]) < 2 and words[0] != "c&c":
        return False
    last = words[-1]
    if last in STOPWORDS and not (last in END_PARTICLES and is_content(words[-2])):
        return False
    if not (is_nounish(last) or last.endswith("ed") or last in _FINAL_STATES or last in END_PARTICLES):
        return False
    if not is_nounish(last) and any(w in _DETERMINERS for w in words):
        return False  # "refund on a cancelled": the noun it announces is missing
    return any(is_nounish(w) for w in words)
