"""Reading text back from an image with Tesseract OCR (the `tesseract` command).

Used to prove that a certificate's PDF draws names in any script as readable glyphs, not
only that it carries them in its text layer. In CI a missing Tesseract fails the test
(scripts/test installs it); elsewhere the test is skipped with what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata

import pytest

from tests.support.browser import in_ci

LANGUAGES = ("pol", "swe", "fra", "rus", "ell", "jpn", "kor", "chi_sim")
HINT = (
    "Install Tesseract and its language data (Debian/Ubuntu: `apt-get install tesseract-ocr "
    + " ".join(f"tesseract-ocr-{lang.replace('_', '-')}" for lang in LANGUAGES)
    + "`); scripts/test installs them in CI."
)


def require_tesseract() -> None:
    """Fail (in CI) or skip (elsewhere) unless tesseract and every language are installed."""
    problem = None
    if shutil.which("tesseract") is None:
        problem = "no `tesseract` on PATH"
    else:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                                check=False).stdout.split()  # fmt: skip
        missing = [lang for lang in LANGUAGES if lang not in listed]
        if missing:
            problem = f"Tesseract lacks the language data {', '.join(missing)}"
    if problem is None:
        return
    if in_ci(os.environ):
        pytest.fail(f"{problem}: the OCR test needs it in CI. {HINT}")
    pytest.skip(f"{problem}. {HINT}")


def read_line(png: bytes, language: str) -> str:
    """The one line of text Tesseract reads in this PNG."""
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", language, "--psm", "7"],
        input=png, capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.decode().strip()


def folded(text: str) -> str:
    """For comparing what OCR read: no spaces, no accents (OCR confuses ë and é)."""
    decomposed = unicodedata.normalize("NFKD", "".join(text.split()))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]
