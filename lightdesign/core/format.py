"""Numbers formatted for people: 3.54 M params, 300.8 M MACs, 13.5 MB."""

from __future__ import annotations

import re


def _scaled(value: float) -> str:
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


INT64_MAX = 2**63 - 1


def _float(n: int | float) -> float:
    """``n`` as a float; integers beyond a float's range become infinity, never an error."""
    try:
        return float(n)
    except OverflowError:
        return float("inf") if n > 0 else float("-inf")


def cell(n: int | float) -> int | float:
    """A number a table column can hold: integers beyond 64 bits become floats (pandas and
    Arrow store int64; a Python int past it raised "int too large to convert to C long")."""
    if isinstance(n, int) and not -INT64_MAX <= n <= INT64_MAX:
        return _float(n)
    return n


def count(n: int | float) -> str:
    """3,538,984 -> '3.54 M'; 300,774,272 -> '300.8 M'; 950 -> '950'."""
    n = _float(n)
    if n != n or n in (float("inf"), float("-inf")):
        return "∞" if n > 0 else ("-∞" if n < 0 else "–")
    if abs(n) >= 1e15:
        return f"{n:.2e}"
    for size, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= size:
            return f"{_scaled(n / size)} {unit}"
    return f"{n:.0f}"


def size(n: int | float) -> str:
    """Bytes in binary units as Keras prints them: 14,155,936 -> '13.5 MB'."""
    n = _float(n)
    if n != n or n in (float("inf"), float("-inf")):
        return "∞" if n > 0 else "–"
    for scale, unit in ((1024**5, "PB"), (1024**4, "TB"), (1024**3, "GB"), (1024**2, "MB"), (1024, "KB")):
        if abs(n) >= scale:
            return f"{_scaled(n / scale)} {unit}"
    return f"{n:.0f} B"


def exact(n: int) -> str:
    """Thousands separators: 3538984 -> '3,538,984'."""
    return f"{int(n):,}"


def shape(dims) -> str:
    """(112, 112, 32) -> '112×112×32'."""
    return "×".join(str(d) for d in dims) if dims else "–"


_UNITS = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "B": 1}


_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|us|µs)?\s*$", re.IGNORECASE)
_MS_PER = {"ms": 1.0, "s": 1000.0, "us": 0.001, "µs": 0.001}


def parse_duration(text: str) -> float:
    """Milliseconds of a time such as '5ms', '0.5 s' or '800us' (a bare number is ms);
    ValueError naming what is valid otherwise, or for no time at all."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a time; write e.g. 5ms, 0.5s or 800us")
    value = float(match.group(1)) * _MS_PER[(match.group(2) or "ms").lower()]
    if value <= 0:
        raise ValueError(f"{text!r} is no time at all; a limit must be above 0 (e.g. 5ms)")
    return value


def parse_amount(text: str) -> int:
    """'300M' -> 300_000_000, '512KB' -> 524288, '2e6' -> 2_000_000; ValueError otherwise."""
    raw = text.strip().upper().replace(",", "").replace("_", "")
    unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if raw.endswith(u)), "")
    number = raw[: len(raw) - len(unit)].strip() if unit else raw
    try:
        value = float(number) * _UNITS.get(unit, 1)
        if value >= 0:
            return int(value)
    except (ValueError, OverflowError):
        pass
    raise ValueError(f"{text!r} is not an amount; write e.g. 300M, 2.5e6, 512KB or 1MB")
