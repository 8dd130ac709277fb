"""Hostile input catalogue: each case asserts the exact message a person sees and that the
workspace is unchanged."""

import ast
import base64
import io
import json
import re
import zipfile
import zlib

import numpy as np
import pytest

from lightdesign.core import presets, share
from lightdesign.core.format import size
from lightdesign.data import uploads
from lightdesign.data.dataset import Dataset
from lightdesign.output.codegen import generate

from .conftest import new_app


def fresh():
    app = new_app()
    app.run()
    return app


def snapshot(app):
    ws = app.session_state["workspace"]
    return ws.names, [d.to_dict() for d in ws.designs.values()]


def seed() -> dict:
    return json.loads(presets.build("seed_cnn").to_json())


def upload_design(content: bytes, name: str = "bad.json") -> str:
    app = fresh()
    before = snapshot(app)
    app.file_uploader(key="design_upload").set_value((name, content, "application/json")).run()
    assert not app.exception, app.exception
    assert snapshot(app) == before, "the workspace changed"
    (message,) = [shown(e.value) for e in app.error]
    prefix, suffix = f"Could not open {name!r}: ", ". Your workspace is unchanged."
    assert message.startswith(prefix) and message.endswith(suffix)
    return message[len(prefix) : -len(suffix)]


def mutated(change) -> bytes:
    data = seed()
    change(data)
    return json.dumps(data).encode()


def test_design_file_that_is_not_json():
    assert upload_design(b"{oops") == (
        "the design file is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )


def test_design_file_too_large():
    assert upload_design(b" " * 600_000) == "the file is 600,000 bytes; the limit is 524,288 bytes"


def test_design_file_deeply_nested():
    assert upload_design(b"[" * 50_000 + b"]" * 50_000) == "the design file is nested too deeply to be a design"


def test_design_file_wrong_version():
    message = upload_design(mutated(lambda d: d.update(format_version=2)))
    assert message == "format_version 2 is not supported; this LightDesign reads version 1"


def test_design_file_unknown_kind():
    message = upload_design(mutated(lambda d: d["blocks"][0].update(kind="EvalLayer")))
    assert message.startswith("block 1: unknown layer kind 'EvalLayer'; valid kinds: ")


def test_design_file_extra_fields():
    message = upload_design(mutated(lambda d: d["blocks"][0]["params"].update(exec="print(1)")))
    assert message.startswith("block 1 'conv1': Conv2D has no field 'exec'; its fields are filters, kernel_size")
    assert upload_design(mutated(lambda d: d.update(script="x"))).startswith("unknown design field 'script'")


def test_design_file_huge_channels_and_resolution_are_bounded():
    message = upload_design(mutated(lambda d: d["blocks"][0]["params"].update(filters=10**9)))
    assert message == "block 1 'conv1': filters=1000000000 is not valid; use an integer from 1 to 16384"
    message = upload_design(mutated(lambda d: d.update(input_shape=[100000, 100000, 3])))
    assert message == "input_shape [100000, 100000, 3] is not valid: 100000 must be an integer from 1 to 4096"


def test_design_file_negative_and_zero_sizes():
    message = upload_design(mutated(lambda d: d["blocks"][0]["params"].update(filters=-8)))
    assert message == "block 1 'conv1': filters=-8 is not valid; use an integer from 1 to 16384"
    message = upload_design(mutated(lambda d: d["blocks"][0]["params"].update(kernel_size=0)))
    assert message == "block 1 'conv1': kernel_size=0 is not valid; use an integer from 1 to 31"


def test_design_file_nan():
    data = json.loads(presets.build("mobilenet_v1").to_json())
    index = next(i for i, b in enumerate(data["blocks"]) if b["kind"] == "Dropout")
    data["blocks"][index]["params"]["rate"] = float("nan")
    message = upload_design(json.dumps(data).encode())
    assert message == f"block {index + 1} 'dropout': rate=nan is not valid; use a number from 0 to 0.95"


@pytest.mark.parametrize("name", ["conv'1", 'a"b', "two\nlines", "__import__('os').system('x')", "卷积"])
def test_design_file_hostile_block_names(name):
    message = upload_design(mutated(lambda d: d["blocks"][0].update(name=name)))
    assert message == (
        f"block 1: block name {name!r} is not valid; use 1 to 64 letters, digits or underscores, "
        "not starting with a digit"
    )


def test_design_file_name_with_a_newline():
    assert (
        upload_design(mutated(lambda d: d.update(name="two\nlines")))
        == "design name must be 1 to 100 printable characters"
    )


@pytest.mark.parametrize("name", ["'; import os; os.system('rm -rf ~') #", '"""\nprint("pwned")', "模型 \\x00 ☃"])
def test_hostile_design_names_become_string_literals_in_generated_code(name):
    design = presets.build("seed_cnn")
    design.name = name
    source = generate(design)
    tree = ast.parse(source)
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert name in strings
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not {"exec", "eval", "print", "__import__"} & calls


def open_link(token: str) -> str:
    app = new_app()
    app.query_params[share.QUERY_KEY] = token
    app.run()
    assert not app.exception, app.exception
    assert app.session_state["workspace"].names == ["seed_cnn"]
    (message,) = [shown(e.value) for e in app.error]
    prefix, suffix = "Could not open the shared design: ", ". Your workspace is unchanged."
    assert message.startswith(prefix) and message.endswith(suffix)
    return message[len(prefix) : -len(suffix)]


def test_share_link_truncated():
    token = share.encode(presets.build("mobilenet_v2"))
    assert open_link(token[:-40]) == "the link is damaged: its design part is incomplete (was it cut short?)"


def test_share_link_tampered():
    token = share.encode(presets.build("seed_cnn"))
    tampered = token[:30] + ("B" if token[30] != "B" else "C") + token[31:]
    assert open_link(tampered).startswith("the link is damaged")


def test_share_link_bomb():
    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" * 10_000_000, 9)).decode().rstrip("=")
    assert open_link(bomb) == "the link's design is larger than 524,288 bytes"


def upload_dataset(kind: str, name: str, content: bytes) -> str:
    app = fresh()
    before = snapshot(app)
    app.switch_page("pages/train.py").run()
    app.selectbox(key="w_train_source").set_value("upload_npz" if kind == "npz" else "upload_zip").run()
    uploader = "npz_file" if kind == "npz" else "zip_file"
    app.file_uploader(key=uploader).set_value((name, content, "application/octet-stream")).run()
    assert not app.exception, app.exception
    assert snapshot(app) == before
    assert app.button(key="start_training").disabled
    messages = [shown(e.value) for e in app.error if shown(e.value).startswith(f"{name}: ")]
    assert len(messages) == 1, [e.value for e in app.error]
    return messages[0][len(name) + 2 :]


def shown(markdown: str) -> str:
    """What a person reads of a Markdown message: the text without its escapes."""
    return re.sub(r"\\(.)", r"\1", markdown)


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


X = np.zeros((20, 8, 8), dtype=np.uint8)
Y = np.arange(20) % 2


def test_npz_with_object_arrays():
    message = upload_dataset("npz", "o.npz", npz(x_train=np.array([object()] * 20, dtype=object), y_train=Y))
    assert message == "x_train holds Python objects (pickled data), which are never loaded; save plain numeric arrays"


def test_npz_with_wrong_dtype():
    assert upload_dataset("npz", "d.npz", npz(x_train=X.astype("U1"), y_train=Y)) == (
        "x_train has dtype <U1; use numbers (uint8 pixels, floats or integer token ids)"
    )


def test_npz_with_nan():
    x = X.astype(np.float32)
    x[3, 2, 1] = np.nan
    assert upload_dataset("npz", "n.npz", npz(x_train=x, y_train=Y)) == (
        "x_train contains 1 NaN or infinite values; replace or drop those samples"
    )


def test_npz_with_mismatched_lengths():
    assert upload_dataset("npz", "m.npz", npz(x_train=X, y_train=Y[:15])) == (
        "y_train has 15 labels but there are 20 samples; the lengths must match"
    )


def test_npz_with_labels_out_of_range():
    assert (
        upload_dataset("npz", "l.npz", npz(x_train=X, y_train=Y - 3)) == "labels must be class ids 0, 1, 2 …; found -3"
    )


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb():
    message = upload_dataset("zip", "bomb.zip", zipped({"a/x.png": b"\0" * (30 * 2**20), "b/y.png": b"1"}))
    assert message == "'a/x.png' expands 1028-fold; this looks like a zip bomb and is refused"


def test_zip_path_traversal():
    message = upload_dataset("zip", "trav.zip", zipped({"../../../etc/cron.d/x.png": b"1", "b/y.png": b"1"}))
    assert (
        message
        == "the archive contains the unsafe path '../../../etc/cron.d/x.png'; paths must stay inside the archive"
    )


def test_uploads_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 2048)
    content = npz(x_train=np.zeros((20, 16, 16), dtype=np.uint8), y_train=Y)
    message = upload_dataset("npz", "big.npz", content)
    assert message == (
        f"the file is {size(len(content))}; uploads are limited to 2.00 KB "
        "(LIGHTDESIGN_MAX_UPLOAD_MB changes the limit)"
    )


def test_a_small_upload_that_decodes_to_too_much_memory_is_refused():
    """A 274 KB savez_compressed of zeros added 1.03 GB to the server."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=np.zeros((4096, 256, 256), np.uint8), y_train=np.arange(4096) % 2)
    message = upload_dataset("npz", "zeros.npz", buffer.getvalue())
    assert message.startswith("x_train would take 1.00 GB in memory (4,096 samples of 256×256")


def test_an_upload_lives_on_disk_and_the_session_keeps_only_its_path():
    """Datasets were held in session state (and never freed)."""
    from lightdesign.ui import train_data

    app = fresh()
    app.switch_page("pages/train.py").run()
    app.selectbox(key="w_train_source").set_value("upload_npz").run()
    content = npz(x_train=np.zeros((200, 16, 16), dtype=np.uint8), y_train=np.arange(200) % 2)
    app.file_uploader(key="npz_file").set_value(("ok.npz", content, "application/octet-stream")).run()
    assert not app.exception, app.exception
    marker, path = app.session_state[train_data.UPLOADED]
    assert isinstance(path, str) and path.endswith(".npz")
    state = app._session_state.filtered_state
    held = [key for key, value in state.items() if isinstance(value, (np.ndarray, Dataset))]
    assert train_data.UPLOADED in state
    assert not held, held
    app.run()  # the next run maps the same file again
    assert app.session_state[train_data.UPLOADED][1] == path


def test_generated_shapes_over_the_budget_are_refused_on_the_page():
    """Generated shapes (RGB 128, 5,000 images) held 4.5 GB server-wide."""
    app = fresh()
    app.switch_page("pages/train.py").run()
    app.selectbox(key="w_train_source").set_value("shapes_rgb").run()
    app.number_input(key="shapes_size").set_value(128).run()
    app.number_input(key="shapes_count").set_value(5000).run()
    assert not app.exception, app.exception
    assert any("would take 937.5 MB in memory" in e.value for e in app.error)
    assert app.button(key="start_training").disabled
