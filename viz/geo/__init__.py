"""The world map's country outlines (package data: world_110m.json; see README.md)."""
