"""What a design is: typed fields, the registry of layer kinds (primitive layers and composite
blocks, each with every fact about it on its class), designs and their JSON, tracing into a graph
of primitive nodes, edits, the canvas's wiring gestures, workspaces, share links and presets.
Pure Python; imports nothing above it but the configuration and the text catalogues."""
