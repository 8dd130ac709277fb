"""Train page: brief training of the current design, in a worker process, with live curves."""

import streamlit as st

from lightdesign.ui import file_weights, icons, run_log, state, train_data, train_view, workspace_bar
from lightdesign.ui.i18n import t
from lightdesign.ui.job_view import tensorflow_note

with st.sidebar:
    workspace_bar.design_picker()
_, result = state.page_header("train.title", "train.design_errors")

st.subheader(t("train.data"))
key, dataset = train_data.choose_dataset()
if dataset is not None:
    train_data.preview(dataset, key)
matches = train_data.match_design(result, key, dataset)

st.subheader(t("train.settings"))
settings = train_view.settings_form()
file_weights.notice("train", file_weights.lent(result.design))
refusal = train_view.estimates(result, settings, train_data.train_count(dataset))
if refusal:
    st.error(refusal, icon=icons.ERROR)

job = train_view.current_job()
busy = job is not None and job.active
st.button(
    t("train.start"),
    key="start_training",
    type="primary",
    disabled=busy or bool(result.errors) or not matches or bool(refusal) or train_data.waiting_for_upload(key, dataset),
    on_click=train_view.start,
    args=(result, key, dataset, settings),
)
if not busy and (note := tensorflow_note()):
    st.caption(note)

st.subheader(t("train.run"))
if job is None:
    st.caption(t("train.no_run"))
elif not train_view.belongs_here(job):  # this session's last run trained another design
    train_view.other_design(job)
elif job.active:
    train_view.live_fragment()
else:
    train_view.results(job)
run_log.show_unfinished(state.workspace().current, job.id if job else None)
