"""Target devices and their memory, each figure with the page that states it.

Memory is counted as the vendors count it: the on-chip SRAM and flash of the part (KB and
MB of 1024), plus the board's PSRAM where a target is sold with it; a board's external
QSPI/SD storage is not flash the model runs from and is left out unless the target names
it. Single-board computers and phones have no flash limit that matters for a model of this
size (``flash`` None: their storage), only RAM.

User-defined targets (``UserTarget``: a name, SRAM and flash) are plain data a workspace
keeps in its settings (``to_dict`` / ``from_dict``); ``target_of`` turns one into a
``Target`` that the fit check takes like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: the vendor's page or datasheet and what it says."""

    url: str
    says: str


@dataclass(frozen=True)
class Target:
    """A device a model may be deployed to. ``sram`` is the on-chip RAM, ``psram`` external
    RAM the board carries (the arena may be placed there), ``flash`` None where storage
    does not limit (single-board computers, phones)."""

    id: str
    name: str
    core: str
    clock_mhz: int
    sram: int
    flash: int | None
    sources: tuple[Source, ...]
    psram: int = 0
    kind: str = "mcu"  # mcu | computer | phone | user

    @property
    def ram(self) -> int:
        """RAM a model may use: on-chip SRAM plus the board's PSRAM."""
        return self.sram + self.psram


def _t(id, name, core, mhz, sram, flash, *sources, psram=0, kind="mcu") -> Target:
    return Target(id, name, core, mhz, sram, flash, tuple(Source(url, says) for url, says in sources), psram, kind)


TARGETS: tuple[Target, ...] = (
    _t(
        "nano33ble",
        "Arduino Nano 33 BLE Sense (nRF52840)",
        "Cortex-M4F",
        64,
        256 * KB,
        1 * MB,
        (
            "https://docs.arduino.cc/hardware/nano-33-ble-sense/",
            "Tech specs: microcontroller nRF52840, clock speed 64 MHz, 256 KB SRAM, 1 MB flash",
        ),
        (
            "https://www.nordicsemi.com/Products/nRF52840",
            "nRF52840: 64 MHz Arm Cortex-M4 with FPU, 1 MB flash, 256 KB RAM",
        ),
    ),
    _t(
        "portenta_h7",
        "Arduino Portenta H7 (STM32H747XI)",
        "Cortex-M7 + Cortex-M4",
        480,
        1 * MB,
        2 * MB,
        (
            "https://docs.arduino.cc/hardware/portenta-h7/",
            "STM32H747XI dual Cortex-M7 at 480 MHz and Cortex-M4 at 240 MHz; 2 MB flash, 1 MB RAM on chip "
            "(the board adds 8 MB SDRAM and 16 MB QSPI flash, not counted here)",
        ),
        (
            "https://www.st.com/en/microcontrollers-microprocessors/stm32h747xi.html",
            "STM32H747XI: 2 Mbytes of Flash memory, 1 Mbyte of RAM",
        ),
    ),
    _t(
        "pico",
        "Raspberry Pi Pico (RP2040)",
        "2x Cortex-M0+",
        133,
        264 * KB,
        2 * MB,
        (
            "https://www.raspberrypi.com/documentation/microcontrollers/pico-series.html",
            "Pico: RP2040, dual-core Arm Cortex-M0+ up to 133 MHz, 264 kB on-chip SRAM, 2 MB on-board QSPI flash",
        ),
        (
            "https://datasheets.raspberrypi.com/rp2040/rp2040-datasheet.pdf",
            "RP2040 datasheet: 264 kB on-chip SRAM in six independent banks; external QSPI flash",
        ),
    ),
    _t(
        "pico2",
        "Raspberry Pi Pico 2 (RP2350)",
        "2x Cortex-M33",
        150,
        520 * KB,
        4 * MB,
        (
            "https://www.raspberrypi.com/documentation/microcontrollers/pico-series.html",
            "Pico 2: RP2350, dual Arm Cortex-M33 (or Hazard3 RISC-V) at 150 MHz, 520 KB on-chip SRAM, "
            "4 MB on-board QSPI flash",
        ),
    ),
    _t(
        "esp32s3",
        "ESP32-S3-DevKitC-1 N8 (no PSRAM)",
        "2x Xtensa LX7",
        240,
        512 * KB,
        8 * MB,
        (
            "https://www.espressif.com/sites/default/files/documentation/esp32-s3_datasheet_en.pdf",
            "ESP32-S3: Xtensa dual-core 32-bit LX7 up to 240 MHz, 512 KB SRAM, 384 KB ROM; flash and PSRAM "
            "in the module",
        ),
        (
            "https://docs.espressif.com/projects/esp-dev-kits/en/latest/esp32s3/esp32-s3-devkitc-1/index.html",
            "ESP32-S3-DevKitC-1 ordering: ESP32-S3-WROOM-1-N8 has 8 MB flash and no PSRAM",
        ),
    ),
    _t(
        "esp32s3_psram",
        "ESP32-S3-DevKitC-1 N8R8 (8 MB PSRAM)",
        "2x Xtensa LX7",
        240,
        512 * KB,
        8 * MB,
        (
            "https://www.espressif.com/sites/default/files/documentation/esp32-s3_datasheet_en.pdf",
            "ESP32-S3: Xtensa dual-core 32-bit LX7 up to 240 MHz, 512 KB SRAM",
        ),
        (
            "https://docs.espressif.com/projects/esp-dev-kits/en/latest/esp32s3/esp32-s3-devkitc-1/index.html",
            "ESP32-S3-DevKitC-1 ordering: ESP32-S3-WROOM-1-N8R8 has 8 MB flash and 8 MB octal PSRAM",
        ),
        psram=8 * MB,
    ),
    _t(
        "nucleo_f401re",
        "STM32 NUCLEO-F401RE (STM32F401RE)",
        "Cortex-M4F",
        84,
        96 * KB,
        512 * KB,
        (
            "https://www.st.com/en/microcontrollers-microprocessors/stm32f401re.html",
            "STM32F401RE: Arm Cortex-M4 with FPU, 84 MHz, 512 Kbytes of Flash memory, 96 Kbytes of SRAM",
        ),
        (
            "https://www.st.com/en/evaluation-tools/nucleo-f401re.html",
            "NUCLEO-F401RE: STM32F401RE in LQFP64",
        ),
    ),
    _t(
        "nucleo_f446re",
        "STM32 NUCLEO-F446RE (STM32F446RE)",
        "Cortex-M4F",
        180,
        128 * KB,
        512 * KB,
        (
            "https://www.st.com/en/microcontrollers-microprocessors/stm32f446re.html",
            "STM32F446RE: Arm Cortex-M4 with FPU, 180 MHz, 512 Kbytes of Flash memory, 128 Kbytes of SRAM",
        ),
        (
            "https://www.st.com/en/evaluation-tools/nucleo-f446re.html",
            "NUCLEO-F446RE: STM32F446RE in LQFP64",
        ),
    ),
    _t(
        "f746g_disco",
        "STM32F746G-DISCO (STM32F746NG)",
        "Cortex-M7",
        216,
        320 * KB,
        1 * MB,
        (
            "https://www.st.com/en/microcontrollers-microprocessors/stm32f746ng.html",
            "STM32F746NG: Arm Cortex-M7, 216 MHz, up to 1 Mbyte of Flash memory, 320 Kbytes of SRAM (including "
            "64 Kbytes of data TCM), 16 Kbytes of instruction TCM, 4 Kbytes of backup SRAM",
        ),
        (
            "https://www.st.com/en/evaluation-tools/32f746gdiscovery.html",
            "32F746GDISCOVERY: STM32F746NGH6 with 1 Mbyte of Flash and 340 Kbytes of RAM (the 320 Kbytes of "
            "SRAM counted here); 128 Mbit QSPI flash and 128 Mbit SDRAM on the board, not counted",
        ),
    ),
    _t(
        "nucleo_h743zi2",
        "STM32 NUCLEO-H743ZI2 (STM32H743ZI)",
        "Cortex-M7",
        480,
        1 * MB,
        2 * MB,
        (
            "https://www.st.com/en/microcontrollers-microprocessors/stm32h743zi.html",
            "STM32H743ZI: Arm Cortex-M7, 480 MHz, 2 Mbytes of Flash memory, 1 Mbyte of RAM "
            "(192 Kbytes TCM, 864 Kbytes user SRAM, 4 Kbytes backup SRAM)",
        ),
        (
            "https://www.st.com/en/evaluation-tools/nucleo-h743zi.html",
            "NUCLEO-H743ZI2: STM32H743ZIT6 in LQFP144",
        ),
    ),
    _t(
        "b_u585i_iot02a",
        "STM32 B-U585I-IOT02A (STM32U585AI)",
        "Cortex-M33",
        160,
        786 * KB,
        2 * MB,
        (
            "https://www.st.com/en/microcontrollers-microprocessors/stm32u585ai.html",
            "STM32U585AI: Arm Cortex-M33 with TrustZone and FPU, 160 MHz, 2 Mbytes of Flash memory, 786 Kbytes of SRAM",
        ),
        (
            "https://www.st.com/en/evaluation-tools/b-u585i-iot02a.html",
            "B-U585I-IOT02A discovery kit: STM32U585AII6Q; 512 Mbit Octo-SPI flash and 64 Mbit Octo-SPI PSRAM "
            "on the board, not counted",
        ),
    ),
    _t(
        "sparkfun_edge",
        "SparkFun Edge (Ambiq Apollo3 Blue)",
        "Cortex-M4F",
        48,
        384 * KB,
        1 * MB,
        (
            "https://www.sparkfun.com/products/15170",
            "SparkFun Edge Development Board - Apollo3 Blue: 32-bit Arm Cortex-M4F at 48 MHz (96 MHz burst), "
            "1 MB flash, 384 KB SRAM",
        ),
        (
            "https://ambiq.com/apollo3-blue/",
            "Apollo3 Blue: Cortex-M4 with FPU up to 96 MHz, up to 1 MB flash, up to 384 KB SRAM",
        ),
    ),
    _t(
        "xiao_nrf52840",
        "Seeed Studio XIAO nRF52840 Sense",
        "Cortex-M4F",
        64,
        256 * KB,
        1 * MB,
        (
            "https://wiki.seeedstudio.com/XIAO_BLE/",
            "XIAO nRF52840 (Sense): Nordic nRF52840, Arm Cortex-M4 32-bit with FPU, 64 MHz; 256 KB RAM, "
            "1 MB flash, 2 MB onboard flash (QSPI, not counted)",
        ),
    ),
    _t(
        "xiao_esp32s3",
        "Seeed Studio XIAO ESP32S3 Sense",
        "2x Xtensa LX7",
        240,
        512 * KB,
        8 * MB,
        (
            "https://wiki.seeedstudio.com/xiao_esp32s3_getting_started/",
            "XIAO ESP32S3 (Sense): ESP32-S3R8, Xtensa LX7 dual-core 32-bit at 240 MHz; 8 MB PSRAM, "
            "8 MB flash; on-chip 512 KB SRAM",
        ),
        psram=8 * MB,
    ),
    _t(
        "teensy41",
        "Teensy 4.1 (NXP i.MX RT1062)",
        "Cortex-M7",
        600,
        1 * MB,
        7936 * KB,
        (
            "https://www.pjrc.com/store/teensy41.html",
            "Teensy 4.1: ARM Cortex-M7 at 600 MHz, 7936K flash, 1024K RAM (512K tightly coupled), 4K EEPROM",
        ),
        (
            "https://www.nxp.com/products/i.MX-RT1060",
            "i.MX RT1060 crossover MCU: Arm Cortex-M7 up to 600 MHz, 1 MB on-chip SRAM (512 KB configurable "
            "as TCM); no on-chip flash (external flash on the board)",
        ),
    ),
    _t(
        "himax_we_i_plus",
        "Himax WE-I Plus EVB (HX6537-A)",
        "ARC EM9D DSP",
        400,
        2 * MB,
        2 * MB,
        (
            "https://github.com/HimaxWiseEyePlus/bsp_tflu/tree/master/HIMAX_WE1_EVB_board_brief",
            "Himax WE-I Plus MCU: ARC 32-bit EM9D DSP, max. 400 MHz clock frequency, 2 MB SRAM, 2 MB flash",
        ),
    ),
    _t(
        "rpi4",
        "Raspberry Pi 4 Model B, 4 GB",
        "4x Cortex-A72",
        1800,
        4 * GB,
        None,
        (
            "https://www.raspberrypi.com/products/raspberry-pi-4-model-b/specifications/",
            "Broadcom BCM2711, quad-core Cortex-A72 (ARM v8) 64-bit SoC @ 1.8 GHz; 1 GB, 2 GB, 4 GB or 8 GB "
            "LPDDR4-3200 SDRAM; microSD card slot for operating system and data storage",
        ),
        kind="computer",
    ),
    _t(
        "rpi5",
        "Raspberry Pi 5, 4 GB",
        "4x Cortex-A76",
        2400,
        4 * GB,
        None,
        (
            "https://www.raspberrypi.com/products/raspberry-pi-5/",
            "Broadcom BCM2712 2.4 GHz quad-core 64-bit Arm Cortex-A76 CPU; LPDDR4X-4267 SDRAM (2 GB, 4 GB, 8 GB "
            "and 16 GB); microSD card slot",
        ),
        kind="computer",
    ),
    _t(
        "phone",
        "A typical phone (Google Pixel 7a)",
        "Google Tensor G2 (2x Cortex-X1 + 2x A78 + 4x A55)",
        2850,
        8 * GB,
        None,
        (
            "https://store.google.com/product/pixel_7a_specs",
            "Pixel 7a: Google Tensor G2, 8 GB LPDDR5 RAM, 128 GB storage",
        ),
        kind="phone",
    ),
)

BY_ID: dict[str, Target] = {t.id: t for t in TARGETS}

MAX_NAME = 60
MAX_MEMORY = 1 << 40  # 1 TB: larger figures are typing errors
USER_PREFIX = "user:"


class TargetError(ValueError):
    """A target id that names nothing, or a user-defined target that is not valid (one line)."""


def get(target_id: str, user: list[UserTarget] | tuple[UserTarget, ...] = ()) -> Target:
    """The target called ``target_id`` (a catalogue id, or ``user:NAME`` / a user target's
    name); TargetError naming the valid ids otherwise."""
    if target_id in BY_ID:
        return BY_ID[target_id]
    for entry in user:
        if target_id in (entry.name, entry.id):
            return target_of(entry)
    valid = ", ".join([*BY_ID, *(u.id for u in user)])
    raise TargetError(f"unknown target {target_id!r}; valid: {valid}")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "target"


@dataclass(frozen=True)
class UserTarget:
    """A target a person defines: a name, its SRAM and its flash in bytes. Kept in the
    workspace's settings as ``to_dict()``; ``from_dict`` checks what it reads back."""

    name: str
    sram: int
    flash: int

    def __post_init__(self) -> None:
        name = self.name.strip() if isinstance(self.name, str) else ""
        if not name or len(name) > MAX_NAME:
            raise TargetError(f"a target needs a name of 1 to {MAX_NAME} characters; got {self.name!r:.80}")
        for what in ("sram", "flash"):
            value = getattr(self, what)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MEMORY:
                raise TargetError(f"{name}: {what} must be a whole number of bytes from 1 to {MAX_MEMORY:,}")
        object.__setattr__(self, "name", name)

    @property
    def id(self) -> str:
        return USER_PREFIX + _slug(self.name)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sram": self.sram, "flash": self.flash}

    @classmethod
    def from_dict(cls, data: Any) -> UserTarget:
        if not isinstance(data, dict) or set(data) != {"name", "sram", "flash"}:
            raise TargetError("a user target is an object with exactly name, sram and flash")
        return cls(data["name"], data["sram"], data["flash"])


def user_targets(settings: Any) -> list[UserTarget]:
    """The user-defined targets kept in a workspace setting (a list of ``to_dict``s);
    entries that do not read back are left out, duplicates (same id) keep the first."""
    out: dict[str, UserTarget] = {}
    for item in settings if isinstance(settings, list) else []:
        try:
            target = UserTarget.from_dict(item)
        except TargetError:
            continue
        out.setdefault(target.id, target)
    return list(out.values())


def target_of(user: UserTarget) -> Target:
    """A user-defined target as a ``Target`` (its figures come from the person, not a page)."""
    return Target(user.id, user.name, "", 0, user.sram, user.flash, (), kind="user")


def all_targets(user: list[UserTarget] | tuple[UserTarget, ...] = ()) -> list[Target]:
    """The catalogue's targets followed by the user's."""
    return [*TARGETS, *(target_of(u) for u in user)]
