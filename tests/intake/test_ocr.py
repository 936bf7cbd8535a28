"""OCR of letters and faxes with the real Tesseract (Debian packages), no mocks."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from kundenversteher.intake.ocr import estimate_skew, is_document, read_document
from tests.intake.letters.generate import (
    make_letter,
    make_sample,
    render_letter,
    rotate,
    to_image_pdf,
    to_png,
    word_accuracy,
)

REALWORLD = Path(__file__).parent / "letters" / "realworld"


def test_clean_letter_is_read_word_for_word_with_umlauts_and_numbers() -> None:
    sample = make_sample("clean", seed=1)

    result = read_document(sample.content, content_type="image/png")

    assert word_accuracy(sample.reference, result.text) >= 0.98
    assert "Gertrud Weißenböck" in result.text
    assert "Kundennummer KD-104712" in result.text
    assert "Mit freundlichen Grüßen" in result.text
    assert result.pages == 1
    assert result.has_text_layer is False
    assert result.confidence is not None
    assert result.confidence > 85
    assert result.rotation_degrees == (0,)
    assert result.deskew_degrees == (0.0,)
    assert result.problems == ()


def test_noisy_blurred_jpeg_keeps_the_customer_and_order_numbers() -> None:
    sample = make_sample("noise", seed=0)

    result = read_document(sample.content, content_type="image/jpeg")

    assert word_accuracy(sample.reference, result.text) >= 0.9
    assert "KD-104711" in result.text
    assert "Bestellung 4711" in result.text


@pytest.mark.parametrize(("variant", "rotation"), [("rotated90", 90), ("rotated180", 180)])
def test_sideways_and_upside_down_scans_are_turned_upright(variant: str, rotation: int) -> None:
    sample = make_sample(variant, seed=2)

    result = read_document(sample.content, content_type="image/png")

    assert result.rotation_degrees == (rotation,)
    assert word_accuracy(sample.reference, result.text) >= 0.95


@pytest.mark.slow
def test_without_orientation_data_a_sideways_letter_is_still_turned_by_trying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Tesseract installation without tesseract-ocr-osd: OSD fails, recognition works.
    tessdata = next(Path("/usr/share/tesseract-ocr").glob("*/tessdata"))
    for language in ("deu", "eng"):
        (tmp_path / f"{language}.traineddata").symlink_to(tessdata / f"{language}.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    sample = make_sample("rotated90", seed=2)

    result = read_document(sample.content, content_type="image/png")

    assert result.rotation_degrees == (90,)
    assert word_accuracy(sample.reference, result.text) >= 0.95


def test_a_page_scanned_at_a_slant_is_deskewed_before_reading() -> None:
    sample = make_sample("skewed", seed=1)  # turned 4° clockwise on the scanner

    result = read_document(sample.content, content_type="image/png")

    assert result.deskew_degrees[0] == pytest.approx(4.0, abs=0.3)
    assert word_accuracy(sample.reference, result.text) >= 0.95


@pytest.mark.parametrize("angle", [-5.0, -3.0, 0.0, 2.5, 4.0])
def test_skew_estimate_matches_the_applied_turn(angle: float) -> None:
    page = render_letter(make_letter(0))
    turned = rotate(page, angle) if angle else page

    # rotate() turns counter-clockwise; the estimate names the clockwise turn to undo.
    assert estimate_skew(turned) == pytest.approx(-angle, abs=0.2)


def test_g4_fax_tiff_at_fax_resolution_is_read() -> None:
    sample = make_sample("fax", seed=3)

    result = read_document(sample.content, content_type="image/tiff")

    assert word_accuracy(sample.reference, result.text) >= 0.95
    assert "Bestellung 4822" in result.text
    assert result.pages == 1


@pytest.mark.slow
def test_scanned_two_page_pdf_without_text_layer_is_rendered_and_read() -> None:
    sample = make_sample("pdf_scan_2pages", seed=0)

    result = read_document(sample.content, content_type="application/pdf")

    assert result.pages == 2
    assert result.has_text_layer is False
    assert result.confidence is not None
    assert word_accuracy(sample.reference, result.text) >= 0.97


def test_pdf_with_text_layer_is_taken_as_is_without_ocr() -> None:
    sample = make_sample("pdf_text", seed=1)

    result = read_document(sample.content, content_type="application/pdf; name=brief.pdf")

    assert result.has_text_layer is True
    assert result.confidence is None
    assert word_accuracy(sample.reference, result.text) == 1.0
    assert result.pages == 1


def test_mixed_pdf_takes_the_text_layer_where_there_is_one_and_ocrs_the_rest() -> None:
    typed = pdfium.PdfDocument(make_sample("pdf_text", seed=1).content)
    typed.import_pages(pdfium.PdfDocument(to_image_pdf([render_letter(make_letter(2))])))
    buffer = io.BytesIO()
    typed.save(buffer)

    result = read_document(buffer.getvalue(), content_type="application/pdf")

    assert result.pages == 2
    assert result.has_text_layer is True
    assert result.confidence is not None  # page 2 was OCR'd
    first, second = make_letter(1).text, make_letter(2).text
    assert word_accuracy(f"{first}\n{second}", result.text) >= 0.98


def test_sixteen_bit_grayscale_scan_is_scaled_not_clipped_to_white() -> None:
    page = np.asarray(render_letter(make_letter(0)), dtype=np.uint16) * 257
    buffer = io.BytesIO()
    Image.fromarray(page).save(buffer, format="PNG", dpi=(300, 300))

    result = read_document(buffer.getvalue(), content_type="image/png")

    assert "Kundennummer KD-104711" in result.text
    assert word_accuracy(make_letter(0).text, result.text) >= 0.98


def test_real_world_book_scan_made_by_someone_else_is_read() -> None:
    # Project Gutenberg scan of "Huckleberry Finn" p. 29, public domain (see PROVENANCE.md).
    content = (REALWORLD / "c03-29.pdf").read_bytes()

    result = read_document(content, content_type="application/pdf", languages="eng")

    assert result.has_text_layer is False
    assert result.pages == 1
    assert result.confidence is not None
    assert result.confidence > 70
    for phrase in (
        "I got a good going-over in the morning",
        "from old Miss Watson, on account of my",
        "she said I was a fool. She never told me",
        "Why can’t Miss Watson fat up?",
    ):
        assert phrase in result.text


def test_empty_file_is_a_problem_not_a_crash() -> None:
    result = read_document(b"", content_type="application/pdf")

    assert result.text == ""
    assert result.pages == 0
    assert result.problems == ("Die Datei ist leer.",)


def test_corrupt_pdf_and_corrupt_image_are_reported() -> None:
    broken_pdf = read_document(b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    broken_png = read_document(b"\x89PNG\r\n\x1a\n-not-really", content_type="image/png")

    assert broken_pdf.problems == ("Das PDF ist beschädigt oder kein gültiges PDF.",)
    assert broken_png.problems == ("Das Bild ist beschädigt oder in keinem lesbaren Format.",)
    assert broken_pdf.text == broken_png.text == ""


def test_unsupported_type_is_reported() -> None:
    result = read_document(b"hello", content_type="text/plain")

    assert result.problems == ("Dateityp text/plain wird nicht per Texterkennung gelesen.",)


def _png_claiming_size(width: int, height: int) -> bytes:
    """A valid PNG whose header claims ``width``×``height``: a decompression bomb's calling card."""
    real = io.BytesIO()
    Image.new("L", (8, 8), 255).save(real, format="PNG")
    data = bytearray(real.getvalue())
    ihdr = data[12:29]  # chunk type + 13 bytes of IHDR data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


def test_decompression_bomb_is_refused_with_a_clear_problem() -> None:
    result = read_document(_png_claiming_size(40_000, 40_000), content_type="image/png")

    assert result.text == ""
    assert result.problems == ("Das Bild ist zu groß und wurde nicht gelesen.",)


def test_page_over_the_pixel_limit_is_skipped_with_its_size() -> None:
    result = read_document(
        _png_claiming_size(5000, 4000), content_type="image/png", max_pixels=10_000_000
    )

    assert result.problems == (
        "Seite 1 ist zu groß (20 Megapixel, erlaubt sind 10) und wurde nicht gelesen.",
    )


def test_pages_beyond_the_configured_limit_are_skipped_and_noted(settings: Any) -> None:
    settings.KV_OCR_MAX_PAGES = 2
    frames = [Image.new("L", (300, 300), 255) for _ in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])

    result = read_document(buffer.getvalue(), content_type="image/tiff")

    assert result.pages == 2
    assert result.problems[0] == "Das Dokument hat 3 Seiten; gelesen wurden nur die ersten 2."
    assert result.problems[1:] == (
        "Seite 1: Kein Text erkannt (leere Seite oder Bild?).",
        "Seite 2: Kein Text erkannt (leere Seite oder Bild?).",
    )


def test_tesseract_over_its_time_limit_leaves_a_problem_per_page() -> None:
    sample = to_png(render_letter(make_letter(0)))

    result = read_document(sample, content_type="image/png", page_timeout_seconds=0.01)

    assert result.text == ""
    assert result.problems == (
        "Seite 1: Die Texterkennung hat das Zeitlimit (0.01 s) überschritten.",
    )


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/pdf", True),
        ("image/TIFF", True),
        ("image/png", True),
        ("image/jpeg; charset=binary", True),
        ("image/gif", False),
        ("text/plain", False),
        ("", False),
    ],
)
def test_is_document_knows_the_scanned_formats(content_type: str, expected: bool) -> None:
    assert is_document(content_type) is expected
