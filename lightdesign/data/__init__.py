"""Datasets for brief training: the built-in generators, what is on offer, the in-memory and
on-disk limits, the content-addressed cache, splitting, fitting images to a design, uploads.
NumPy only; no TensorFlow."""
