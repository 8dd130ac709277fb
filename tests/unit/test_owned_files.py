"""A path from a record reaches a job only when it resolves, links followed, to a regular file
inside a file or folder the workspace owns."""

import os

from lightdesign.data.owned import owned_file


def test_a_file_inside_an_owned_folder_or_owned_itself_is_used(tmp_path):
    folder = tmp_path / "work" / "models" / "abc"
    folder.mkdir(parents=True)
    model = folder / "base.keras"
    model.write_bytes(b"weights")
    assert owned_file(str(model), [folder]) == model.resolve()
    assert owned_file(str(model), [str(model)]) == model.resolve()
    assert owned_file(str(folder / "sub" / ".." / "base.keras"), [folder]) is None  # no such folder 'sub'
    (folder / "sub").mkdir()
    assert owned_file(str(folder / "sub" / ".." / "base.keras"), [folder]) == model.resolve()


def test_anything_else_is_not(tmp_path, monkeypatch):
    mine = tmp_path / "work" / "models" / "mine"
    theirs = tmp_path / "work" / "models" / "theirs"
    for folder in (mine, theirs):
        folder.mkdir(parents=True)
        (folder / "base.keras").write_bytes(b"weights")
    assert owned_file(str(theirs / "base.keras"), [mine]) is None  # another workspace's file
    assert owned_file(str(mine / ".." / "theirs" / "base.keras"), [mine]) is None
    monkeypatch.chdir(mine)
    assert owned_file("base.keras", [mine]) is None  # relative: never read against the current folder
    assert owned_file("../theirs/base.keras", [mine]) is None
    os.symlink(theirs / "base.keras", mine / "link.keras")
    assert owned_file(str(mine / "link.keras"), [mine]) is None  # a link out of the folder
    assert owned_file(str(mine), [mine]) is None  # a folder is not a file
    assert owned_file(str(mine / "gone.keras"), [mine]) is None
    for bad in (None, "", 42, "/etc/passwd\x00", ["x"]):
        assert owned_file(bad, [mine]) is None
    assert owned_file("/etc/passwd", []) is None
    assert owned_file("/etc/passwd", ["/"]) is not None  # the check is only as wide as what is owned
