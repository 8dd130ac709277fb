"""TensorFlow Lite flatbuffers -> designs (``convert``), and the weights of the mapped layers
in Keras's layout (``weight_values``, read by a job's worker)."""

from lightdesign.importers.tflite.mapper import convert, weight_values

__all__ = ["convert", "weight_values"]
