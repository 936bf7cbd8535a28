"""Rendered German customer letters with known text, for OCR tests and the OCR benchmark.

Pillow draws A4 pages at 300 dpi in DejaVu Sans (Debian package ``fonts-dejavu-core``); variants
add what scanners and fax machines do to paper: noise, blur, JPEG artefacts, 90/180° turns,
small skew, 1-bit G4 fax at 204×196 dpi, multi-page PDF without text layer, and a PDF with a
real text layer (written by hand below: no PDF library here writes text).
"""

from __future__ import annotations

import io
import random
import textwrap
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz.distance import Levenshtein

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

A4_MM = (210.0, 297.0)
DPI = 300

SENDERS = [
    ("Klaus Müller", "Lindenstraße 12", "80331 München"),
    ("Gertrud Weißenböck", "Am Mühlbach 3", "86150 Augsburg"),
    ("Jürgen Schößler", "Große Gasse 27", "93047 Regensburg"),
    ("Bärbel Köhler", "Fichtenweg 8a", "90402 Nürnberg"),
]
SUBJECTS = [
    "Lieferung meiner Wärmepumpe",
    "Rückfrage zur Rechnung und zum Wartungsvertrag",
    "Störung an der Heizungsanlage",
    "Ersatzteil für den Außenkessel",
]
BODY = [
    "leider ist die bestellte Wärmepumpe bis heute nicht bei mir angekommen. Laut Ihrer "
    "Bestätigung sollte die Lieferung schon vor zwei Wochen erfolgen.",
    "Bitte teilen Sie mir mit, wann ich mit der Zustellung rechnen kann. Ich bin vormittags "
    "meistens zu Hause, nachmittags übernimmt mein Nachbar die Annahme.",
    "Außerdem möchte ich wissen, ob die jährliche Wartung im Frühjahr durch Ihren Techniker "
    "erfolgen kann. Die Anlage läuft seit dem Einbau ohne größere Störungen.",
    "Seit einigen Tagen zeigt das Gerät eine Fehlermeldung an und heizt nur noch schwach. "
    "Das Warmwasser bleibt kühl, obwohl der Druck im grünen Bereich liegt.",
    "Ich bitte um eine kurze schriftliche Rückmeldung und um einen Termin für den "
    "Kundendienst. Für Rückfragen erreichen Sie mich gern telefonisch.",
    "Die Rechnung über den Austausch der Umwälzpumpe habe ich erhalten, finde aber die "
    "Position für die Anfahrt doppelt berechnet. Bitte prüfen Sie das.",
    "Für Ihre Mühe bedanke ich mich schon jetzt. Über eine schnelle Lösung würde ich mich "
    "sehr freuen, denn die Tage werden spürbar kälter.",
]
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]


@dataclass(frozen=True, slots=True)
class Letter:
    """A letter's lines (one string per printed line, "" for a gap) and its reference text."""

    lines: tuple[str, ...]
    customer_number: str
    order_number: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def make_letter(seed: int = 0, *, paragraphs: int = 3) -> Letter:
    """A customer letter with sender, recipient, date, numbers, umlauts and ß (seeded)."""
    rng = random.Random(seed)
    name, street, city = SENDERS[seed % len(SENDERS)]
    customer = f"KD-{104711 + seed:06d}"
    order = str(4711 + seed * 37)
    day, month = rng.randint(1, 28), rng.randrange(12)
    lines: list[str] = [
        name,
        street,
        city,
        "",
        "Brenner Wärmetechnik GmbH",
        "Kundenservice",
        "Industriestraße 7",
        "86153 Augsburg",
        "",
        f"{city.split(' ', 1)[1]}, {day}. {MONTHS[month]} 2026",
        "",
        f"Kundennummer {customer}",
        f"Bestellung {order}",
        f"Betreff: {SUBJECTS[seed % len(SUBJECTS)]}",
        "",
        "Sehr geehrte Damen und Herren,",
        "",
    ]
    body = rng.sample(BODY, k=min(paragraphs, len(BODY)))
    for paragraph in body:
        lines.extend([paragraph, ""])
    lines.extend(["Mit freundlichen Grüßen", "", name])
    return Letter(lines=tuple(lines), customer_number=customer, order_number=order)


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if font.getlength(candidate) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_pages(letter: Letter, *, dpi: int = DPI, font_pt: float = 11.0) -> list[Image.Image]:
    """Grayscale A4 pages; long paragraphs wrap, a letter too long for a page continues."""
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    margin_x, margin_y = round(25 / 25.4 * dpi), round(20 / 25.4 * dpi)
    size = round(font_pt / 72 * dpi)
    regular, bold = _font(size), _font(round(size * 1.3), bold=True)
    line_height = round(size * 1.45)
    pages: list[Image.Image] = []
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    # Letterhead: the sender's name large and bold, then a rule.
    y = margin_y
    draw.text((margin_x, y), letter.lines[0], font=bold, fill=0)
    y += round(size * 1.3 * 1.6)
    draw.line((margin_x, y, width - margin_x, y), fill=0, width=max(2, dpi // 100))
    y += line_height
    for raw in letter.lines[1:]:
        for line in _wrap(raw, regular, width - 2 * margin_x) if raw else [""]:
            if y + line_height > height - margin_y:
                pages.append(page)
                page = Image.new("L", (width, height), 255)
                draw = ImageDraw.Draw(page)
                y = margin_y
            if line:
                draw.text((margin_x, y), line, font=regular, fill=0)
            y += line_height
    pages.append(page)
    return pages


def render_letter(letter: Letter, *, dpi: int = DPI) -> Image.Image:
    return render_pages(letter, dpi=dpi)[0]


# --- degradations ------------------------------------------------------------------------------


def add_noise(
    image: Image.Image, *, seed: int = 0, amount: float = 0.01, blur: float = 1.2
) -> Image.Image:
    """Salt-and-pepper specks, a slight blur and a gray paper tone."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image.convert("L"), dtype=np.uint8).copy()
    mask = rng.random(pixels.shape)
    pixels[mask < amount / 2] = 0
    pixels[mask > 1 - amount / 2] = 255
    pixels = np.clip(pixels.astype(np.int16) - 25, 0, 255).astype(np.uint8)  # grey paper
    return Image.fromarray(pixels, mode="L").filter(ImageFilter.GaussianBlur(radius=blur))


def to_jpeg(image: Image.Image, *, quality: int = 35, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=quality, dpi=(dpi, dpi))
    return buffer.getvalue()


def to_png(image: Image.Image, *, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Counter-clockwise, as the sheet would lie on the scanner turned that way."""
    if degrees % 90 == 0:
        return image.rotate(degrees, expand=True)
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def to_fax_tiff(pages: list[Image.Image], *, dpi: int = DPI, ydpi: int = 196) -> bytes:
    """1-bit CCITT G4 TIFF at fax resolution (204×196 dpi "fine", 204×98 "standard")."""
    frames = []
    for page in pages:
        size = (round(page.width * 204 / dpi), round(page.height * ydpi / dpi))
        small = page.convert("L").resize(size, Image.Resampling.LANCZOS)
        frames.append(small.point(lambda v: 255 if v > 150 else 0).convert("1", dither=None))
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="TIFF",
        compression="group4",
        dpi=(204, ydpi),
        save_all=True,
        append_images=frames[1:],
    )
    return buffer.getvalue()


def to_image_pdf(pages: list[Image.Image], *, dpi: int = DPI) -> bytes:
    """A scanner's PDF: page images only, no text layer."""
    buffer = io.BytesIO()
    pages[0].save(
        buffer, format="PDF", resolution=float(dpi), save_all=True, append_images=pages[1:]
    )
    return buffer.getvalue()


def to_text_pdf(letter: Letter) -> bytes:
    """A born-digital PDF with a real text layer (Helvetica, WinAnsi: umlauts and ß work)."""
    leading, size, top = 15, 11, 800
    commands = [f"BT /F1 {size} Tf {leading} TL 70 {top} Td"]
    # Helvetica 11 pt averages ~5.5 pt per character: 80 characters fit the 455 pt text width.
    wrapped = [part for line in letter.lines for part in (textwrap.wrap(line, 80) or [""])]
    for line in wrapped:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        commands.append(f"({escaped}) Tj T*")
    commands.append("ET")
    stream = zlib.compress("\n".join(commands).encode("cp1252"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# --- variants and scoring ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    variant: str
    content: bytes
    content_type: str
    letter: Letter
    pages: int = 1

    @property
    def reference(self) -> str:
        return self.letter.text


VARIANTS = (
    "clean",
    "noise",
    "rotated90",
    "rotated180",
    "skewed",
    "fax",
    "fax_standard",
    "noise_heavy",
    "pdf_scan_2pages",
    "pdf_text",
)


def make_sample(variant: str, *, seed: int = 0) -> Sample:
    """One rendered letter in the named variant (see ``VARIANTS``)."""
    if variant == "pdf_scan_2pages":
        # Long enough to continue on a second page.
        letter = make_letter(seed, paragraphs=len(BODY))
        pages = render_pages(letter, font_pt=16)
        assert len(pages) == 2, "the 2-page variant must really have two pages"
        return Sample(variant, to_image_pdf(pages), "application/pdf", letter, pages=2)
    letter = make_letter(seed)
    page = render_letter(letter)
    if variant == "clean":
        return Sample(variant, to_png(page), "image/png", letter)
    if variant == "noise":
        return Sample(variant, to_jpeg(add_noise(page, seed=seed)), "image/jpeg", letter)
    if variant == "rotated90":
        return Sample(variant, to_png(rotate(page, 90)), "image/png", letter)
    if variant == "rotated180":
        return Sample(variant, to_png(rotate(page, 180)), "image/png", letter)
    if variant == "skewed":
        angle = (3.0 + (seed % 3)) * (1 if seed % 2 == 0 else -1)  # 3–5°, both directions
        return Sample(variant, to_png(rotate(page, angle)), "image/png", letter)
    if variant == "fax":
        return Sample(variant, to_fax_tiff([page]), "image/tiff", letter)
    if variant == "fax_standard":
        return Sample(variant, to_fax_tiff([page], ydpi=98), "image/tiff", letter)
    if variant == "noise_heavy":
        # A worn office scanner at 150 dpi: many specks, strong blur, heavy JPEG compression.
        small = page.resize((page.width // 2, page.height // 2), Image.Resampling.LANCZOS)
        noisy = add_noise(small, seed=seed, amount=0.04, blur=1.0)
        return Sample(variant, to_jpeg(noisy, quality=20, dpi=150), "image/jpeg", letter)
    if variant == "pdf_text":
        return Sample(variant, to_text_pdf(letter), "application/pdf", letter)
    raise ValueError(f"unknown variant {variant!r}")


def _words(text: str) -> list[str]:
    normal = unicodedata.normalize("NFC", text)
    for dash in ("\u2013", "\u2014", "\u2010", "\u2011"):
        normal = normal.replace(dash, "-")
    return normal.split()


def word_accuracy(reference: str, hypothesis: str) -> float:
    """1 − word error rate (Levenshtein over word lists), floored at 0."""
    ref, hyp = _words(reference), _words(hypothesis)
    if not ref:
        return 1.0 if not hyp else 0.0
    return max(0.0, 1.0 - Levenshtein.distance(ref, hyp) / len(ref))
