"""Fuzzed designs: the analysis never raises, every problem names its block, valid
designs have consistent figures and their generated code compiles."""

from hypothesis import HealthCheck, given, settings

from lightdesign.analysis.network import analyze
from lightdesign.explore.suggestions import suggest
from lightdesign.output.codegen import generate
from lightdesign.output.render import to_dot, to_mermaid

from ..strategies import designs

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow])  # examples and deadline: the profile's


@FUZZ
@given(designs(junk_rate=0.15))
def test_analysis_never_raises_and_names_the_block(design):
    result = analyze(design)
    for issue in result.errors:
        assert issue.block is not None and 1 <= issue.block <= len(design.blocks)
        assert issue.name == design.blocks[issue.block - 1].name
        assert issue.message and issue.text.startswith(f"Block {issue.block} '")
        if issue.field is not None:
            assert issue.field in ("name", "input") or issue.field in design.blocks[issue.block - 1].params
    to_dot(result)
    to_mermaid(result)
    if result.ok:
        assert all(d >= 1 for d in result.output_shape)
        assert sum(r.params for r in result.rows) == result.params
        assert result.peak_activation_bytes > 0
        compile(generate(design), "<fuzz>", "exec")
        suggest(design)


@FUZZ
@given(designs(junk_rate=0.0, image_bias=True))
def test_valid_field_values_never_crash_either(design):
    result = analyze(design)
    assert result.ok == (not result.errors)
