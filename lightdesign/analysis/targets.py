"""Target devices and their memory, each figure with the page that states it.

Memory is counted as the vendors count it: the on-chip SRAM of the part (KB and MB of 1024;
on STM32H7 parts ST's total over all SRAM and TCM blocks, whose largest single block is
smaller), plus the PSRAM a target is sold with (on the board or in the package); flash is
the flash the program runs from: the part's own, or for a part without any (RP2040, RP2350,
ESP32-S3, i.MX RT1062) the board's QSPI flash it executes in place. A board's further QSPI
flash, SDRAM and SD card are named in the sources but not counted. Single-board computers and
phones have no flash limit that matters for a model of this size (``flash`` None: their
storage), only RAM.

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
    """Where a figure comes from: the page or file that states it (a GitHub file at a commit where
    that is what was read) and what it says; notes of ours are in parentheses."""

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


Z = "https://github.com/zephyrproject-rtos/zephyr/blob"
RPI_DOCS = "https://github.com/raspberrypi/documentation/blob"

TARGETS: tuple[Target, ...] = (
    _t(
        "nano33ble",
        "Arduino Nano 33 BLE Sense (nRF52840)",
        "Cortex-M4F",
        64,
        256 * KB,
        1 * MB,
        (
            "https://github.com/arduino/docs-content/blob/837a9c23e78ecb8e320b036627f7c9db6128e1fa/"
            "content/hardware/03.nano/boards/nano-33-ble-sense/tech-specs.yml",
            "Arduino's tech specs (docs.arduino.cc source): Microcontroller: nRF52840; Clock speed: Processor: "
            "nRF52840 64MHz; Memory: nRF52840: 256 KB SRAM, 1MB flash",
        ),
        (
            f"{Z}/06758ff20b28aae9fea4273ac0ba59aebf80966f/dts/arm/nordic/nrf52840_qiaa.dtsi",
            "Zephyr's nRF52840 devicetree: flash0 reg = <0x00000000 DT_SIZE_K(1024)>; "
            "sram0 reg = <0x20000000 DT_SIZE_K(256)>",
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
            "https://github.com/arduino/docs-content/blob/00f347b2c4ec52a9a39687b5e0029a8f6bf1306a/"
            "content/hardware/04.pro/boards/portenta-h7/tech-specs.yml",
            "Arduino's tech specs (docs.arduino.cc source): STM32H747XI Dual 32-bit Arm Cortex-M7 and Cortex-M4; "
            "Clock speed: M4 core: 240 MHz, M7 core: 480 MHz; Memory: Internal: 2 MB Flash, 1 MB RAM; "
            "External: 16 MB NOR Flash, 8 MB SDRAM (the external memories are not counted here)",
        ),
        (
            "https://docs.zephyrproject.org/4.1.0/boards/arduino/portenta_h7/doc/index.html",
            "Zephyr's Portenta H7 page: STM32H747XI SoC, Arm Cortex-M7 + Cortex-M4 MCU, with 2MBytes of Flash "
            "memory, 1MB RAM, 480 MHz CPU (1 MB is ST's total of TCM and SRAM blocks; the largest single block, "
            "the AXI SRAM, is 512 KB)",
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
            f"{RPI_DOCS}/0e264f00d438c28da7c81b753cdc07559c0ba8c3/"
            "documentation/asciidoc/microcontrollers/pico-series/about_pico.adoc",
            "Raspberry Pi's Pico-series page (raspberrypi.com/documentation source): Pico: RP2040 microcontroller "
            "chip, Dual-core M0+ processor, Flexible clock running up to 133 MHz, 264 kB of SRAM; "
            "Board features: 2 MB of on-board flash memory",
        ),
        (
            "https://doc.riot-os.org/group__boards__rpi__pico.html",
            "RIOT's Raspberry Pi Pico page: the SSI/QSPI peripheral supports execution from flash (XIP), the RP2040 "
            "contains no internal flash; RAM 264 KiB, Flash 2 MiB (up to 16 MiB), up to 133 MHz (so the board's "
            "QSPI flash is the flash the program runs from)",
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
            f"{RPI_DOCS}/0e264f00d438c28da7c81b753cdc07559c0ba8c3/"
            "documentation/asciidoc/microcontrollers/pico-series/about_pico.adoc",
            "Raspberry Pi's Pico-series page (raspberrypi.com/documentation source): Pico 2: RP2350 microcontroller "
            "chip, Dual-core Arm Cortex-M33 or Dual-core Hazard3 RISC-V, Flexible clock running up to 150 MHz, "
            "520 kB of SRAM; Board features: 4 MB of on-board flash memory",
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
            f"{Z}/2c3af6ec124181657f7581f939764d65b2265549/boards/espressif/esp32s3_devkitc/doc/index.rst",
            "Zephyr's ESP32-S3-DevKitC page: Dual core 32-bit Xtensa Microprocessor (Tensilica LX7), running up "
            "to 240MHz; 512KB of SRAM; 384KB of ROM",
        ),
        (
            "https://github.com/espressif/esp-dev-kits/blob/50452f90b51ffba8d8dc254aaa6885ebbc69e132/"
            "docs/en/esp32s3/esp32-s3-devkitc-1/user_guide.rst",
            "Espressif's ESP32-S3-DevKitC-1 v1.1 user guide, ordering information: ESP32-S3-DevKitC-1-N8, module "
            "ESP32-S3-WROOM-1-N8, Flash 8 MB QD, PSRAM: none",
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
            f"{Z}/2c3af6ec124181657f7581f939764d65b2265549/boards/espressif/esp32s3_devkitc/doc/index.rst",
            "Zephyr's ESP32-S3-DevKitC page: Dual core 32-bit Xtensa Microprocessor (Tensilica LX7), running up "
            "to 240MHz; 512KB of SRAM",
        ),
        (
            "https://github.com/espressif/esp-dev-kits/blob/50452f90b51ffba8d8dc254aaa6885ebbc69e132/"
            "docs/en/esp32s3/esp32-s3-devkitc-1/user_guide.rst",
            "Espressif's ESP32-S3-DevKitC-1 v1.1 user guide, ordering information: ESP32-S3-DevKitC-1-N8R8, module "
            "ESP32-S3-WROOM-1-N8R8, Flash 8 MB QD, PSRAM 8 MB OT (QD: Quad SPI, OT: Octal SPI)",
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
            "https://docs.zephyrproject.org/4.1.0/boards/st/nucleo_f401re/doc/index.html",
            "Zephyr's Nucleo F401RE page: STM32F401RET6 in LQFP64 package, ARM 32-bit Cortex-M4 CPU with FPU, "
            "84 MHz max CPU frequency, 512 KB Flash, 96 KB SRAM",
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
            "https://docs.zephyrproject.org/4.0.0/boards/st/nucleo_f446re/doc/index.html",
            "Zephyr's Nucleo F446RE page: STM32F446RET6 in LQFP64 package, ARM 32-bit Cortex-M4 CPU with FPU, "
            "180 MHz max CPU frequency, 512 KB Flash, 128 KB SRAM",
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
            "https://docs.kernel.org/6.3/_sources/arm/stm32/stm32f746-overview.rst.txt",
            "Linux kernel's STM32F746 overview (written at ST): Cortex-M7 core running up to @216MHz; "
            "1MB internal flash, 320KBytes internal RAM (+4KB of backup SRAM)",
        ),
        (
            f"{Z}/0b0d3a5d6a644b7e755482fca03939fd4d9a8743/boards/st/stm32f746g_disco/doc/index.rst",
            "Zephyr's STM32F746G Discovery page: STM32F746NGH6 microcontroller featuring 1 Mbytes of Flash memory "
            "and 340 Kbytes of RAM (the 320 Kbytes of SRAM counted here, without the 16 KB ITCM and 4 KB backup "
            "SRAM); 128-Mbit Quad-SPI Flash memory and 128-Mbit SDRAM (64 Mbits accessible) on the board, not counted",
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
            f"{Z}/02d6d2020cb500a24b766f67da0d5b89598d9677/boards/st/nucleo_h743zi/doc/index.rst",
            "Zephyr's Nucleo H743ZI page (the NUCLEO-H743ZI2 carries the same STM32H743ZI): STM32H743ZI in LQFP144 "
            "package, ARM 32-bit Cortex-M7 CPU with FPU, 480 MHz max CPU frequency, 2 MB Flash, 1 MB SRAM",
        ),
        (
            f"{Z}/0761962b672a6940bb27108d86d358f0c45528b6/dts/arm/st/h7/stm32h743.dtsi",
            "Zephyr's STM32H743 devicetree: AXI SRAM 512K, SRAM1 128K, SRAM2 128K, SRAM3 32K, SRAM4 64K, DTCM 128K "
            "(the 1 MB is ST's round total of these blocks and the 64 KB ITCM; the largest single block is 512 KB)",
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
            f"{Z}/01b8849a177d3ffd9f45c4a062a004faccaebaa1/boards/st/b_u585i_iot02a/doc/index.rst",
            "Zephyr's B_U585I_IOT02A Discovery kit page: STM32U585AII6Q microcontroller featuring 2 Mbyte of Flash "
            "memory, 786 Kbytes of RAM; 512-Mbit octal-SPI Flash memory, 64-Mbit octal-SPI PSRAM (the 8 MB PSRAM "
            "counted, the octal-SPI flash not); Cortex-M33 with TrustZone and FPU, up to 160 MHz",
        ),
        psram=8 * MB,
    ),
    _t(
        "sparkfun_edge",
        "SparkFun Edge (Ambiq Apollo3 Blue)",
        "Cortex-M4F",
        48,
        384 * KB,
        1 * MB,
        (
            "https://docs.zephyrproject.org/4.1.0/boards/ambiq/apollo3_evb/doc/index.html",
            "Zephyr's Apollo3 Blue EVB page: Apollo3 Blue SoC with up to 96 MHz operating frequency, ARM Cortex M4F "
            "core, Up to 1 MB of flash memory, Up to 384 KB of low leakage / low power RAM",
        ),
        (
            "https://github.com/sparkfun/Arduino_Apollo3/blob/5b7dca00b350a32a1192afb03535e89023a73174/boards.txt",
            "SparkFun's Apollo3 Arduino core: edge.name=SparkFun Edge, edge.build.mcu=cortex-m4, "
            "edge.build.f_cpu=48000000L (48 MHz, 96 MHz only in burst mode)",
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
            "https://github.com/Seeed-Studio/wiki-documents/blob/05dd242a8c661cf13013a6d338e7550cc3c244c8/"
            "docs/Sensor/SeeedStudio_XIAO/SeeedStudio_XIAO_nRF52840-Sense/XIAO_BLE.md",
            "Seeed wiki, Getting Started with XIAO nRF52840 (wiki.seeedstudio.com/XIAO_BLE source): Nordic nRF52840, "
            "ARM Cortex-M4 32-bit processor with FPU, 64 MHz; XIAO nRF52840 Sense: nRF52840 M4F@64MHz, "
            "256 KB RAM, 1MB Flash, 2MB onboard Flash (the QSPI flash not counted)",
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
            "https://github.com/Seeed-Studio/wiki-documents/blob/0ee8d1d90a929190c54be8d114e455bb00fc4877/"
            "docs/Sensor/SeeedStudio_XIAO/SeeedStudio_XIAO_ESP32S3/XIAO_ESP32S3_Getting_Started.md",
            "Seeed wiki, Getting Started with XIAO ESP32S3 (Sense) (wiki.seeedstudio.com/xiao_esp32s3_getting_started "
            "source): ESP32-S3R8, Xtensa LX7 dual-core, 32-bit processor that operates at up to 240 MHz; Memory: "
            "On-chip 8M PSRAM & 8MB Flash",
        ),
        (
            "https://tinygo.org/docs/reference/microcontrollers/featured/xiao-esp32s3",
            "TinyGo's Seeed Studio XIAO ESP32S3 page: Espressif Xtensa LX7 dual-core, 32-bit processor "
            "microcontroller with 512KB of SRAM and 8MB of onboard flash storage",
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
            "PJRC's Teensy 4.1 page: ARM Cortex-M7 at 600 MHz, Float point math unit, 64 & 32 bits, 7936K Flash",
        ),
        (
            "https://github.com/PaulStoffregen/cores/blob/033bd8cd079c2af03c2367812c5b615746041074/"
            "teensy4/imxrt1062_t41.ld",
            "Teensy 4.1 linker script: ITCM and DTCM LENGTH = 512K each (one 512K FlexRAM bank split between them), "
            "RAM LENGTH = 512K, FLASH LENGTH = 7936K",
        ),
        (
            f"{Z}/0b0d3a5d6a644b7e755482fca03939fd4d9a8743/boards/nxp/mimxrt1060_evk/doc/index.rst",
            "Zephyr's MIMXRT1060-EVK page: the i.MX RT1060 doubles the On-Chip SRAM to 1MB; MIMXRT1062DVL6A MCU "
            "(600 MHz, 1024 KB on-chip memory); Memory: 256 Mbit SDRAM, 64 Mbit QSPI Flash, 512 Mbit Hyper Flash "
            "(board memories; the RT1062 itself has no flash)",
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
            "https://github.com/HimaxWiseEyePlus/bsp_tflu/blob/30ea22efe2952c201e7b7e0431a597549a594ccc/"
            "HIMAX_WE1_EVB_board_brief/README.md",
            'Himax WE1 EVB board brief, Himax WE-I Plus MCU: "ARC 32-bit EM9D DSP", "Max. 400MHz clock '
            'frequency", "2MB SRAM", "2MB Flash" (2 MB of each; the brief does not name the part number)',
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
            f"{RPI_DOCS}/0193d56e3fda17ca3f069c7632ca1a5ee962b308/"
            "documentation/asciidoc/computers/raspberry-pi/introduction.adoc",
            "Raspberry Pi hardware documentation, flagship series: Raspberry Pi 4 Model B, SoC BCM2711, "
            "Memory 1GB, 2GB, 4GB or 8GB (the 4 GB model here); micro SD card slot",
        ),
        (
            f"{RPI_DOCS}/09e9186d4280a39583d3132826355a9ad5b30443/"
            "documentation/asciidoc/computers/config_txt/overclocking.adoc",
            "Raspberry Pi config.txt documentation, default arm_freq (MHz): CM4 & Pi4B <= R1.3: 1500; "
            "Pi4B R1.4: 1500 or 1800 if arm_boost=1 (Raspberry Pi's BCM2711 page gives Quad-core Cortex-A72 "
            "(ARM v8) 64-bit SoC @ 1.5 GHz; 1.8 GHz is the boosted clock of R1.4 boards)",
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
            f"{RPI_DOCS}/07b21c318691c1f0d9cf62469f930ab2253b76ef/"
            "documentation/asciidoc/computers/processors/bcm2712.adoc",
            "Raspberry Pi processor documentation: BCM2712 is the 16nm application processor used in Raspberry Pi 5; "
            "Quad-core Arm Cortex-A76 @ 2.4GHz; a 32-bit LPDDR4X memory interface",
        ),
        (
            f"{RPI_DOCS}/0193d56e3fda17ca3f069c7632ca1a5ee962b308/"
            "documentation/asciidoc/computers/raspberry-pi/introduction.adoc",
            "Raspberry Pi hardware documentation, flagship series: Raspberry Pi 5, SoC BCM2712, Memory 4GB or 8GB "
            "(the 4 GB model here); micro SD card slot",
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
            "https://www.tuttoandroid.net/news/2023/06/20/google-pixel-7a-tensor-g2-packaging-999775/",
            "TuttoAndroid's Pixel 7a spec sheet (third-party; Google's own spec page was not readable here): "
            "SoC: Google Tensor G2 (5 nm) con CPU octa-core; RAM: 8 GB (LPDDR5); "
            "Spazio di archiviazione: 128 GB (UFS 3.1)",
        ),
        (
            "https://en.gizchina.it/2022/10/google-tensor-g2-official-new-features/",
            "Gizchina on the Tensor G2 (third-party): tri-cluster CPU 2 x 2,85 GHz Cortex-X1 + 2 x 2,35 GHz "
            "Cortex-A78 + 4 x 1,8 GHz Cortex-A55",
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
