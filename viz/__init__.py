"""Plotly figures and the offline HTML report for alliance-sim (consumes model output tables only)."""
