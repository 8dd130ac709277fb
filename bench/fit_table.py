"""The README's table: every preset's int8 RAM and flash (``analysis.fit``, estimates) against
four representative targets.

    python -m bench.fit_table
"""

from __future__ import annotations

from lightdesign.analysis import fit, targets
from lightdesign.analysis.network import analyze
from lightdesign.core import format as fmt
from lightdesign.core import presets

TARGETS = {  # id: the column's short name
    "nucleo_f401re": "NUCLEO-F401RE",
    "nano33ble": "Nano 33 BLE Sense",
    "nucleo_h743zi2": "NUCLEO-H743ZI2",
    "esp32s3_psram": "ESP32-S3 + 8 MB PSRAM",
}
EXTRA = (("mobilenet_v2", {"alpha": 0.35, "resolution": 96}), ("mobilenet_v1", {"alpha": 0.25, "resolution": 128}))


def verdict(footprint: fit.Footprint, target: targets.Target) -> str:
    result = fit.check(footprint, target)
    if not footprint.supported:
        return "no TFLite Micro kernel"
    if result.fits:
        return "fits"
    over = [memory.value for memory, margin in result.margins.items() if margin is not None and margin < 0]
    return "over: " + ", ".join("RAM" if m == "ram" else "flash" for m in over)


def rows() -> list[str]:
    chosen = [targets.get(t) for t in TARGETS]
    head = (
        "| design | RAM | flash | "
        + " | ".join(f"{TARGETS[t.id]} ({fmt.size(t.ram)} / {fmt.size(t.flash)})" for t in chosen)
        + " |"
    )
    lines = [head, "| --- | ---: | ---: |" + " --- |" * len(chosen)]
    designs = [(name, {}) for name in presets.PRESETS] + list(EXTRA)
    for name, options in designs:
        design = presets.build(name, **options)
        footprint = fit.footprint(analyze(design))
        cells = [verdict(footprint, t) for t in chosen]
        lines.append(
            f"| {design.name} | {fmt.size(footprint.ram)} | {fmt.size(footprint.flash)} | " + " | ".join(cells) + " |"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(rows()))
