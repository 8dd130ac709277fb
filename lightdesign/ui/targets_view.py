"""The targets a person deploys to: the catalogue's and their own (name, SRAM, flash), kept in
the workspace's settings, and the one picked for the budget (``budget_view`` sets it on the
``Budget``, so the figures' colours and the width x resolution scan follow it)."""

from __future__ import annotations

import streamlit as st

from lightdesign.analysis import targets
from lightdesign.analysis.targets import Target, TargetError, UserTarget
from lightdesign.core import format as fmt
from lightdesign.ui import actions, icons, state
from lightdesign.ui.i18n import labels, t
from lightdesign.ui.markup import md

# Workspace settings (kept in the store with the workspace, as the budget is).
PICKED_SETTING = "budget_target"  # the id of the target the budget must fit ('' or absent: none)
USER_SETTING = "user_targets"  # [UserTarget.to_dict(), ...]

PICK = "target_pick"  # the picker's widget
NEW_NAME = "target_new_name"
NEW_SRAM = "target_new_sram"
NEW_FLASH = "target_new_flash"
ADD = "target_add"
ERROR_KEY = ("targets", "new")  # the add form's refusal, in actions.FIELD_ERRORS
NONE = ""


def user_targets() -> list[UserTarget]:
    """The targets this workspace's person defined."""
    return targets.user_targets(state.workspace().settings.get(USER_SETTING))


def every_target() -> list[Target]:
    """The catalogue's targets, then the person's."""
    return targets.all_targets(user_targets())


def chosen() -> Target | None:
    """The target the budget must fit (None when none is picked, or it was removed)."""
    picked = state.workspace().settings.get(PICKED_SETTING)
    if not isinstance(picked, str) or not picked:
        return None
    try:
        return targets.get(picked, user_targets())
    except TargetError:
        return None


def label(target: Target) -> str:
    """A target as the picker lists it: its name and memory."""
    flash = fmt.size(target.flash) if target.flash is not None else t("fit.no_limit")
    return t("targets.option", name=target.name, ram=fmt.size(target.ram), flash=flash)


def _pick() -> None:
    state.workspace().set_setting(PICKED_SETTING, st.session_state[PICK] or NONE)


def picker() -> None:
    """The budget's target: picking one makes the int8 deployment's RAM and flash limits."""
    options = [NONE, *(target.id for target in every_target())]
    by_id = {target.id: target for target in every_target()}
    current = chosen()
    st.session_state[PICK] = current.id if current is not None else NONE
    st.selectbox(
        t("targets.pick"),
        options,
        key=PICK,
        on_change=_pick,
        format_func=labels(
            options, lambda target_id: t("targets.none") if target_id == NONE else label(by_id[target_id])
        ),
        help=t("targets.pick.help"),
    )


def parse_new(name: str, sram: str, flash: str) -> UserTarget:
    """A user target from the add form's text; TargetError with a one-line message (in the
    interface's language) naming what is wrong and what is valid."""
    name = (name or "").strip()
    if not name or len(name) > targets.MAX_NAME:
        raise TargetError(t("targets.bad_name", most=targets.MAX_NAME))
    amounts = {}
    for what, field, text in (("sram", t("target.sram"), sram), ("flash", t("target.flash"), flash)):
        try:
            amounts[what] = fmt.parse_amount((text or "").strip())
        except ValueError:
            amounts[what] = 0
        if not 1 <= amounts[what] <= targets.MAX_MEMORY:
            raise TargetError(t("targets.bad_memory", what=field, text=text or ""))
    made = UserTarget(name, amounts["sram"], amounts["flash"])
    if made.id in {u.id for u in user_targets()}:
        raise TargetError(t("targets.duplicate", name=name))
    return made


def _add() -> None:
    errors = st.session_state.setdefault(actions.FIELD_ERRORS, {})
    try:
        made = parse_new(
            st.session_state.get(NEW_NAME), st.session_state.get(NEW_SRAM), st.session_state.get(NEW_FLASH)
        )
    except TargetError as exc:
        errors[ERROR_KEY] = str(exc)
        return
    errors.pop(ERROR_KEY, None)
    ws = state.workspace()
    ws.set_setting(USER_SETTING, [*(u.to_dict() for u in user_targets()), made.to_dict()])
    ws.set_setting(PICKED_SETTING, made.id)
    for widget in (NEW_NAME, NEW_SRAM, NEW_FLASH):
        st.session_state[widget] = ""
    state.flash("success", t("targets.added", name=made.name))


def _remove(target_id: str) -> None:
    ws = state.workspace()
    ws.set_setting(USER_SETTING, [u.to_dict() for u in user_targets() if u.id != target_id])
    if ws.settings.get(PICKED_SETTING) == target_id:
        ws.set_setting(PICKED_SETTING, NONE)


def own_targets() -> None:
    """Add a target of one's own (name, SRAM, flash), or remove one."""
    with st.expander(t("targets.own")):
        with st.form("target_new", clear_on_submit=False, border=False):
            cols = st.columns([2, 1, 1], vertical_alignment="bottom")
            cols[0].text_input(t("targets.new.name"), key=NEW_NAME, max_chars=targets.MAX_NAME)
            cols[1].text_input(t("target.sram"), key=NEW_SRAM, placeholder="512KB", help=t("budget.amount.help"))
            cols[2].text_input(t("target.flash"), key=NEW_FLASH, placeholder="2MB", help=t("budget.amount.help"))
            st.form_submit_button(t("targets.add"), key=ADD, on_click=_add)
        message = actions.field_error(ERROR_KEY)
        if message:
            st.error(md(message), icon=icons.ERROR)
        for user in user_targets():
            cols = st.columns([4, 1], vertical_alignment="center")
            cols[0].markdown(md(label(targets.target_of(user))))
            cols[1].button(t("targets.remove"), key=f"target_remove_{user.id}", on_click=_remove, args=(user.id,))
