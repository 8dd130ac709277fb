"""Streamlit widgets of the app: the only library code that imports streamlit."""
