"""A design: name, input shape, number of classes and an ordered list of blocks.

Designs are plain data. ``to_json``/``from_json`` round-trip them with a format version;
loading validates everything (size, version, kinds, fields, ranges) and raises
``DesignError`` with a message meant for the person who made the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from lightdesign.core import kinds
from lightdesign.core.fields import MAX_CHANNELS, MAX_RESOLUTION, MAX_SEQUENCE, MAX_UNITS, FieldError
from lightdesign.core.symbolic import snake_case

FORMAT_VERSION = 1
MAX_JSON_BYTES = 512 * 1024
MAX_BLOCKS = 1000
MAX_NAME_LENGTH = 64
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
RESERVED_NAMES = frozenset({"input", "input_layer"})
INPUT_KINDS = {3: "image", 1: "tokens", 2: "features"}


class DesignError(ValueError):
    """A design or design file that cannot be used; the message says why and what is valid."""


def check_name(name: Any, what: str = "block name") -> str:
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise DesignError(
            f"{what} {name!r} is not valid; use 1 to {MAX_NAME_LENGTH} letters, digits or underscores, "
            "not starting with a digit"
        )
    if name in RESERVED_NAMES:
        raise DesignError(f"{what} {name!r} is reserved for the model input; choose another name")
    return name


def check_text(value: Any, what: str, max_length: int, multiline: bool = False) -> str:
    """Text that every page, download, link and database can hold: a string of at most
    ``max_length`` characters, encodable as UTF-8 (no lone surrogates such as ``"\\ud800"``,
    which JSON escapes can carry), printable (line breaks and tabs too when ``multiline``)."""
    if not isinstance(value, str) or len(value) > max_length:
        raise DesignError(f"{what} must be text of at most {max_length:,} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise DesignError(f"{what} holds characters that are not valid Unicode text (lone surrogates)") from None
    body = value.replace("\n", "").replace("\r", "").replace("\t", "") if multiline else value
    if not body.isprintable():
        raise DesignError(f"{what} must be printable text{' (line breaks allowed)' if multiline else ''}")
    return value


def _check_unicode(value: Any, what: str) -> None:
    try:
        str(value).encode("utf-8")
    except UnicodeEncodeError:
        raise DesignError(f"{what} holds characters that are not valid Unicode text (lone surrogates)") from None


def check_limits(design: Design) -> Design:
    """The limits every design file, link, import and edit keeps (DesignError otherwise):
    the block count, and text every page, download and link can hold."""
    _check_unicode(design.name, "the design name")
    _check_unicode(design.description, "the description")
    if len(design.blocks) > MAX_BLOCKS:
        raise DesignError(
            f"the design would have {len(design.blocks):,} blocks; at most {MAX_BLOCKS:,} are allowed "
            "(its file and link would be refused)"
        )
    return design


def check_input_shape(shape: Any) -> tuple[int, ...]:
    """Validate an input shape: (H, W, C) image, (T,) token ids, or (T, F) features."""
    valid = "[height, width, channels] for images, [steps] for token ids or [steps, features]"
    if not isinstance(shape, (list, tuple)) or len(shape) not in INPUT_KINDS:
        raise DesignError(f"input_shape {shape!r} is not valid; use {valid}")
    limits = {3: (MAX_RESOLUTION, MAX_RESOLUTION, MAX_CHANNELS), 1: (MAX_SEQUENCE,), 2: (MAX_SEQUENCE, MAX_CHANNELS)}
    for value, limit in zip(shape, limits[len(shape)], strict=False):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
            raise DesignError(
                f"input_shape {list(shape)!r} is not valid: {value!r} must be an integer from 1 to {limit}"
            )
    return tuple(shape)


@dataclass
class Block:
    """One entry of the stack: a registered kind with its field values."""

    kind: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    input: str | None = None  # name of the block whose output this one reads; None = previous

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "name": self.name, "params": dict(self.params)}
        if self.input is not None:
            out["input"] = self.input
        return out


@dataclass
class Design:
    name: str
    input_shape: tuple[int, ...]
    num_classes: int
    blocks: list[Block] = field(default_factory=list)
    description: str = ""

    @property
    def input_kind(self) -> str:
        return INPUT_KINDS[len(self.input_shape)]

    def copy(self) -> Design:
        return replace(
            self,
            blocks=[replace(b, params=dict(b.params)) for b in self.blocks],
        )

    def block_named(self, name: str) -> Block | None:
        return next((b for b in self.blocks if b.name == name), None)

    def new_id(self) -> str:
        used = {b.id for b in self.blocks}
        n = len(self.blocks) + 1
        while f"b{n}" in used:
            n += 1
        return f"b{n}"

    def new_name(self, kind: str) -> str:
        base = snake_case(kind)
        used = {b.name for b in self.blocks}
        n = 1
        while f"{base}_{n}" in used:
            n += 1
        return f"{base}_{n}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "input_shape": list(self.input_shape),
            "num_classes": self.num_classes,
            "blocks": [b.to_dict() for b in self.blocks],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def new_block(kind: str, name: str, id: str = "", input: str | None = None, **params: Any) -> Block:
    """A block of a registered kind; missing params take the kind's defaults."""
    cls = kinds.get(kind)
    values = {f.name: params.pop(f.name, f.default) for f in cls.fields}
    if params:
        raise DesignError(f"{kind} has no field {sorted(params)[0]!r}")
    return Block(kind, name, values, id, input)


def check_params(kind: str, params: Any, where: str) -> dict[str, Any]:
    """Validate a block's params against its kind's fields; fill in defaults."""
    cls = kinds.get(kind)
    if not isinstance(params, dict):
        raise DesignError(f"{where}: params must be an object of field values")
    known = {f.name: f for f in cls.fields}
    unknown = sorted(set(params) - set(known))
    if unknown:
        valid = ", ".join(known) or "none"
        raise DesignError(f"{where}: {kind} has no field {unknown[0]!r}; its fields are {valid}")
    out = {}
    for name, spec in known.items():
        try:
            out[name] = spec.check(params[name]) if name in params else spec.default
        except FieldError as exc:
            raise DesignError(f"{where}: {exc}") from None
    return out


_DESIGN_KEYS = {"format_version", "name", "description", "input_shape", "num_classes", "blocks"}
_BLOCK_KEYS = {"id", "kind", "name", "params", "input"}


def from_dict(data: Any) -> Design:
    """Build a validated Design from parsed JSON."""
    if not isinstance(data, dict):
        raise DesignError("a design file must hold a JSON object with name, input_shape, num_classes and blocks")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise DesignError(
            f"format_version {version!r} is not supported; this LightDesign reads version {FORMAT_VERSION}"
        )
    extra = sorted(set(data) - _DESIGN_KEYS)
    if extra:
        raise DesignError(f"unknown design field {extra[0]!r}; valid fields are {', '.join(sorted(_DESIGN_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 100 or not name.isprintable():
        raise DesignError("design name must be 1 to 100 printable characters")
    check_text(name, "design name", 100)
    description = check_text(data.get("description", ""), "description", 2000, multiline=True)
    shape = check_input_shape(data.get("input_shape"))
    classes = data.get("num_classes")
    if not isinstance(classes, int) or isinstance(classes, bool) or not 1 <= classes <= MAX_UNITS:
        raise DesignError(f"num_classes {classes!r} is not valid; use an integer from 1 to {MAX_UNITS}")
    raw_blocks = data.get("blocks")
    if not isinstance(raw_blocks, list):
        raise DesignError("blocks must be a list")
    if len(raw_blocks) > MAX_BLOCKS:
        raise DesignError(f"the design has {len(raw_blocks)} blocks; at most {MAX_BLOCKS} are allowed")
    blocks: list[Block] = []
    names: set[str] = set()
    ids: set[str] = set()
    for position, raw in enumerate(raw_blocks, start=1):
        blocks.append(_block_from_dict(raw, position, names, ids))
    return Design(name, shape, classes, blocks, description)


def _block_from_dict(raw: Any, position: int, names: set[str], ids: set[str]) -> Block:
    where = f"block {position}"
    if not isinstance(raw, dict):
        raise DesignError(f"{where} must be an object with kind, name and params")
    extra = sorted(set(raw) - _BLOCK_KEYS)
    if extra:
        raise DesignError(f"{where}: unknown field {extra[0]!r}; valid fields are {', '.join(sorted(_BLOCK_KEYS))}")
    kind = raw.get("kind")
    try:
        kinds.get(kind)
    except KeyError as exc:
        raise DesignError(f"{where}: {exc.args[0]}") from None
    try:
        name = check_name(raw.get("name"))
    except DesignError as exc:
        raise DesignError(f"{where}: {exc}") from None
    if name in names:
        raise DesignError(f"{where}: the name {name!r} is used by an earlier block; names must be unique")
    names.add(name)
    block_id = raw.get("id", "") or f"b{position}"
    if not isinstance(block_id, str) or not NAME_PATTERN.fullmatch(block_id) or block_id in ids:
        raise DesignError(f"{where}: id {block_id!r} must be a unique short identifier")
    ids.add(block_id)
    source = raw.get("input")
    if source is not None and (not isinstance(source, str) or len(source) > MAX_NAME_LENGTH or not _is_text(source)):
        raise DesignError(f"{where}: input must be the name of an earlier block or 'input'")
    params = check_params(kind, raw.get("params", {}), f"{where} '{name}'")
    return Block(kind, name, params, block_id, source)


def _is_text(value: str) -> bool:
    try:
        check_text(value, "text", len(value))
    except DesignError:
        return False
    return True


def from_json(text: str | bytes) -> Design:
    """Parse and validate a design file's contents."""
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_JSON_BYTES:
        raise DesignError(f"the design file is {size:,} bytes; the limit is {MAX_JSON_BYTES:,} bytes")
    try:
        data = json.loads(text)
    except RecursionError:
        raise DesignError("the design file is nested too deeply to be a design") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DesignError(f"the design file is not valid JSON: {exc}") from None
    return from_dict(data)
