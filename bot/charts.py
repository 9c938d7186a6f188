"""Charts as PNG bytes, drawn server-side with matplotlib (no display needed).

A white card with dark ink reads the same in Slack's light and dark themes; the
size suits Slack's image preview (600 x 300 px).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

INK, ACCENT, GRID = "#1d1c1d", "#2eb67d", "#dddddd"


def completion_chart(weeks: Sequence[tuple[datetime, int | None]], *, title: str) -> bytes:
    """Completion rate at the end of each week, oldest first (None: nothing assigned yet)."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: render to memory, never to a window
    from matplotlib import pyplot as plt

    labels = [end.strftime("%d %b") for end, _ in weeks]
    rates = [rate if rate is not None else 0 for _, rate in weeks]
    figure, axes = plt.subplots(figsize=(6, 3), dpi=100)
    try:
        figure.patch.set_facecolor("white")
        axes.bar(labels, rates, color=ACCENT, width=0.6)
        for x, (rate, (_, real)) in enumerate(zip(rates, weeks, strict=True)):
            axes.text(x, rate + 2, f"{real}%" if real is not None else "-", ha="center",
                      fontsize=8, color=INK)  # fmt: skip
        axes.set_ylim(0, 110)
        axes.set_ylabel("% completed", color=INK)
        axes.set_title(title, color=INK, fontsize=11)
        axes.tick_params(colors=INK, labelsize=8)
        axes.grid(axis="y", color=GRID)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", facecolor="white")
        return out.getvalue()
    finally:
        plt.close(figure)


def trend_chart(
    ends: Sequence[datetime], series: dict[str, list[int | None]], *, title: str
) -> bytes:
    """Completion rate over the weeks: one line per series ("All" bold), gaps where none."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    labels = [end.strftime("%d %b") for end in ends]
    figure, axes = plt.subplots(figsize=(7, 3.5), dpi=100)
    try:
        figure.patch.set_facecolor("white")
        for name, rates in series.items():
            values = [float("nan") if rate is None else rate for rate in rates]
            axes.plot(labels, values, marker="o", label=name[:30],
                      linewidth=3 if name == "All" else 1.5,
                      color=INK if name == "All" else None)  # fmt: skip
        axes.set_ylim(0, 105)
        axes.set_ylabel("% completed", color=INK)
        axes.set_title(title, color=INK, fontsize=11)
        axes.tick_params(colors=INK, labelsize=8)
        axes.grid(axis="y", color=GRID)
        axes.legend(fontsize=8, frameon=False, loc="upper left")
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png", facecolor="white")
        return out.getvalue()
    finally:
        plt.close(figure)
