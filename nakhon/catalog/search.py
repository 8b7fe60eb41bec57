"""Catalog search: Thai word segmentation, BM25 ranking, typo tolerance. Pure: no Django.

Thai is written without spaces between words, so an index of whitespace-separated words would
never find ``ภาษีป้าย`` in ``ข้อมูลภาษีป้ายประจำปี``. Every text is cut into words by
PyThaiNLP's dictionary segmenter (``newmm``); Latin text is lower-cased and split on
non-letters. A query is cut the same way and ranked with BM25 (Robertson & Zaragoza, "The
Probabilistic Relevance Framework: BM25 and Beyond", 2009; k1 = 1.2, b = 0.75), titles and
tags weighing more than descriptions. A query word that is not in the index is matched to the
closest indexed words (RapidFuzz ratio ≥ 80, or a word that contains it), so ``budgt`` still
finds ``budget`` and a Thai word cut differently still meets its document.

How many query words must match follows CKAN's default (Solr ``mm = 2<-1 5<80%``): all of one
or two words, all but one of three to five, 80 % of more.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

K1 = 1.2
B = 0.75
FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "text": 1.0}
FUZZY_CUTOFF = 80.0
FUZZY_WEIGHT = 0.7
MAX_QUERY_WORDS = 32

_THAI = re.compile(r"[\u0e00-\u0e7f]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_THAI_LETTER = re.compile(r"[\u0e01-\u0e2e]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@lru_cache(maxsize=65_536)
def _thai_words(run: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    return tuple(w for w in word_tokenize(run, engine="newmm", keep_whitespace=False) if w.strip())


def words(text: str) -> list[str]:
    """The words of ``text``: Thai runs segmented, the rest split on non-letters, lower-cased,
    Thai digits as Arabic ones, punctuation dropped."""
    text = unicodedata.normalize("NFC", text or "").lower().translate(_THAI_DIGITS)
    out: list[str] = []
    position = 0
    for match in _THAI.finditer(text):
        out.extend(_WORD.findall(text[position : match.start()]))
        out.extend(w for w in _thai_words(match.group()) if _THAI_LETTER.search(w))
        position = match.end()
    out.extend(_WORD.findall(text[position:]))
    return out


@dataclass(frozen=True)
class Document:
    key: int
    title: str
    tags: Sequence[str] = ()
    text: str = ""


@dataclass
class Hit:
    key: int
    score: float


class Index:
    """An in-memory inverted index over documents; build once, search many times. Postings are
    NumPy arrays, so scoring a common word over thousands of documents is one vector sum."""

    def __init__(self, documents: Iterable[Document]) -> None:
        keys: list[int] = []
        lengths: list[float] = []
        raw: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for position, doc in enumerate(documents):
            counts: dict[str, float] = defaultdict(float)
            for name, weight in FIELD_WEIGHTS.items():
                value = getattr(doc, name)
                text = " ".join(value) if name == "tags" else value
                for word in words(text):
                    counts[word] += weight
            keys.append(doc.key)
            lengths.append(sum(counts.values()))
            for word, tf in counts.items():
                raw[word][0].append(position)
                raw[word][1].append(tf)
        self.keys = np.array(keys, dtype=np.int64)
        self.size = len(keys)
        self.average = float(np.mean(lengths)) if keys else 0.0
        # the length part of BM25's denominator, per document
        self.norm = K1 * (1 - B + B * np.array(lengths, dtype=np.float64) / (self.average or 1))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {
            word: (np.array(at, dtype=np.int32), np.array(tf, dtype=np.float64))
            for word, (at, tf) in raw.items()
        }
        self.vocabulary = list(self.postings)

    def _idf(self, word: str) -> float:
        n = len(self.postings[word][0]) if word in self.postings else 0
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def _expand(self, word: str) -> list[tuple[str, float]]:
        """Indexed words that stand for a query word: itself, else close or containing ones."""
        if word in self.postings:
            return [(word, 1.0)]
        from rapidfuzz import fuzz, process

        found: dict[str, float] = {}
        if len(word) >= 3:
            for candidate, score, _ in process.extract(
                word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
            ):
                found[candidate] = FUZZY_WEIGHT * score / 100
        if len(word) >= 2:
            for candidate in self.vocabulary:
                if word in candidate and candidate not in found:
                    found[candidate] = FUZZY_WEIGHT
                    if len(found) >= 8:
                        break
        return list(found.items())

    def search(self, query: str) -> list[Hit]:
        """Documents matching ``query``, best first (ties: by key)."""
        terms = list(dict.fromkeys(words(query)))[:MAX_QUERY_WORDS]
        if not terms or not self.size:
            return []
        scores = np.zeros(self.size, dtype=np.float64)
        matched = np.zeros(self.size, dtype=np.int16)
        for term in terms:
            seen = np.zeros(self.size, dtype=bool)
            for word, weight in self._expand(term):
                at, tf = self.postings[word]
                scores[at] += weight * self._idf(word) * tf * (K1 + 1) / (tf + self.norm[at])
                seen[at] = True
            matched += seen
        hits = np.nonzero(matched >= minimum_should_match(len(terms)))[0]
        order = hits[np.lexsort((self.keys[hits], -scores[hits]))]
        return [Hit(int(k), float(v)) for k, v in zip(self.keys[order], scores[order], strict=True)]


def minimum_should_match(n: int) -> int:
    """CKAN's default ``mm = 2<-1 5<80%``."""
    if n <= 2:
        return n
    if n <= 5:
        return n - 1
    return math.floor(n * 0.8)
