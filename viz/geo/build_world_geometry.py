"""Build ``world_110m.json``, the country outlines the world map draws, from Natural Earth.

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 – Countries (public domain,
naturalearthdata.com), as shipped by geopandas 0.14.4 (``geopandas/datasets/naturalearth_lowres``,
BSD-3-Clause package; the data keep Natural Earth's public-domain terms). Read with pyshp
(a build-time tool only: ``pip install pyshp``; the package never needs it).

    python viz/geo/build_world_geometry.py --shapefile PATH/naturalearth_lowres.shp

Output: a GeoJSON FeatureCollection, one feature per country with ``id`` its ISO 3166-1 alpha-3
code (Kosovo, ``-99`` in Natural Earth, as ``XKX``, the code the shipped data use) and
``properties.name``; coordinates rounded to 0.1° (about 11 km, below the 1:110m scale's detail),
repeated points dropped, and rings wound clockwise as d3-geo (Plotly's geo views) expects.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT = Path(__file__).with_name("world_110m.json")
DIGITS = 1
RENAMED = {"Kosovo": "XKX"}  # Natural Earth's -99 codes, named as in scenarios/data/world_2016.csv


def _signed_area(ring: list) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))


def _ring(points: list, exterior: bool) -> list | None:
    """Rounded, without repeats, closed, wound clockwise if exterior (d3's spherical rule)."""
    out = []
    for x, y in points:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not out or p != out[-1]:
            out.append(p)
    if len(out) < 4:
        return None
    if out[0] != out[-1]:
        out.append(out[0])
    clockwise = _signed_area(out) < 0
    return out if clockwise == exterior else out[::-1]


def _polygons(shape) -> list:
    """A shapefile polygon's parts grouped into polygons (exterior clockwise, then its holes)."""
    geo = shape.__geo_interface__
    polygons = [geo["coordinates"]] if geo["type"] == "Polygon" else geo["coordinates"]
    out = []
    for rings in polygons:
        exterior = _ring(rings[0], True)
        if exterior is not None:
            out.append([exterior] + [r for r in (_ring(h, False) for h in rings[1:]) if r is not None])
    return out


def build(shapefile: Path) -> dict:
    import shapefile as shp  # pyshp

    reader = shp.Reader(str(shapefile))
    features = []
    for record, shape in zip(reader.records(), reader.shapes()):
        code = RENAMED.get(record["name"], record["iso_a3"])
        if code == "-99" or record["name"] == "Antarctica":
            continue
        polygons = _polygons(shape)
        geometry = {"type": "Polygon", "coordinates": polygons[0]} if len(polygons) == 1 else \
            {"type": "MultiPolygon", "coordinates": polygons}
        features.append({"type": "Feature", "id": code, "properties": {"name": record["name"]}, "geometry": geometry})
    features.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection",
            "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas 0.14.4's "
                      "naturalearth_lowres; built by viz/geo/build_world_geometry.py",
            "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapefile", type=Path, required=True)
    args = parser.parse_args()
    OUT.write_text(json.dumps(build(args.shapefile), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
