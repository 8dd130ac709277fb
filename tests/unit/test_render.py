"""DOT and Mermaid output, and images drawn from the DOT."""

import shutil

import graphviz
import pytest

from lightdesign.analysis.network import analyze
from lightdesign.core import presets
from lightdesign.core.design import Design, new_block
from lightdesign.output.graph_layout import CATEGORY_COLORS, ERROR_FILL
from lightdesign.output.render import to_dot, to_image, to_mermaid


def test_mermaid_is_a_top_down_flow_with_shapes_on_edges():
    text = to_mermaid(analyze(presets.build("seed_cnn")))
    lines = text.splitlines()
    assert lines[0] == "graph TD"
    assert '    input -->|"28×28×1"| b_conv1' in lines
    assert '    b_conv1 -->|"26×26×32"| b_pool1' in lines
    assert '    b_predictions -->|"10"| output' in lines
    assert '    b_conv1["conv1<br/>Conv2D · 32 · 3x3 · relu"]' in lines


def test_residuals_of_collapsed_blocks_are_drawn_as_skip_edges():
    text = to_mermaid(analyze(presets.build("mobilenet_v2")))
    assert '    b_block_1 -.->|"skip"| b_block_2' in text
    assert "b_block_0 -.->" not in text  # 32 -> 16 channels: no residual


def test_expanded_block_is_a_cluster_of_its_layers():
    dot = to_dot(analyze(presets.build("mobilenet_v2")), expand={"block_2"})
    assert "subgraph cluster_block_2 {" in dot
    assert "n_block_2_depthwise" in dot and "n_block_2_add" in dot
    assert "b_block_2 " not in dot
    assert "b_block_3" in dot and "n_block_3_expand" not in dot
    assert '-> n_block_2_add [label=" 56×56×24"]' in dot  # the shortcut from block_1 into the add
    everything = to_dot(analyze(presets.build("mobilenet_v2")), expand=True)
    assert everything.count("subgraph cluster_") == 19


def test_nodes_are_coloured_by_category_and_errors_are_red():
    design = Design(
        "d",
        (3, 3, 1),
        2,
        [
            new_block("Conv2D", "big", filters=4, kernel_size=5, padding="valid"),
            new_block("Flatten", "flat"),
        ],
    )
    dot = to_dot(analyze(design))
    assert f'fillcolor="{ERROR_FILL}"' in dot
    assert f'b_flat [label="flat\\nFlatten" color="#aaaaaa" fillcolor="{CATEGORY_COLORS["Shape & merge"]}"' in dot
    assert "output" not in dot  # no output node while the design is broken
    assert "b_big -> b_flat" in dot


def test_concat_edges_are_visible():
    design = Design(
        "d",
        (8, 8, 3),
        2,
        [
            new_block("Conv2D", "a", filters=4, kernel_size=1),
            new_block("Concatenate", "cat", source="input"),
        ],
    )
    text = to_mermaid(analyze(design))
    assert '    input -->|"8×8×3"| b_cat' in text
    assert '    b_a -->|"8×8×4"| b_cat' in text


def test_images_are_drawn_through_the_graphviz_package(monkeypatch):
    dot = to_dot(analyze(presets.build("seed_cnn")))
    if shutil.which("dot"):
        assert b"<svg" in to_image(dot, "svg")
        assert to_image(dot, "png").startswith(b"\x89PNG")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(graphviz.ExecutableNotFound):
        to_image(dot, "svg")
