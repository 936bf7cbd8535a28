"""Text from letters and faxes: PDF text layers, else Tesseract OCR with rotation and deskew.

An adapter (network-free, but slow and CPU-bound): call it from a task, outside transactions.
No database access. :func:`read_document` never raises for bad input: an unreadable, oversized or
unsupported document comes back with an empty text and German ``problems`` the agent can read,
because a lost letter is worse than a letter with a note "please look at the original".

Tesseract runs as a subprocess (Debian packages ``tesseract-ocr``, ``tesseract-ocr-deu``,
``tesseract-ocr-eng`` and ``tesseract-ocr-osd`` for orientation detection).
"""

from __future__ import annotations

import io
import logging
import os
import statistics
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytesseract
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps, ImageSequence, UnidentifiedImageError

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_PAGE_TIMEOUT_SECONDS",
    "DOCUMENT_CONTENT_TYPES",
    "OcrResult",
    "is_document",
    "read_document",
]

DEFAULT_MAX_PAGES = 50
# A4 at 600 dpi is 35 Mpx; anything far beyond is a mistake or a decompression bomb.
DEFAULT_MAX_PIXELS = 60_000_000
DEFAULT_PAGE_TIMEOUT_SECONDS = 120.0

PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
IMAGE_TYPES = frozenset(
    {"image/tiff", "image/tif", "image/png", "image/jpeg", "image/jpg", "image/pjpeg"}
)
DOCUMENT_CONTENT_TYPES = PDF_TYPES | IMAGE_TYPES

# A PDF page counts as "has text" from this many letters or digits on: scanners' PDFs often carry
# a stray producer line or a page number in a text layer, which must not hide the scan.
MIN_TEXT_LAYER_CHARS = 40
# Tesseract's orientation confidence below this is a guess (blank pages, photos); keep upright.
MIN_OSD_CONFIDENCE = 1.5
# A reading this unsure (mean word confidence) over at least this many words is retried turned.
DOUBTFUL_CONFIDENCE = 60.0
MIN_WORDS_TO_DOUBT = 5
MAX_DESKEW_DEGREES = 10.0
# Below this a rotation costs more (resampling blur) than it gains.
MIN_DESKEW_DEGREES = 0.2


@dataclass(frozen=True, slots=True)
class OcrResult:
    """What was read from one document.

    ``confidence`` is the mean Tesseract word confidence (0..100) over the OCR'd pages; ``None``
    when every page's text came from the PDF text layer (or nothing was read). Per-page tuples
    have one entry per page processed; ``rotation_degrees`` is the clockwise correction applied
    (0/90/180/270), ``deskew_degrees`` the small correction applied (positive = the scan was
    turned clockwise). ``has_text_layer`` is true when at least one page's text came from the
    PDF's own text layer.
    """

    text: str
    confidence: float | None
    pages: int
    rotation_degrees: tuple[int, ...] = ()
    deskew_degrees: tuple[float, ...] = ()
    has_text_layer: bool = False
    problems: tuple[str, ...] = ()


@dataclass(slots=True)
class _Pages:
    """Accumulates per-page results while a document is read."""

    texts: list[str] = field(default_factory=list)
    rotations: list[int] = field(default_factory=list)
    deskews: list[float] = field(default_factory=list)
    word_confidences: list[float] = field(default_factory=list)
    ocr_pages: int = 0
    text_layer_pages: int = 0
    problems: list[str] = field(default_factory=list)

    def result(self) -> OcrResult:
        confidence = (
            round(statistics.fmean(self.word_confidences), 1)
            if self.ocr_pages and self.word_confidences
            else (0.0 if self.ocr_pages else None)
        )
        return OcrResult(
            text="\n\n".join(t for t in self.texts if t).strip(),
            confidence=confidence,
            pages=len(self.texts),
            rotation_degrees=tuple(self.rotations),
            deskew_degrees=tuple(self.deskews),
            has_text_layer=self.text_layer_pages > 0,
            problems=tuple(self.problems),
        )


def _base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_document(content_type: str) -> bool:
    """True for the types :func:`read_document` reads (PDF, TIFF, PNG, JPEG)."""
    return _base_type(content_type) in DOCUMENT_CONTENT_TYPES


def read_document(
    content: bytes,
    *,
    content_type: str,
    languages: str = "deu+eng",
    dpi: int = 300,
    max_pages: int | None = None,
    max_pixels: int | None = None,
    page_timeout_seconds: float | None = None,
) -> OcrResult:
    """Read the text of a PDF or a scanned image (TIFF incl. multi-page and G4 fax, PNG, JPEG).

    PDF pages with a real text layer are taken as they are; other pages are rendered at ``dpi``
    and OCR'd. Every OCR'd page is turned upright (Tesseract OSD) and deskewed (±10°) first.
    Pages beyond ``max_pages`` are skipped with a problem note. Takes seconds per page.
    Limits left as ``None`` come from settings ``KV_OCR_MAX_PAGES``, ``KV_OCR_MAX_PIXELS`` and
    ``KV_OCR_PAGE_TIMEOUT_SECONDS`` (defaults 50, 60 million, 120 s).
    """
    max_pages = (
        max_pages if max_pages is not None else _setting("KV_OCR_MAX_PAGES", DEFAULT_MAX_PAGES)
    )
    max_pixels = (
        max_pixels if max_pixels is not None else _setting("KV_OCR_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    )
    timeout = (
        page_timeout_seconds
        if page_timeout_seconds is not None
        else float(_setting("KV_OCR_PAGE_TIMEOUT_SECONDS", DEFAULT_PAGE_TIMEOUT_SECONDS))
    )
    # One Tesseract = one core: the task worker runs documents side by side, and OpenMP threads
    # inside each Tesseract only contend for the same cores (OCRmyPDF does the same).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    kind = _base_type(content_type)
    acc = _Pages()
    if not content:
        acc.problems.append(_("Die Datei ist leer."))
        return acc.result()
    options = _OcrOptions(languages=languages, dpi=dpi, timeout=timeout)
    if kind in PDF_TYPES:
        _read_pdf(content, acc, options=options, max_pages=max_pages, max_pixels=max_pixels)
    elif kind in IMAGE_TYPES:
        _read_image_file(content, acc, options=options, max_pages=max_pages, max_pixels=max_pixels)
    else:
        acc.problems.append(
            _("Dateityp %(type)s wird nicht per Texterkennung gelesen.") % {"type": kind or "?"}
        )
    return acc.result()


def _setting(name: str, default: float) -> Any:
    # An adapter may read settings; without configured Django (scripts) the defaults hold.
    return getattr(settings, name, default) if settings.configured else default


@dataclass(frozen=True, slots=True)
class _OcrOptions:
    languages: str
    dpi: int
    timeout: float


# --- PDF ---------------------------------------------------------------------------------------


def _read_pdf(
    content: bytes, acc: _Pages, *, options: _OcrOptions, max_pages: int, max_pixels: int
) -> None:
    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        logger.info("PDF not readable: %s", exc)
        if "password" in str(exc).lower():
            acc.problems.append(_("Das PDF ist passwortgeschützt und kann nicht gelesen werden."))
        else:
            acc.problems.append(_("Das PDF ist beschädigt oder kein gültiges PDF."))
        return
    try:
        total = len(pdf)
        if total == 0:
            acc.problems.append(_("Das PDF enthält keine Seiten."))
        if total > max_pages:
            acc.problems.append(_too_many_pages(total, max_pages))
        for index in range(min(total, max_pages)):
            try:
                _read_pdf_page(pdf, index, acc, options=options, max_pixels=max_pixels)
            except pdfium.PdfiumError as exc:
                # One broken page must not cost the letter's other pages.
                logger.info("PDF page %d not readable: %s", index + 1, exc)
                acc.problems.append(
                    _("Seite %(page)d des PDFs ist beschädigt und wurde nicht gelesen.")
                    % {"page": index + 1}
                )
                _skip_page(acc)
    finally:
        pdf.close()


def _read_pdf_page(
    pdf: pdfium.PdfDocument, index: int, acc: _Pages, *, options: _OcrOptions, max_pixels: int
) -> None:
    page = pdf[index]
    try:
        layer_text = _pdf_page_text(page)
        if _has_real_text(layer_text):
            acc.texts.append(layer_text)
            acc.rotations.append(0)
            acc.deskews.append(0.0)
            acc.text_layer_pages += 1
            return
        width_pt, height_pt = page.get_size()
        scale = options.dpi / 72.0
        pixels = width_pt * scale * height_pt * scale
        if pixels > max_pixels:
            # A poster-sized page: render smaller instead of refusing the whole letter.
            scale *= (max_pixels / pixels) ** 0.5
            acc.problems.append(
                _("Seite %(page)d ist übergroß und wurde verkleinert gelesen.")
                % {"page": index + 1}
            )
        bitmap = page.render(scale=scale, grayscale=True)
        # to_pil() shares the bitmap's memory for grayscale: copy before the bitmap is freed.
        image = bitmap.to_pil().copy()
        bitmap.close()
        rendered_dpi = round(72.0 * scale)
        image.info["dpi"] = (rendered_dpi, rendered_dpi)
        _ocr_page(image, acc, page_number=index + 1, options=options)
    finally:
        page.close()


def _pdf_page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        # The whole text, also outside the crop box: it belongs to the letter all the same.
        raw: str = textpage.get_text_range()
    finally:
        textpage.close()
    # PDFium marks line ends with CR LF.
    return "\n".join(line.rstrip() for line in raw.replace("\r\n", "\n").split("\n")).strip()


def _has_real_text(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= MIN_TEXT_LAYER_CHARS


# --- images ------------------------------------------------------------------------------------


def _read_image_file(
    content: bytes, acc: _Pages, *, options: _OcrOptions, max_pages: int, max_pixels: int
) -> None:
    try:
        with warnings.catch_warnings():
            # Pillow warns (and our test config turns warnings into errors) before it refuses;
            # the explicit pixel check below gives the clear message either way.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            frames = getattr(image, "n_frames", 1)
            if frames > max_pages:
                acc.problems.append(_too_many_pages(frames, max_pages))
            for index, frame in enumerate(_frames(image, max_pages)):
                if frame.width * frame.height > max_pixels:
                    acc.problems.append(
                        _(
                            "Seite %(page)d ist zu groß (%(mpx)d Megapixel, erlaubt sind "
                            "%(limit)d) und wurde nicht gelesen."
                        )
                        % {
                            "page": index + 1,
                            "mpx": frame.width * frame.height // 1_000_000,
                            "limit": max_pixels // 1_000_000,
                        }
                    )
                    continue
                page = _normalise(frame, default_dpi=options.dpi)
                _ocr_page(page, acc, page_number=index + 1, options=options)
    except Image.DecompressionBombError:
        acc.problems.append(_("Das Bild ist zu groß und wurde nicht gelesen."))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # Truncated or corrupt files surface as OSError/SyntaxError from Pillow's decoders.
        logger.info("image not readable: %s", exc)
        acc.problems.append(_("Das Bild ist beschädigt oder in keinem lesbaren Format."))


def _frames(image: Image.Image, max_pages: int) -> Iterator[Image.Image]:
    for index, frame in enumerate(ImageSequence.Iterator(image)):
        if index >= max_pages:
            return
        yield frame


def _normalise(frame: Image.Image, *, default_dpi: int) -> Image.Image:
    """Grayscale, upright per EXIF, square pixels, and a known dpi."""
    xdpi, ydpi = _dpi_of(frame, default_dpi=default_dpi)
    image = ImageOps.exif_transpose(frame)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent areas are paper, not black.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode.startswith(("I", "F")):
        # 16-bit and float scans: Pillow's convert("L") clips at 255 (a white page); scale.
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        image = Image.fromarray(np.clip(values / top * 255.0, 0, 255).astype(np.uint8))
    image = image.convert("L")
    if abs(xdpi - ydpi) / max(xdpi, ydpi) > 0.02:
        # Fax resolutions are not square (204×196 fine, 204×98 normal): stretch to the higher.
        target = max(xdpi, ydpi)
        image = image.resize(
            (round(image.width * target / xdpi), round(image.height * target / ydpi)),
            Image.Resampling.LANCZOS,
        )
        xdpi = ydpi = target
    dpi = round(xdpi)
    if dpi < 250:
        # Tesseract's models are trained on ~300 dpi glyph heights; small fax or photo text
        # loses most of its accuracy below that.
        factor = 300 / dpi
        image = image.resize(
            (round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS
        )
        dpi = 300
    image.info["dpi"] = (dpi, dpi)
    return image


def _dpi_of(image: Image.Image, *, default_dpi: int) -> tuple[float, float]:
    raw: Any = image.info.get("dpi")
    try:
        xdpi, ydpi = float(raw[0]), float(raw[1])
    except (TypeError, ValueError, IndexError):
        return float(default_dpi), float(default_dpi)
    if not (50 <= xdpi <= 2400 and 50 <= ydpi <= 2400):
        # Missing (0/1) or absurd resolutions are common in camera JPEGs.
        return float(default_dpi), float(default_dpi)
    return xdpi, ydpi


# --- one page ----------------------------------------------------------------------------------


def _ocr_page(image: Image.Image, acc: _Pages, *, page_number: int, options: _OcrOptions) -> None:
    dpi = int(image.info.get("dpi", (options.dpi, options.dpi))[0])
    # A 3×3 median removes scanner specks and JPEG ringing without eating strokes at 300 dpi:
    # measured on rendered letters, heavy noise 0.966 → 0.987 and standard fax 0.981 → 0.991
    # word accuracy, clean pages unchanged (benchmarks/intake_ocr.py), for ~0.3 s per page.
    image = image.filter(ImageFilter.MedianFilter(3))
    try:
        suggested, sure = _orientation(image, timeout=options.timeout)
        rotation = suggested if sure else 0
        best = _read_turned(image, rotation, options=options, dpi=dpi)
        if best.doubtful:
            # OSD's confidence wobbles (measured: a clearly sideways letter at 1.4) and OSD may
            # be missing (package tesseract-ocr-osd); text read the wrong way round is garbage
            # with low word confidence. Try the other turns, OSD's unsure suggestion first,
            # then sideways (the usual mistake on a feeder) before upside down, and keep the
            # most confident reading. Tesseract's layout analysis itself reads some vertical
            # lines, so 180 can "win" for a page that needed 90: sideways goes first.
            for candidate in dict.fromkeys((suggested, 90, 270, 180, 0)):
                if candidate == rotation:
                    continue
                reading = _read_turned(image, candidate, options=options, dpi=dpi)
                if reading.mean_confidence > best.mean_confidence:
                    rotation, best = candidate, reading
                if not best.doubtful:
                    break
        text, confidences, skew = best.text, best.confidences, best.skew
    except RuntimeError as exc:
        # pytesseract raises RuntimeError on its timeout.
        logger.warning("tesseract timeout on page %d: %s", page_number, exc)
        acc.problems.append(
            _("Seite %(page)d: Die Texterkennung hat das Zeitlimit (%(seconds)g s) überschritten.")
            % {"page": page_number, "seconds": options.timeout}
        )
        _skip_page(acc)
        return
    except pytesseract.TesseractError as exc:
        logger.warning("tesseract failed on page %d: %s", page_number, exc)
        acc.problems.append(
            _("Seite %(page)d: Die Texterkennung ist fehlgeschlagen.") % {"page": page_number}
        )
        _skip_page(acc)
        return
    acc.texts.append(text)
    acc.rotations.append(rotation)
    acc.deskews.append(round(skew, 2))
    acc.word_confidences.extend(confidences)
    acc.ocr_pages += 1
    if not text:
        acc.problems.append(
            _("Seite %(page)d: Kein Text erkannt (leere Seite oder Bild?).") % {"page": page_number}
        )


@dataclass(frozen=True, slots=True)
class _Reading:
    text: str
    confidences: list[float]
    skew: float

    @property
    def mean_confidence(self) -> float:
        return statistics.fmean(self.confidences) if self.confidences else 0.0

    @property
    def doubtful(self) -> bool:
        # Upright print reads at 85–96 (benchmarks/intake_ocr.py); sideways or upside-down text
        # yields a few low-confidence fragments. Blank pages (no words) are not doubtful.
        return len(self.confidences) >= MIN_WORDS_TO_DOUBT and (
            self.mean_confidence < DOUBTFUL_CONFIDENCE
        )


def _read_turned(image: Image.Image, rotation: int, *, options: _OcrOptions, dpi: int) -> _Reading:
    if rotation:
        # Tesseract reports the clockwise turn that makes the page upright; PIL turns
        # counter-clockwise for positive angles.
        image = image.rotate(-rotation, expand=True, fillcolor=255)
    skew = estimate_skew(image)
    if abs(skew) >= MIN_DESKEW_DEGREES:
        image = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    else:
        skew = 0.0
    text, confidences = _recognise(image, options=options, dpi=dpi)
    return _Reading(text=text, confidences=confidences, skew=skew)


def _skip_page(acc: _Pages) -> None:
    acc.texts.append("")
    acc.rotations.append(0)
    acc.deskews.append(0.0)


def _orientation(image: Image.Image, *, timeout: float) -> tuple[int, bool]:
    """Clockwise degrees (0/90/180/270) that turn the page upright, and whether OSD is sure."""
    # Full resolution: at half resolution the confidence of a plainly sideways letter fell
    # below the threshold (measured 1.4 against 3.4), for a saving of ~1 s.
    try:
        osd: dict[str, Any] = pytesseract.image_to_osd(
            image,
            config="-c min_characters_to_try=10",
            output_type=pytesseract.Output.DICT,
            timeout=timeout,
        )
    except pytesseract.TesseractError as exc:
        # "Too few characters" on blank or picture-only pages: leave the page as it is.
        logger.debug("OSD gave no answer: %s", exc)
        return 0, False
    rotate = int(osd.get("rotate", 0)) % 360
    if rotate not in (0, 90, 180, 270):
        return 0, False
    return rotate, float(osd.get("orientation_conf", 0.0)) >= MIN_OSD_CONFIDENCE


def estimate_skew(image: Image.Image) -> float:
    """Small rotation (degrees, ±10) of text lines, by projection profiles of dark pixels.

    Positive means the text lines fall to the right (the sheet was turned clockwise); rotating
    the image by the returned angle with ``Image.rotate`` straightens it.
    """
    gray = image.convert("L")
    # ~1000 px wide is enough to resolve 0.1° over a line and keeps this under 100 ms.
    factor = max(1, round(gray.width / 1000))
    small = gray.reduce(factor) if factor > 1 else gray
    pixels = np.asarray(small, dtype=np.uint8)
    threshold = _otsu(pixels)
    ys, xs = np.nonzero(pixels < threshold)
    if xs.size < 200:
        return 0.0
    if xs.size > 200_000:
        keep = np.random.default_rng(0).choice(xs.size, 200_000, replace=False)
        xs, ys = xs[keep], ys[keep]
    xs_f = xs.astype(np.float64) - small.width / 2
    ys_f = ys.astype(np.float64)

    def score(angle: float) -> float:
        # Shear rows by the candidate angle: when it matches the text, every line's pixels fall
        # into few rows and the profile is peaky (large sum of squares).
        rows = np.round(ys_f - xs_f * np.tan(np.radians(angle))).astype(np.int64)
        rows -= rows.min()
        counts = np.bincount(rows)
        return float(np.dot(counts, counts))

    coarse = np.arange(-MAX_DESKEW_DEGREES, MAX_DESKEW_DEGREES + 0.01, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.51, 0.05)
    best = max(fine, key=score)
    if abs(best) > MAX_DESKEW_DEGREES:
        return 0.0
    # The sheared row index grows with x for text falling to the right, i.e. a positive angle;
    # PIL's rotate(+angle) turns counter-clockwise and lifts it back.
    return round(float(best), 2)


def _otsu(pixels: np.ndarray[Any, np.dtype[np.uint8]]) -> int:
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    grand = means[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (grand * weights / total - means) ** 2 / (weights * (total - weights))
    between = np.nan_to_num(between)
    return int(np.argmax(between))


def _recognise(image: Image.Image, *, options: _OcrOptions, dpi: int) -> tuple[str, list[float]]:
    data: dict[str, list[Any]] = pytesseract.image_to_data(
        image,
        lang=options.languages,
        config=f"--psm 3 --dpi {dpi}",
        output_type=pytesseract.Output.DICT,
        timeout=options.timeout,
    )
    lines: list[str] = []
    confidences: list[float] = []
    current_key: tuple[int, int, int] | None = None
    current_par: tuple[int, int] | None = None
    words: list[str] = []
    for i, level in enumerate(data["level"]):
        if int(level) != 5:
            continue
        word = str(data["text"][i]).strip()
        if not word:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key != current_key:
            if words:
                lines.append(" ".join(words))
            if current_par is not None and key[:2] != current_par:
                lines.append("")  # blank line between paragraphs, as Tesseract's own text output
            words = []
            current_key, current_par = key, key[:2]
        words.append(word)
        conf = float(data["conf"][i])
        if conf >= 0:
            confidences.append(conf)
    if words:
        lines.append(" ".join(words))
    return "\n".join(lines).strip(), confidences


def _too_many_pages(total: int, limit: int) -> str:
    return _("Das Dokument hat %(total)d Seiten; gelesen wurden nur die ersten %(limit)d.") % {
        "total": total,
        "limit": limit,
    }
