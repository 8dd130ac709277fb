"""The Learn page's formulas agree with the analysis and with hand computation."""

import numpy as np

from lightdesign import learn
from lightdesign.analysis import analyze
from lightdesign.design import Design, new_block


def test_conv_formula_matches_the_analysis():
    cost = learn.conv_cost(size=32, kernel=5, stride=2, padding=0, c_in=3, c_out=16)
    design = Design(
        "c", (32, 32, 3), 2, [new_block("Conv2D", "c", filters=16, kernel_size=5, strides=2, padding="valid")]
    )
    row = analyze(design).rows[-1]
    assert (cost["output"], cost["output"], 16) == row.shape
    assert (cost["params"], cost["macs"]) == (row.params, row.macs)


def test_separable_ratio_is_the_papers_formula():
    cost = learn.separable_cost(size=14, kernel=3, c_in=512, c_out=512)
    assert abs(cost["ratio"] - cost["formula"]) < 1e-12
    assert round(cost["ratio"], 4) == round(1 / 512 + 1 / 9, 4)


def test_activations_at_known_points():
    x = np.array([-4.0, 0.0, 4.0, 8.0])
    assert np.allclose(learn.ACTIVATIONS["relu6"][0](x), [0, 0, 4, 6])
    assert np.allclose(learn.ACTIVATIONS["hard_swish"][0](x), [0, 0, 4, 8])
    assert np.allclose(learn.ACTIVATIONS["hard_sigmoid"][0](np.array([-3.0, 0.0, 3.0])), [0, 0.5, 1])


def test_pooling_by_hand():
    m = np.arange(16, dtype=float).reshape(4, 4)
    assert learn.pool(m, 2, 2, "max").tolist() == [[5, 7], [13, 15]]
    assert learn.pool(m, 2, 2, "average").tolist() == [[2.5, 4.5], [10.5, 12.5]]
