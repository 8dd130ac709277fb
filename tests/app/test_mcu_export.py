"""The Export page's microcontroller bundle download and the converted file's operators
beside the prediction, from an export result made here (a real export takes minutes:
tests/keras covers the bundle's contents)."""

import io
import zipfile

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.jobs.specs import WORK_ROOT, new_work_dir


def _export_section(bundle_path, operators):
    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.jobs.messages import ExportedFile, ExportResult
    from lightdesign.ui import export_view, mcu_export_view

    result = analyze(presets.build("seed_cnn"))
    bundle = ExportedFile(path=bundle_path, bytes=1) if bundle_path else None
    out = ExportResult(
        files={},
        latency_ms={},
        weights="initial weights",
        calibration="random samples",
        latency_runs=5,
        operators=tuple(operators),
        bundle=bundle,
    )
    mcu_export_view.operators(out, result)
    mcu_export_view.bundle(out, "seed_cnn", export_view._safe_bytes)


def predicted() -> list[str]:
    """The operators the lowering makes of the seed CNN (the deployment plan's, not the view's)."""
    return sorted({op.kind for op in analyze(presets.build("seed_cnn")).deployment.ops})


def section(bundle_path, operators) -> AppTest:
    at = AppTest.from_function(_export_section, args=(bundle_path, operators), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def bundle_zip():
    path = new_work_dir() / "seed_cnn_mcu.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model_data.cc", "const unsigned char g_model[] = {0x1c};\n")
    path.write_bytes(buffer.getvalue())
    return path


def test_the_bundle_is_offered_for_download_with_its_bytes(bundle_zip, monkeypatch):
    stores = []  # AppTest's media storage of the run, which keeps what a download serves
    original = MemoryMediaFileStorage.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        stores.append(self)

    monkeypatch.setattr(MemoryMediaFileStorage, "__init__", keep)
    at = section(str(bundle_zip), predicted())
    (button,) = at.get("download_button")
    assert button.proto.label == "Download the microcontroller bundle (.zip)"
    served = stores[-1].get_file(button.proto.url.rsplit("/", 1)[-1])
    assert served.content == bundle_zip.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(served.content)).namelist() == ["model_data.cc"]


def test_no_bundle_is_offered_outside_the_work_folder(tmp_path):
    outside = tmp_path / "elsewhere.zip"
    outside.write_bytes(b"PK")
    assert WORK_ROOT.resolve() not in outside.resolve().parents
    at = section(str(outside), predicted())
    assert not at.get("download_button")
    assert any("No microcontroller bundle" in c.value for c in at.caption)


def test_the_files_operators_agree_with_the_prediction(bundle_zip):
    ops = predicted()
    at = section(str(bundle_zip), ops)
    assert [s.value for s in at.success] == [f"The file's {len(ops)} operators are exactly those predicted."]
    table = at.dataframe[0].value
    assert list(table["operator"]) == ops
    assert set(table["predicted"]) == set(table["in the file"]) == {"yes"}


def test_a_disagreement_names_the_operators_on_each_side(bundle_zip):
    ops = predicted()
    found = [*ops[1:], "GATHER"]
    at = section(str(bundle_zip), found)
    assert not at.success
    (warning,) = [w.value for w in at.warning]
    assert f"predicted but not in the file: {ops[0]}" in warning
    assert "in the file but not predicted: GATHER" in warning
    rows = {r["operator"]: (r["predicted"], r["in the file"]) for r in at.dataframe[0].value.to_dict("records")}
    assert rows[ops[0]] == ("yes", "no")
    assert rows["GATHER"] == ("no", "yes")


@pytest.mark.keras  # exports in a TensorFlow worker
def test_a_real_export_offers_the_bundle_and_its_operators_agree_with_the_prediction():
    from .conftest import new_app, run_until

    app = new_app()
    app.run()
    app.switch_page("pages/export.py").run()
    app.number_input(key="export_latency_runs").set_value(5).run()
    app.button(key="start_export").click().run()
    done = "The file's"
    run_until(app, lambda a: any(done in m.value for m in [*a.success, *a.warning]) or a.error, timeout=300)
    assert not [e.value for e in app.error], [e.value for e in app.error]
    ops = predicted()
    assert f"The file's {len(ops)} operators are exactly those predicted." in [s.value for s in app.success]
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Download the microcontroller bundle (.zip)" in labels


def _measured_section(file_bytes, head):
    from lightdesign.analysis.network import analyze
    from lightdesign.core import presets
    from lightdesign.jobs.messages import ExportedFile, ExportResult, MicroArena, ModelFormat
    from lightdesign.ui import mcu_export_view

    out = ExportResult(
        files={ModelFormat.TFLITE_INT8: ExportedFile(path=None, bytes=file_bytes)},
        latency_ms={},
        weights="initial weights",
        calibration="random samples",
        latency_runs=5,
        arena=MicroArena(head=head, tail=0, total=head, estimate=head),
    )
    mcu_export_view.measured_fit(out, analyze(presets.build("seed_cnn")))


def test_the_fit_after_an_export_takes_the_measured_file_and_arena():
    from lightdesign.analysis import fit
    from lightdesign.core import format as fmt

    at = AppTest.from_function(_measured_section, args=(123_456, 7_000), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    measured = fit.footprint(analyze(presets.build("seed_cnn")), fit.Measured(flatbuffer=123_456, arena_head=7_000))
    assert measured.part("model").bytes == 123_456 and measured.part("activations").bytes == 7_000
    (caption,) = [c.value for c in at.caption]
    assert fmt.size(measured.ram) in caption and fmt.size(measured.flash) in caption
