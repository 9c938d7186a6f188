"""A certificate as a PDF (A4 landscape, fonts embedded) and its PNG preview.

fpdf2 writes the PDF and embeds a subset of each font used: Noto Sans for Latin, Greek and
Cyrillic, and Noto Sans CJK, as a fallback, only when a text needs it (parsing a CJK font
costs about half a second). Both fonts come from packages on PyPI and load from disk;
nothing is downloaded at run time. PDFium (pypdfium2) draws the preview.
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from pathlib import Path

import cvttf_NotoSansCJK_Regular
import fontpkg_noto_sans
import pypdfium2
import segno
from fontTools.ttLib import TTFont
from fpdf import FPDF

from bot.certificate_facts import CertificateFacts

WIDTH, HEIGHT = 297.0, 210.0  # A4 landscape, mm
INK = (33, 37, 41)
ACCENT = (29, 78, 137)
MUTED = (108, 117, 125)
QR_MM = 34.0
PREVIEW_SCALE = 1.5  # 72 dpi x 1.5: 1263 x 893 px, sharp in Slack's preview


def _latin_font() -> Path:
    return Path(fontpkg_noto_sans.__file__).parent / "files" / "NotoSans[wdth,wght].ttf"


def _cjk_font() -> Path:
    return Path(cvttf_NotoSansCJK_Regular.get_TTF_path())


@lru_cache(maxsize=1)
def _latin_characters() -> frozenset[int]:
    with TTFont(str(_latin_font()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def needs_cjk(*texts: str) -> bool:
    """Whether any character is missing from the Latin font (CJK, mostly)."""
    covered = _latin_characters()
    return any(ord(ch) not in covered for text in texts for ch in text if not ch.isspace())


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def render_pdf(facts: CertificateFacts) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(f"Certificate: {facts.training_title}")
    pdf.set_author(facts.workspace_name or "Trainbot")
    pdf.set_creator("Trainbot")
    pdf.add_page()
    pdf.add_font("Noto", "", str(_latin_font()))
    if needs_cjk(facts.person_name, facts.training_title, facts.workspace_name):
        pdf.add_font("NotoCJK", "", str(_cjk_font()))
        pdf.set_fallback_fonts(["NotoCJK"])
    _frame(pdf)
    _line(pdf, 36, "CERTIFICATE OF COMPLETION", 15, ACCENT, spacing=2.0)
    _line(pdf, 56, "This certifies that", 13, MUTED)
    _fitted(pdf, 66, facts.person_name, 34, 14)
    _line(pdf, 90, f"has completed the {facts.kind}", 13, MUTED)
    _fitted(pdf, 100, facts.training_title, 22, 16)
    where = f"  ·  {facts.workspace_name}" if facts.workspace_name else ""
    _line(pdf, 128, f"Completed on {long_date(facts.completed_on)}{where}", 12, INK)
    if facts.expires_on is not None:
        _line(pdf, 136, f"Valid until {long_date(facts.expires_on)}", 12, INK)
    _verification(pdf, facts)
    return bytes(pdf.output())


def render_png(pdf: bytes, scale: float = PREVIEW_SCALE) -> bytes:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, WIDTH - 20, HEIGHT - 20)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, WIDTH - 28, HEIGHT - 28)


def _line(
    pdf: FPDF, y: float, text: str, size: float, color: tuple[int, int, int], spacing: float = 0
) -> None:
    pdf.set_font("Noto", "", size)
    pdf.set_char_spacing(spacing)
    pdf.set_text_color(*color)
    pdf.set_xy(20, y)
    pdf.cell(WIDTH - 40, size * 0.5, text, align="C")
    pdf.set_char_spacing(0)


def _fitted(pdf: FPDF, y: float, text: str, size: float, smallest: float) -> None:
    """One line, as large as fits the width (down to `smallest`), then cut with an ellipsis."""
    width = WIDTH - 50
    pdf.set_text_color(*INK)
    while size > smallest:
        pdf.set_font("Noto", "", size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 1
    pdf.set_font("Noto", "", size)
    while pdf.get_string_width(text) > width and len(text) > 1:
        text = text[:-2] + "…"
    pdf.set_xy(25, y)
    pdf.cell(width, size * 0.5, text, align="C")


def _verification(pdf: FPDF, facts: CertificateFacts) -> None:
    """The code, grouped, and a QR code of the address that verifies it (or of the code)."""
    left, bottom = 24.0, HEIGHT - 24.0
    pdf.set_text_color(*MUTED)
    pdf.set_font("Noto", "", 10)
    pdf.set_xy(left, bottom - 22)
    pdf.cell(150, 5, "Verification code")
    pdf.set_text_color(*INK)
    pdf.set_font("Noto", "", 16)
    pdf.set_xy(left, bottom - 16)
    pdf.cell(150, 8, facts.code)
    pdf.set_text_color(*MUTED)
    pdf.set_font("Noto", "", 9)
    pdf.set_xy(left, bottom - 7)
    check = facts.verify_url or f"trainbot certificate verify {facts.code}"
    pdf.cell(170, 5, f"Check it at {check}" if facts.verify_url else f"Check it with: {check}")
    qr = segno.make(facts.verify_url or facts.code, error="m")
    matrix = [list(row) for row in qr.matrix]
    module = QR_MM / len(matrix)
    x0, y0 = WIDTH - 24.0 - QR_MM, bottom - QR_MM
    pdf.set_fill_color(*INK)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pdf.rect(x0 + x * module, y0 + y * module, module, module, style="F")
