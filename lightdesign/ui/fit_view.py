"""Will it fit: "fits N of M targets" in the Design page's figures row, and behind it each
target's verdict, margin and blocking figure, and the int8 deployment's RAM and flash part
by part with how each was found (``analysis.fit``)."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis import fit
from lightdesign.analysis.network import Analysis
from lightdesign.core import format as fmt
from lightdesign.ui import icons, targets_view
from lightdesign.ui.i18n import t
from lightdesign.ui.markup import md


def _margin(verdict: fit.Fit) -> str:
    """The tighter of the two margins (RAM or flash), signed, with its memory."""
    known = {m: v for m, v in verdict.margins.items() if v is not None}
    memory = min(known, key=known.__getitem__)
    sign = "−" if known[memory] < 0 else "+"
    return f"{sign}{fmt.size(abs(known[memory]))} {t(fit.MEMORY_LABELS[memory])}"


def _used(verdict: fit.Fit, memory: fit.Memory) -> str:
    used = verdict.ram if memory is fit.Memory.RAM else verdict.flash
    limit = verdict.limit(memory)
    if limit is None:
        return f"{fmt.size(used)} · {t('fit.no_limit')}"
    return f"{fmt.size(used)} / {fmt.size(limit)} ({verdict.share(memory):.0%})"


def why_not(verdict: fit.Fit) -> str:
    """What keeps the design off a target ('' when it fits): the memory most over, or the
    operators TFLite Micro cannot run."""
    if verdict.fits:
        return ""
    blocking = verdict.blocking
    if blocking is None:
        return t("fit.blocked_by_ops")
    return t("fit.blocked_by", memory=t(fit.MEMORY_LABELS[blocking]))


def target_rows(verdicts: list[fit.Fit]) -> list[dict[str, str]]:
    """One row per target: the verdict, RAM and flash against its figures, the margin, and
    what blocks it."""
    rows = []
    for verdict in verdicts:
        rows.append(
            {
                t("target.name"): verdict.target.name,
                t("fit.verdict"): t("fit.fits") if verdict.fits else t("fit.does_not_fit"),
                t("fit.ram"): _used(verdict, fit.Memory.RAM),
                t("fit.flash"): _used(verdict, fit.Memory.FLASH),
                t("fit.margin"): _margin(verdict),
                t("fit.blocking"): why_not(verdict),
            }
        )
    return rows


def part_rows(footprint: fit.Footprint) -> list[dict[str, str]]:
    """The footprint part by part: memory, bytes, measured or estimate, and the basis."""
    return [
        {
            t("fit.memory"): t(fit.MEMORY_LABELS[part.memory]),
            t("fit.part"): t(fit.PART_LABELS[part.key]),
            t("fit.bytes"): f"{part.bytes:,} B",
            t("fit.how"): t("fit.measured") if part.measured else t("fit.estimated"),
            t("fit.basis"): t(part.basis),
        }
        for part in footprint.parts
    ]


def figure(result: Analysis, column) -> None:
    """The pinned "fits N of M targets" and, behind it, the verdicts and the parts."""
    if result.deployment is None:
        return
    footprint = fit.footprint(result)
    verdicts = fit.check_all(footprint, targets_view.every_target())
    count, total = fit.count_fitting(verdicts)
    shown = t("fit.count", fits=count, total=total)
    picked = targets_view.chosen()
    if picked is not None:
        verdict = fit.check(footprint, picked)
        said = t("fit.picked_fits" if verdict.fits else "fit.picked_over", target=md(picked.name))
        shown += f" · :{'green' if verdict.fits else 'red'}[{said}]"  # coloured as the budget's figures are
    with column.popover(shown, help=t("fit.count.help")):
        if not footprint.supported:
            st.warning(t("fit.unsupported"), icon=icons.WARNING)
        st.caption(t("fit.totals", ram=fmt.size(footprint.ram), flash=fmt.size(footprint.flash)))
        # static tables: a popover's content is drawn while it is closed, and these stay small
        st.table(target_rows(verdicts), hide_index=True)
        st.table(part_rows(footprint), hide_index=True)
