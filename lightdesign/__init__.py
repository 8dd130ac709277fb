"""LightDesign: design, analyse and export lightweight neural networks.

Importing this package pulls in neither TensorFlow nor Streamlit.
"""

__version__ = "0.1.0"
