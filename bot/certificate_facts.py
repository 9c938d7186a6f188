"""What a certificate says: the facts its PDF is drawn from (bot/certificate_pdf.py).

Kept apart from the drawing so that the services can name them without loading fpdf2,
fontTools, PDFium and their fonts (about 70 MB of a process's memory) until a
certificate is actually drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CertificateFacts:
    code: str  # grouped for reading aloud
    person_name: str
    training_title: str
    kind: str  # "course", "learning path" or "training"
    workspace_name: str
    completed_on: date
    expires_on: date | None
    verify_url: str | None  # <public url>/certificates/<code>, when the deployment has one
