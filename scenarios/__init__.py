"""Scenario files shipped with alliance-sim (YAML) and their data tables (``data/``).

This package holds no code: it exists so that the files install with the package and
``alliance-sim run korea_russia_2024`` works from any folder.
"""
