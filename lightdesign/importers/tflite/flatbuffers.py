"""A small bounds-checked flatbuffer reader (no generated schema code): every offset and
vector length is checked against the buffer, so a truncated or crafted file ends in one clear
message instead of an exception from ``struct`` or a read past the data."""

from __future__ import annotations

import struct
from typing import Any

from lightdesign.importers.base import ModelFileError


def truncated() -> ModelFileError:
    return ModelFileError("the .tflite file is truncated or damaged (an offset points outside the file)")


class Table:
    """One flatbuffer table; every read checked against the buffer."""

    __slots__ = ("data", "pos", "vtable", "vlen")

    def __init__(self, data: bytes, pos: int):
        self.data = data
        self.pos = pos
        self.vtable = pos - self._unpack("<i", pos)
        self.vlen = self._unpack("<H", self.vtable)

    def _unpack(self, fmt: str, pos: int):
        if pos < 0:
            raise truncated()
        try:
            return struct.unpack_from(fmt, self.data, pos)[0]
        except struct.error:
            raise truncated() from None

    def _field(self, slot: int) -> int:
        offset = 4 + 2 * slot
        if offset >= self.vlen:
            return 0
        return self._unpack("<H", self.vtable + offset)

    def scalar(self, slot: int, fmt: str, default: Any = 0) -> Any:
        off = self._field(slot)
        return self._unpack(fmt, self.pos + off) if off else default

    def table(self, slot: int) -> Table | None:
        off = self._field(slot)
        if not off:
            return None
        at = self.pos + off
        return Table(self.data, at + self._unpack("<I", at))

    def vector(self, slot: int, size: int) -> tuple[int, int]:
        """(start, length) of the vector in ``slot`` whose items are ``size`` bytes; (0, 0) when absent."""
        off = self._field(slot)
        if not off:
            return 0, 0
        at = self.pos + off
        at += self._unpack("<I", at)
        length = self._unpack("<I", at)
        if at + 4 + length * size > len(self.data):
            raise truncated()
        return at + 4, length

    def ints(self, slot: int, fmt: str = "<i", size: int = 4) -> list[int]:
        start, length = self.vector(slot, size)
        return [self._unpack(fmt, start + i * size) for i in range(length)]

    def length(self, slot: int, size: int = 1) -> int:
        return self.vector(slot, size)[1]

    def tables(self, slot: int) -> list[Table]:
        start, length = self.vector(slot, 4)
        out = []
        for i in range(length):
            at = start + 4 * i
            out.append(Table(self.data, at + self._unpack("<I", at)))
        return out

    def count(self, slot: int) -> int:
        return self.vector(slot, 4)[1]

    def string(self, slot: int, limit: int = 256) -> str:
        start, length = self.vector(slot, 1)
        return self.data[start : start + min(length, limit)].decode("utf-8", "replace")

    def bytes(self, slot: int, limit: int) -> bytes:
        start, length = self.vector(slot, 1)
        return self.data[start : start + min(length, limit)]
