"""Design page: an editor. The figures pinned at the top; the palette and the canvas in the
middle, the selected block's inspector on the right; charts, table, budget, scaling search,
suggestions, the sortable list and the drawings for export in tabs under the editor; the
workspace, presets, knobs and files in the sidebar (see ui/design_view.py).
"""

from lightdesign.ui import design_view, guide, state

design_view.sidebar(state.workspace())
guide.styles()
design_view.editor()
