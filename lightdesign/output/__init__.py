"""What a design becomes: Keras source (codegen), a standalone training script, and drawings
(the block graph, the tutorial's article stages, DOT and Mermaid)."""
