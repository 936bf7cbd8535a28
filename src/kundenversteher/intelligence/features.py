"""Feature matrices for the linear text classifiers: TF-IDF n-grams ⊕ sentence embeddings.

TF-IDF (word 1–2 + char_wb 2–5) is strong when the tenant has labelled data in the message's own
language; the multilingual embedding carries the meaning across languages. MODELS.md measured that
English n-grams pull German predictions down when a model trained on English data reads German, so
the n-gram block is switched off for messages in a language the training data did not contain
(only when languages are known on both sides).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from kundenversteher.intelligence.embeddings import FloatMatrix, get_embedder


def fast_tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` without scikit-learn's per-call input checks and sparse
    temporaries, which cost more than the transform itself for one message (same numbers:
    sublinear tf, idf, L2-normalised rows)."""
    counts = CountVectorizer.transform(vectorizer, texts)
    data = counts.data.astype(np.float64)
    if vectorizer.sublinear_tf:
        data = np.log(data) + 1.0
    data *= vectorizer.idf_[counts.indices]
    row_lengths = np.diff(counts.indptr)
    rows = np.repeat(np.arange(counts.shape[0]), row_lengths)
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=counts.shape[0]))
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, row_lengths)
    return sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


@dataclass(frozen=True)
class _Lemmatizer:
    """Word tokens reduced to lemmas, so that German inflection ("Rechnungen", "Rechnung") shares
    one feature. A picklable class (artefacts), not a closure."""

    language: str

    def __call__(self, text: str) -> list[str]:
        import simplemma  # imported lazily: only German tenant models need it

        return [
            simplemma.lemmatize(token, lang=self.language).lower() for token in _TOKEN.findall(text)
        ]


_TOKEN = re.compile(r"(?u)\b\w\w+\b")


# Language codes that mean "not sure": keep the n-grams, a misdetected short message is common.
UNDETERMINED = frozenset({"", "other", "und"})


@dataclass
class FeatureSpec:
    use_tfidf: bool = True
    embedders: tuple[str, ...] = ("use",)  # names from embeddings.EMBEDDER_NAMES
    embedding_weight: float = 1.0  # scale of each (unit-length) embedding next to the TF-IDF blocks
    char_ngrams: tuple[int, int] = (2, 5)
    # Word n-grams over lemmas (simplemma) of this language, e.g. "de"; None: surface words.
    lemma_language: str | None = None


@dataclass
class TextFeaturizer:
    spec: FeatureSpec
    tfidf_languages: frozenset[str] | None = None  # languages seen in training; None = unknown
    _word: TfidfVectorizer | None = field(default=None, repr=False)
    _char: TfidfVectorizer | None = field(default=None, repr=False)

    def fit(self, texts: Sequence[str], *, languages: Sequence[str] | None = None) -> None:
        self.tfidf_languages = frozenset(languages) if languages is not None else None
        if not self.spec.use_tfidf:
            return
        self._word = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=1,
            lowercase=True,
            tokenizer=_Lemmatizer(self.spec.lemma_language) if self.spec.lemma_language else None,
            token_pattern=None if self.spec.lemma_language else r"(?u)\b\w\w+\b",
        )
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.spec.char_ngrams,
            sublinear_tf=True,
            min_df=2,
            lowercase=True,
        )
        self._word.fit(texts)
        try:
            self._char.fit(texts)
        except ValueError:
            # Tiny training sets can leave no character n-gram seen twice: accept singletons.
            self._char = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=self.spec.char_ngrams,
                sublinear_tf=True,
                lowercase=True,
            )
            self._char.fit(texts)

    def embed(self, texts: Sequence[str]) -> dict[str, FloatMatrix]:
        return {name: get_embedder(name).embed(texts, kind="query") for name in self.spec.embedders}

    def parts(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
    ) -> tuple[sp.csr_matrix | None, FloatMatrix | None]:
        """The sparse n-gram block and the dense (weighted) embedding block, either may be None.
        ``embeddings`` may carry precomputed vectors (benchmarks)."""
        tfidf: sp.csr_matrix | None = None
        if self.spec.use_tfidf:
            if self._word is None or self._char is None:
                raise RuntimeError("TextFeaturizer.fit() must run before transform()")
            tfidf = sp.hstack(
                [fast_tfidf(self._word, texts), fast_tfidf(self._char, texts)], format="csr"
            )
            if languages is not None and self.tfidf_languages is not None:
                keep = np.array(
                    [
                        1.0 if lang in self.tfidf_languages or lang in UNDETERMINED else 0.0
                        for lang in languages
                    ]
                )
                tfidf.data *= np.repeat(keep, np.diff(tfidf.indptr))
                tfidf.eliminate_zeros()
        if not self.spec.embedders:
            return tfidf, None
        computed = dict(embeddings or {})
        for name in self.spec.embedders:
            if name not in computed:
                computed[name] = get_embedder(name).embed(texts, kind="query")
        dense = np.hstack([computed[name] for name in self.spec.embedders])
        return tfidf, np.asarray(dense * self.spec.embedding_weight, dtype=np.float32)

    def transform(
        self,
        texts: Sequence[str],
        *,
        languages: Sequence[str] | None = None,
        embeddings: dict[str, FloatMatrix] | None = None,
    ) -> sp.csr_matrix:
        """One sparse row per text: [n-grams | embeddings]."""
        tfidf, dense = self.parts(texts, languages=languages, embeddings=embeddings)
        blocks = [
            b for b in (tfidf, None if dense is None else sp.csr_matrix(dense)) if b is not None
        ]
        return sp.hstack(blocks).tocsr()
