"""The canvas's latency heat map: each block coloured by its share of the predicted float32
time (``Analysis.latency.blocks``), the slowest block the deepest red; nothing where the
latency is not predicted (the machine is not calibrated)."""

from __future__ import annotations

from lightdesign.analysis.latency import Latency
from lightdesign.ui.i18n import t

COOL = (255, 245, 240)  # a block that takes no time
HOT = (203, 24, 29)  # the slowest block
TONE = "latency"  # the badge's style (canvas_frontend/src/canvas.css)


def shares(latency: Latency | None, precision: str = "fp32") -> dict[int, float]:
    """Block index -> its share of the predicted total (empty when not predicted)."""
    total = latency.ms(precision) if latency is not None else None
    if not total:
        return {}
    return {index: times.get(precision, 0.0) / total for index, times in latency.blocks.items() if index >= 0}


def colour(share: float, hottest: float) -> str:
    """The fill of a block taking ``share`` of the time, ``hottest`` being the largest share."""
    heat = share / hottest if hottest > 0 else 0.0
    mixed = (round(c + (h - c) * heat) for c, h in zip(COOL, HOT, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def fills(latency: Latency | None) -> dict[int, tuple[str, dict[str, str]]]:
    """Block index -> (its fill, its badge: the share and the milliseconds on hover)."""
    found = shares(latency)
    hottest = max(found.values(), default=0.0)
    out = {}
    for index, share in found.items():
        ms = latency.blocks[index].get("fp32", 0.0)
        title = t("canvas.heat.badge_title", ms=ms, share=share)
        out[index] = (colour(share, hottest), {"text": f"{share:.0%}", "title": title, "tone": TONE})
    return out
