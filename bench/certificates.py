"""How long a certificate takes to draw, and how much memory it needs, next to the floor.

    .venv/bin/python -m bench.certificates            # N=50 per script, about a minute
    .venv/bin/python -m bench.certificates --n 10     # a quick look

Each script runs in a process of its own, so each peak is its own: the floor (fpdf2 writing
one line in a core font, nothing embedded), then Trainbot's certificate (`render_pdf`, and
`render_png` for the preview) for a name in Latin with diacritics, in Cyrillic and Greek,
and in CJK (the fallback font). A process renders once to warm up (timed as "first"), then
N times. It reports the medians and p95, the file sizes, and the process's resident memory
before the first certificate and at its peak (ru_maxrss), which is what a `trainbot serve`
worker pays once to deliver certificates. Figures go to bench/results/certificates.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.timing import machine_info

RESULTS = Path(__file__).parent / "results" / "certificates.json"
SCRIPTS = {
    "floor": "",
    "latin": "Zoë Ångström-Núñez",
    "cyrillic+greek": "Юлия Смирнова · Αλέξανδρος Παπαδόπουλος",
    "cjk": "山田 花子 · 김민준",
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _child(script: str, n: int) -> dict[str, Any]:
    """Runs in its own process: one warm-up render, then n timed ones."""
    from fpdf import FPDF

    from bot.certificate_pdf import CertificateFacts, render_pdf, render_png

    facts = CertificateFacts(
        code="7QTX-J6CH-HNG6-G9AF", person_name=SCRIPTS[script],
        training_title="Information Security Essentials for Everyone", kind="course",
        workspace_name="Acme Learning", completed_on=date(2026, 12, 6),
        expires_on=date(2027, 12, 6),
        verify_url="https://trainbot.example.com/certificates/7QTXJ6CHHNG6G9AF",
    )  # fmt: skip

    def floor(_: CertificateFacts) -> bytes:
        pdf = FPDF(orientation="L", format="A4")
        pdf.add_page()
        pdf.set_font("Helvetica", size=24)
        pdf.cell(0, 20, "Certificate of completion")
        return bytes(pdf.output())

    draw = floor if script == "floor" else render_pdf
    before = _rss_mb()
    start = time.perf_counter()
    pdf = draw(facts)
    png = b"" if script == "floor" else render_png(pdf)
    first_ms = (time.perf_counter() - start) * 1000
    pdf_ms: list[float] = []
    png_ms: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        pdf = draw(facts)
        pdf_ms.append((time.perf_counter() - start) * 1000)
        if script != "floor":
            start = time.perf_counter()
            png = render_png(pdf)
            png_ms.append((time.perf_counter() - start) * 1000)
    return {
        "script": script, "n": n, "first_ms": first_ms, "pdf_ms": pdf_ms, "png_ms": png_ms,
        "pdf_bytes": len(pdf), "png_bytes": len(png), "rss_before_mb": before,
        "rss_peak_mb": _rss_mb(),
    }  # fmt: skip


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _row(r: dict[str, Any]) -> str:
    png = (
        f"{statistics.median(r['png_ms']):.1f} / {_p(r['png_ms'], 0.95):.1f}"
        if r["png_ms"]
        else "-"
    )
    return (
        f"| {r['script']} | {r['first_ms']:.1f} | {statistics.median(r['pdf_ms']):.1f} / "
        f"{_p(r['pdf_ms'], 0.95):.1f} | {png} | {r['pdf_bytes'] / 1024:.1f} / "
        f"{r['png_bytes'] / 1024:.0f} | {r['rss_before_mb']:.0f} | {r['rss_peak_mb']:.0f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="renders per script (after one warm-up)")
    parser.add_argument("--json", type=Path, default=RESULTS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.n)))
        return 0
    results = []
    for script in SCRIPTS:
        print(f"certificates: {script} x {args.n}", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, "-m", "bench.certificates", "--child", script, "--n", str(args.n)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        results.append(json.loads(done.stdout))
    print("| script | first (ms) | PDF median / p95 (ms) | PNG median / p95 (ms) | "
          "PDF / PNG (KiB) | RSS before (MB) | RSS peak (MB) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(_row(r))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": machine_info(), "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
