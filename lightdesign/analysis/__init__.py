"""The figures of a design: the analysis (shapes, parameters, multiply-adds, FLOPs, memory), every
figure's definition (metrics), the TFLite converter's lowering and TensorFlow Lite Micro's arena
(deployment), and what TFLite can run (support). Pure Python."""
