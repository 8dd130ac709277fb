"""Share links: round trips and every way a link can be broken."""

import base64
import zlib

import pytest

from lightdesign.core import presets
from lightdesign.core.design import DesignError
from lightdesign.core.share import MAX_LINK_CHARS, decode, encode


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_round_trip(name):
    design = presets.build(name)
    token = encode(design)
    assert len(token) < 4000
    assert decode(token).to_dict() == design.to_dict()


def broken(token):
    with pytest.raises(DesignError) as info:
        decode(token)
    return str(info.value)


def test_truncated_link():
    token = encode(presets.build("mobilenet_v2"))
    assert "cut short" in broken(token[: len(token) // 2])


def test_tampered_link():
    token = encode(presets.build("seed_cnn"))
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    assert broken(flipped).startswith("the link is damaged")
    assert broken("not base64 at all!").startswith("the link is damaged")


def test_valid_compression_of_an_invalid_design():
    token = base64.urlsafe_b64encode(zlib.compress(b'{"format_version": 7}')).decode()
    assert (
        broken(token)
        == "the link's design is not valid: format_version 7 is not supported; this LightDesign reads version 1"
    )


def test_decompression_bomb_is_refused_without_inflating_it():
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 10_000_000, 9)).decode()
    assert len(bomb) < MAX_LINK_CHARS
    assert broken(bomb).startswith("the link's design is larger than")


def test_overlong_link():
    assert broken("A" * (MAX_LINK_CHARS + 1)).startswith("the link is 24,001 characters long")
