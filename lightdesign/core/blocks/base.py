"""Base of composite blocks: a helper function written against ``keras.layers`` plus the
field declarations that describe its arguments."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ClassVar

from lightdesign.core import fields as F
from lightdesign.core.fields import Field
from lightdesign.core.symbolic import LayerError, Tensor, fmt_shape

# The form a model exported for inference holds its blocks in (shared by the blocks a
# PyTorch or TFLite model comes back as).
FOLDED_BN = F.flag(
    "folded_bn",
    False,
    "BatchNorm folded into the convolutions' biases, as a model exported for inference holds it: "
    "convolutions with a bias and no BatchNorm layers.",
)


class Composite:
    """A composite kind. ``helper(x, **params, name=...)`` builds it; ``requires`` lists the
    other helpers and custom layers its source uses."""

    kind: ClassVar[str] = ""
    category: ClassVar[str] = "Lightweight blocks"
    doc: ClassVar[str] = ""
    fields: ClassVar[tuple[Field, ...]] = ()
    helper: ClassVar[Callable]
    requires: ClassVar[tuple] = ()
    composite: ClassVar[bool] = True
    repeatable: ClassVar[bool] = False  # stacked in stages: the depth knob of the scaling search repeats it
    multi_input: ClassVar[bool] = False
    ref_fields: ClassVar[tuple[str, ...]] = ()
    custom: ClassVar[bool] = False
    article_stage: ClassVar[str | None] = "block"  # drawn as one stage unless expanded

    @classmethod
    def check(cls, params: dict[str, Any], shape: tuple) -> None:
        """Raise LayerError naming the field when params cannot work on this input."""

    @classmethod
    def apply(cls, inputs: list[Tensor], params: dict[str, Any], name: str) -> Tensor:
        x = inputs[0]
        if len(x.dims) != 3:
            raise LayerError(f"{cls.kind} needs an image tensor (height, width, channels); got {fmt_shape(x.dims)}")
        cls.check(params, x.dims)
        return cls.helper(x, **params, name=name)

    @classmethod
    def call_source(cls, params: dict[str, Any], name: str, inputs: list[str]) -> str:
        defaults = {p.name: p.default for p in inspect.signature(cls.helper).parameters.values()}
        args = [inputs[0]]
        for key, value in params.items():
            if value != defaults.get(key, inspect.Parameter.empty):
                args.append(f"{key}={value!r}")
        args.append(f"name={name!r}")
        return f"{cls.helper.__name__}({', '.join(args)})"

    @classmethod
    def helpers(cls) -> tuple:
        return (*cls.requires, cls.helper)
