"""Designs in a URL: compact JSON, zlib-compressed, base64url-encoded.

Decoding is defensive: bounded link length, bounded decompressed size (no zip bombs),
and the design loader's full validation.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from lightdesign.core.design import MAX_JSON_BYTES, Design, DesignError, from_json

QUERY_KEY = "design"
MAX_LINK_CHARS = 24_000


def encode(design: Design) -> str:
    """The URL-safe token of a design."""
    raw = json.dumps(design.to_dict(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode(token: str) -> Design:
    """The design in a token; DesignError with one clear message otherwise."""
    if not isinstance(token, str) or not token:
        raise DesignError("the link holds no design")
    if len(token) > MAX_LINK_CHARS:
        raise DesignError(f"the link is {len(token):,} characters long; a design link has at most {MAX_LINK_CHARS:,}")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise DesignError("the link is damaged: its design part is not valid base64 (was it cut short?)") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_JSON_BYTES + 1)
    except zlib.error:
        raise DesignError(
            "the link is damaged: its design part does not decompress (was it cut short or edited?)"
        ) from None
    if len(raw) > MAX_JSON_BYTES or inflater.unconsumed_tail:
        raise DesignError(f"the link's design is larger than {MAX_JSON_BYTES:,} bytes")
    if not inflater.eof:
        raise DesignError("the link is damaged: its design part is incomplete (was it cut short?)")
    try:
        return from_json(raw)
    except DesignError as exc:
        raise DesignError(f"the link's design is not valid: {exc}") from None
