"""The target catalogue: every figure has its source, ids are unique, user-defined targets
round-trip through a workspace's settings and refuse what is not a target."""

import re

import pytest

from lightdesign.analysis import targets
from lightdesign.analysis.targets import GB, KB, MB, TargetError, UserTarget


def test_the_catalogue_has_at_least_fifteen_targets_with_unique_ids():
    ids = [t.id for t in targets.TARGETS]
    assert len(ids) >= 15
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids)


@pytest.mark.parametrize("target", targets.TARGETS, ids=lambda t: t.id)
def test_each_target_names_the_page_that_states_its_memory(target):
    assert target.sources, target.id
    for source in target.sources:
        assert source.url.startswith("https://") and " " not in source.url
        assert len(source.says) > 20
    # the SRAM figure appears in what a source says, in the vendor's own unit (KB, MB or GB)
    sram = target.sram
    spelled = {f"{sram // KB} K", f"{sram // KB}K", f"{sram // KB} k", f"{sram // MB} MB", f"{sram // MB} Mbyte"}
    spelled.add(f"{sram // GB} GB")
    said = " ".join(s.says for s in target.sources)
    assert any(word in said for word in spelled if not word.startswith("0")), (target.id, spelled)


def test_microcontrollers_have_flash_and_computers_do_not_limit_it():
    for target in targets.TARGETS:
        assert target.sram > 0 and target.clock_mhz > 0
        assert (target.flash is None) == (target.kind in ("computer", "phone")), target.id
    assert targets.get("esp32s3_psram").ram == 512 * KB + 8 * MB
    assert targets.get("esp32s3").ram == 512 * KB


def test_an_unknown_target_is_refused_naming_the_valid_ones():
    with pytest.raises(TargetError, match=r"unknown target 'uno'; valid: nano33ble, portenta_h7"):
        targets.get("uno")


def test_a_user_target_round_trips_through_settings_and_is_found_by_name_or_id():
    board = UserTarget("My board  ", 200 * KB, 1 * MB)
    assert board.name == "My board" and board.id == "user:my_board"
    saved = [board.to_dict(), {"name": "broken"}, UserTarget("My board", 1, 1).to_dict(), "junk"]
    kept = targets.user_targets(saved)
    assert kept == [board]
    found = targets.get("My board", kept)
    assert (found.sram, found.flash, found.kind, found.sources) == (200 * KB, 1 * MB, "user", ())
    assert targets.get("user:my_board", kept) == found
    assert [t.id for t in targets.all_targets(kept)][-1] == "user:my_board"


@pytest.mark.parametrize(
    ("name", "sram", "flash", "message"),
    [
        ("", 1, 1, "a name of 1 to 60 characters"),
        ("x" * 61, 1, 1, "a name of 1 to 60 characters"),
        ("b", 0, 1, "sram must be a whole number of bytes from 1"),
        ("b", 1, 2.5, "flash must be a whole number of bytes from 1"),
        ("b", True, 1, "sram must be a whole number"),
        ("b", 1, 1 << 41, "flash must be a whole number of bytes from 1 to 1,099,511,627,776"),
    ],
)
def test_a_user_target_refuses_what_is_not_a_target(name, sram, flash, message):
    with pytest.raises(TargetError, match=message):
        UserTarget(name, sram, flash)
    with pytest.raises(TargetError, match="exactly name, sram and flash"):
        UserTarget.from_dict({"name": "b", "sram": 1})
