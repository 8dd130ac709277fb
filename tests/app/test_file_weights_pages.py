"""The Train and Export pages say whether an imported file's weights are used and, once
the structure is edited, which layers keep them; the Design page keeps the file's record."""

from lightdesign.importers.weights import MODEL_FILES, file_record, keep_model_file, layer_sizes
from lightdesign.store import open_store
from tests.app.conftest import workspace
from tests.importers import onnx_models


def lend_weights(app, file_name="small.keras"):
    """Record the current design as imported from a .keras file carrying all its weights, the
    file owned by the workspace as the Design page keeps it."""
    ws = workspace(app)
    weights = {name: [(size,) for size in sizes] for name, sizes in layer_sizes(ws.design)}
    path = keep_model_file(b"kept", file_name)
    open_store().add_file(ws.id, ws.current_id, path.parent)
    ws.set_setting(MODEL_FILES, {ws.current_id: file_record(file_name, "keras", path, weights)})
    return weights


def texts(app):
    return [e.value for e in [*app.info, *app.warning]]


def test_an_imported_onnx_file_is_kept_and_the_train_page_fine_tunes_from_it(app):
    app.file_uploader(key="model_upload").set_value(("res.onnx", onnx_models.residual(), "x")).run()
    assert not app.exception, app.exception
    ws = workspace(app)
    record = ws.settings[MODEL_FILES][ws.current_id]
    assert record["file"] == "res.onnx" and record["format"] == "onnx" and record["path"]
    assert record["input_shape"] is None and len(record["weights"]) == 4
    app.switch_page("pages/train.py").run()
    assert (
        "Training starts from the weights of **res.onnx** (fine-tuning): all 4 layers with weights "
        "keep the file's weights." in texts(app)
    )


def test_train_page_fine_tunes_from_the_file_and_names_the_edited_layers(app):
    weights = lend_weights(app)
    app.switch_page("pages/train.py").run()
    assert not app.exception, app.exception
    assert (
        f"Training starts from the weights of **small.keras** (fine-tuning): all {len(weights)} layers with weights "
        "keep the file's weights." in texts(app)
    )
    ws = workspace(app)
    dense = next(b for b in reversed(ws.design.blocks) if b.kind == "Dense")

    def wider(design):
        design = design.copy()
        design.block_named(dense.name).params["units"] += 1
        return design

    ws.apply(wider)
    app.run()
    warning = next(s for s in texts(app) if s.startswith("Training starts from the weights of **small.keras** for"))
    assert f"`{dense.name}`" in warning and f"{len(weights) - 1} of {len(weights)} layers" in warning


def test_export_page_offers_the_file_weights(app):
    lend_weights(app, "mine.keras")
    app.switch_page("pages/export.py").run()
    assert not app.exception, app.exception
    choice = next(s for s in app.selectbox if s.label == "Weights")
    assert choice.value == "file" and "Weights of mine.keras (imported)" in choice.options
    assert any(s.startswith("Exports the weights of **mine.keras** as they are") for s in texts(app))


def test_a_record_pointing_at_a_file_the_workspace_does_not_own_lends_nothing(app, monkeypatch):
    """A model file's record that names another workspace's kept file (absolute, or relative
    to the server's folder, as a crafted archive could leave it) lends no weights."""
    ws = workspace(app)
    weights = {name: [(size,) for size in sizes] for name, sizes in layer_sizes(ws.design)}
    theirs = keep_model_file(b"another store's weights", "base.keras")  # owned by no workspace here
    monkeypatch.chdir(theirs.parent.parent)
    for path in (str(theirs), f"{theirs.parent.name}/base.keras"):
        record = {**file_record("base.keras", "keras", None, weights), "path": path}
        ws.set_setting(MODEL_FILES, {ws.current_id: record})
        app.switch_page("pages/train.py").run()
        assert not app.exception, app.exception
        assert not any("starts from the weights of" in text for text in texts(app)), texts(app)
        assert any("is gone, or is not one of this workspace's files" in text for text in texts(app)), texts(app)
