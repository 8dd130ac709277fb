"""Composite blocks: each a helper function written against ``keras.layers`` (run here on
``lightdesign.core.layers``) and a registry entry describing its fields."""

from lightdesign.core.blocks import fire, ghost, inverted_residual, separable, shufflenet, squeeze_excite

__all__ = ["fire", "ghost", "inverted_residual", "separable", "shufflenet", "squeeze_excite"]
