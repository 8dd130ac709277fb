"""Will it fit, in the app: the pinned "fits N of M targets", the budget's target device and
the person's own targets (AppTest), checked against ``analysis.fit`` and the catalogue."""

from streamlit.proto.Block_pb2 import Block as BlockProto

from lightdesign.analysis import fit, targets
from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.ui import targets_view
from lightdesign.ui.markup import md

from .conftest import new_app, open_preset, open_tab, run_until, workspace


def popover_labels(at) -> list[str]:
    """The labels of the page's popovers (AppTest has no popover element of its own)."""
    found = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if isinstance(proto, BlockProto) and proto.WhichOneof("type") == "popover":
            found.append(proto.popover.label)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def footprint_of(at) -> fit.Footprint:
    return fit.footprint(analyze(workspace(at).design))


def test_the_pinned_figure_counts_the_targets_the_fit_check_passes(app):
    open_preset(app, "squeezenet_1_1")
    verdicts = fit.check_all(footprint_of(app), targets.TARGETS)
    fitting = sum(v.fits for v in verdicts)
    assert 0 < fitting < len(targets.TARGETS), "SqueezeNet 1.1 fits some targets and not others"
    assert f"fits {fitting} of {len(targets.TARGETS)} targets" in popover_labels(app)
    table = next(table.value for table in app.table if "verdict" in table.value.columns)
    assert list(table["target"]) == [t.name for t in targets.TARGETS]
    assert list(table["verdict"]) == ["fits" if v.fits else "does not fit" for v in verdicts]
    for row, verdict in zip(table.to_dict("records"), verdicts, strict=True):
        if verdict.blocking is not None:
            assert row["what blocks it"] == f"blocked by {'RAM' if verdict.blocking is fit.Memory.RAM else 'flash'}"


def test_the_parts_table_shows_each_figure_with_estimate_labels(app):
    footprint = footprint_of(app)
    parts = next(table.value for table in app.table if "basis" in table.value.columns)
    assert list(parts["bytes"]) == [f"{p.bytes:,} B" for p in footprint.parts]
    assert list(parts["measured or estimate"]) == ["measured" if p.measured else "estimate" for p in footprint.parts]
    assert "kernel code of the operators used" in list(parts["part"])


def test_picking_a_target_sets_the_budget_and_is_kept_with_the_workspace(app):
    open_preset(app, "squeezenet_1_1")
    footprint = footprint_of(app)
    too_small = next(t for t in targets.TARGETS if not fit.check(footprint, t).fits)
    roomy = next(t for t in targets.TARGETS if fit.check(footprint, t).fits)
    open_tab(app, "tab.budget")
    app.selectbox(key=targets_view.PICK).set_value(too_small.id).run()
    assert not app.exception, app.exception
    assert any(too_small.name in e.value and e.value.startswith("Over budget") for e in app.error)
    assert any(label.endswith(f":red[does not fit {too_small.name}]") for label in popover_labels(app))
    app.selectbox(key=targets_view.PICK).set_value(roomy.id).run()
    assert not any(e.value.startswith("Over budget") for e in app.error)
    assert any(label.endswith(f":green[fits {roomy.name}]") for label in popover_labels(app))
    again = new_app()
    again.query_params["w"] = workspace(app).id
    again.run()
    assert workspace(again).settings[targets_view.PICKED_SETTING] == roomy.id


def add_target(at, name, sram, flash):
    at.text_input(key=targets_view.NEW_NAME).set_value(name)
    at.text_input(key=targets_view.NEW_SRAM).set_value(sram)
    at.text_input(key=targets_view.NEW_FLASH).set_value(flash)
    at.button(key=targets_view.ADD).click().run()
    assert not at.exception, at.exception


def test_a_users_target_is_validated_counted_and_kept(app):
    open_tab(app, "tab.budget")
    add_target(app, "", "256KB", "1MB")
    assert any("needs a name of 1 to 60 characters" in e.value for e in app.error)
    add_target(app, "My board", "lots", "1MB")
    assert any("SRAM: 'lots' is not an amount of bytes; write e.g. 512KB or 2MB" in e.value for e in app.error)
    add_target(app, "My board", "64KB", "0")
    assert any(e.value.startswith("flash: '0' is not an amount of bytes") for e in app.error)
    assert not workspace(app).settings.get(targets_view.USER_SETTING)

    add_target(app, "My board", "8KB", "64KB")  # too small for the seed CNN
    mine = targets.target_of(targets.UserTarget("My board", 8 * 1024, 64 * 1024))
    everything = [*targets.TARGETS, mine]
    fitting = sum(fit.check(footprint_of(app), t).fits for t in everything)
    assert any(label.startswith(f"fits {fitting} of {len(everything)} targets") for label in popover_labels(app))
    assert app.selectbox(key=targets_view.PICK).value == mine.id, "a new target is picked for the budget"
    assert any("My board" in e.value and e.value.startswith("Over budget") for e in app.error)

    add_target(app, "my board", "1MB", "2MB")
    assert any("called my board already" in e.value for e in app.error), "same id as 'My board'"
    again = new_app()
    again.query_params["w"] = workspace(app).id
    again.run()
    assert workspace(again).settings[targets_view.USER_SETTING] == [{"name": "My board", "sram": 8192, "flash": 65536}]


def test_the_figure_is_in_chinese_too():
    at = new_app()
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    verdicts = fit.check_all(fit.footprint(analyze(presets.build("seed_cnn"))), targets.TARGETS)
    count = sum(v.fits for v in verdicts)
    assert f"可部署到 {len(targets.TARGETS)} 个目标中的 {count} 个" in popover_labels(at)


def test_the_scan_applies_the_largest_design_that_fits_the_picked_target(app):
    tiny = targets.target_of(targets.UserTarget("Tiny", 16 * 1024, 1024 * 1024))
    assert not fit.check(footprint_of(app), tiny).fits, "the seed CNN needs more RAM than Tiny has"
    open_tab(app, "tab.budget")
    add_target(app, "Tiny", "16KB", "1MB")
    open_tab(app, "tab.scaling")
    app.toggle(key="w_show_scaling").set_value(True).run()
    run_until(app, lambda a: any(b.key == "apply_scaled_width_resolution" for b in a.button), timeout=120)
    before = set(workspace(app).names)
    next(b for b in app.button if b.key == "apply_scaled_width_resolution").click().run()
    assert not app.exception, app.exception
    (added,) = set(workspace(app).names) - before
    applied = fit.check(fit.footprint(analyze(workspace(app).design)), tiny)
    assert applied.fits, f"{added} needs {applied.ram:,} B of RAM, Tiny has {tiny.ram:,}"


def test_a_target_name_is_shown_as_text_not_markup(app):
    name = "**big** :red[board] _x_"
    open_tab(app, "tab.budget")
    add_target(app, name, "8KB", "64KB")
    over = next(e.value for e in app.error if e.value.startswith("Over budget"))
    assert md(name) in over
    assert any(label.endswith(f":red[does not fit {md(name)}]") for label in popover_labels(app))
    assert app.selectbox(key=targets_view.PICK).value == targets.UserTarget(name, 8192, 65536).id
