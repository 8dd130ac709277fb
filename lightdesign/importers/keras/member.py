"""A zip member read as a file, at any offset, without unpacking it whole.

h5py reads a weights file's header (the datasets' shapes) in a few thousand small reads,
half of them backwards; the values in between are never needed. A stored member is read
straight out of the archive's bytes. A deflated one is inflated block by block: the
inflater's state is saved every ``step`` bytes on its way (at most ``MAX_CHECKPOINTS``),
so a read behind it restarts from the nearest saved state instead of from the start, and
the blocks read last are kept (``CACHE_BYTES``). Memory stays a few megabytes however far
the member unpacks; inflating is capped at the member's size plus ``MAX_EXTRA_INFLATE``,
so a header scattered to force endless re-reads is refused, not followed.
"""

from __future__ import annotations

import io
import zlib
from collections import OrderedDict

from lightdesign.importers.base import ModelFileError

BLOCK = 64 * 1024
MAX_CHECKPOINTS = 128  # about 40 KB each (the inflater's window and state)
MIN_STEP = 1024 * 1024
CACHE_BYTES = 8 * 1024 * 1024
MAX_EXTRA_INFLATE = 1024 * 1024 * 1024
LOCAL_HEADER = 30
ZIP_MAGIC = b"PK\x03\x04"
DAMAGED = "the .keras file is not a complete zip archive (truncated or damaged)"


def open_member(data: bytes, info) -> io.RawIOBase:
    """The zip member ``info`` (a ``zipfile.ZipInfo``) of the archive ``data`` as a
    read-only, seekable binary file; ModelFileError when it cannot be read that way."""
    import zipfile

    if info.flag_bits & 0x1:
        raise ModelFileError(f"the .keras archive member {info.filename!r} is encrypted; Keras never encrypts one")
    header = data[info.header_offset : info.header_offset + LOCAL_HEADER]
    if len(header) < LOCAL_HEADER or header[:4] != ZIP_MAGIC:
        raise ModelFileError(DAMAGED)
    begin = info.header_offset + LOCAL_HEADER + int.from_bytes(header[26:28], "little")
    begin += int.from_bytes(header[28:30], "little")
    view = memoryview(data)[begin : begin + info.compress_size]
    if len(view) < info.compress_size:
        raise ModelFileError(DAMAGED)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise ModelFileError(DAMAGED)
        return _Stored(view)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return _Inflated(view, info.file_size)
    raise ModelFileError(
        f"the .keras archive member {info.filename!r} is packed with zip method {info.compress_type}; "
        "Keras stores it plain or deflated"
    )


class _Member(io.RawIOBase):
    """Seeking and reading over ``_fill(position, target)``, which copies the bytes at
    ``position`` into ``target``."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise OSError("seek before the start of the member")
        self.position = base + offset
        return self.position

    def readinto(self, target) -> int:
        target = memoryview(target).cast("B")
        count = max(0, min(len(target), self.size - self.position))
        if count:
            self._fill(self.position, target[:count])
            self.position += count
        return count

    def _fill(self, position: int, target: memoryview) -> None:
        raise NotImplementedError


class _Stored(_Member):
    """A stored member: its bytes are the archive's, read in place."""

    def __init__(self, view: memoryview):
        super().__init__(len(view))
        self.view = view

    def _fill(self, position: int, target: memoryview) -> None:
        target[:] = self.view[position : position + len(target)]


class _Inflated(_Member):
    """A deflated member, inflated block by block from the nearest saved state."""

    def __init__(self, packed: memoryview, size: int):
        super().__init__(size)
        self.packed = packed
        self.step = max(MIN_STEP, -(-size // MAX_CHECKPOINTS // BLOCK) * BLOCK)
        self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.consumed = 0  # packed bytes the inflater has taken
        self.produced = 0  # unpacked bytes it has given
        self.checkpoints: dict[int, tuple[int, object]] = {0: (0, self.inflater.copy())}
        self.cache: OrderedDict[int, bytes] = OrderedDict()
        self.inflated = 0
        self.budget = size + MAX_EXTRA_INFLATE

    def _fill(self, position: int, target: memoryview) -> None:
        done = 0
        while done < len(target):
            index, offset = divmod(position + done, BLOCK)
            block = self._block(index)
            count = min(len(target) - done, len(block) - offset)
            if count <= 0:
                raise ModelFileError(DAMAGED)
            target[done : done + count] = block[offset : offset + count]
            done += count

    def _block(self, index: int) -> bytes:
        if index in self.cache:
            self.cache.move_to_end(index)
            return self.cache[index]
        start = index * BLOCK
        saved = max((o for o in self.checkpoints if o <= start), default=0)
        if not saved <= self.produced <= start:
            consumed, state = self.checkpoints[saved]
            self.inflater, self.consumed, self.produced = state.copy(), consumed, saved
        while self.produced < start:
            self._inflate()
        block = self._inflate()
        self.cache[index] = block
        while len(self.cache) * BLOCK > CACHE_BYTES:
            self.cache.popitem(last=False)
        return block

    def _inflate(self) -> bytes:
        """The next block from the inflater (saving its state at every step)."""
        want = min(BLOCK, self.size - self.produced)
        pieces = []
        got = 0
        try:
            while got < want:
                chunk = self.packed[self.consumed : self.consumed + BLOCK]
                piece = self.inflater.decompress(chunk, want - got)
                self.consumed += len(chunk) - len(self.inflater.unconsumed_tail)
                if not piece and (self.inflater.eof or not len(chunk)):
                    raise ModelFileError(DAMAGED)
                pieces.append(piece)
                got += len(piece)
        except zlib.error:
            raise ModelFileError(DAMAGED) from None
        self.produced += got
        self.inflated += got
        if self.inflated > self.budget:
            raise ModelFileError(
                "the .keras weights are laid out so that reading their shapes would unpack them over and over: refused"
            )
        if self.produced % self.step == 0 and self.produced not in self.checkpoints:
            self.checkpoints[self.produced] = (self.consumed, self.inflater.copy())
        return b"".join(pieces)
