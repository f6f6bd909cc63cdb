"""Tests for viz.report: one self-contained offline HTML file."""

from __future__ import annotations

import html
import re

import pytest
from plotly.offline import get_plotlyjs

from test_viz_figures import make_meta, make_tables
from viz.report import build_report, default_network_dates

SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?</script>", re.S | re.I)
URL_ATTR = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _markup_only(text: str) -> str:
    """The HTML with the bodies of inline scripts removed (their code contains URLs)."""
    return SCRIPT_BODY.sub(r"\1</script>", text)


@pytest.fixture
def report(tmp_path):
    tables, meta = make_tables(), make_meta()
    path = build_report(tables, meta, tmp_path / "report.html")
    return path, path.read_text(encoding="utf-8"), tables, meta


def test_report_written_to_path(report, tmp_path):
    path, text, _, meta = report
    assert path == tmp_path / "report.html" and path.is_file()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert f"<h1>{meta['title']}</h1>" in text


def test_no_external_resources(report):
    _, text, _, _ = report
    markup = _markup_only(text)
    assert not URL_ATTR.search(markup)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", markup, re.I)
    assert not re.search(r"<link\b", markup, re.I)
    assert not re.search(r"@import|url\(", markup, re.I)


def test_url_attribute_check_can_fail():
    bad = '<p>x</p><script src="https://cdn.plot.ly/plotly.min.js"></script>'
    assert URL_ATTR.search(_markup_only(bad))
    assert URL_ATTR.search("<img src='//example.org/a.png'>")
    assert not URL_ATTR.search(_markup_only('<script>var a = "<a href=\\"https://x\\">";</script>'))


def test_plotly_js_inlined_exactly_once(report):
    _, text, _, _ = report
    head = get_plotlyjs()[:300]
    assert text.count(head) == 1
    assert text.count("Plotly.newPlot") >= 8  # 3 + 3 networks + resources + affinity


def test_events_sources_and_manifest(report):
    _, text, tables, _ = report
    for _, ev in tables["events"].iterrows():
        assert html.escape(ev["source"]) in text
        assert html.escape(ev["label"]) in text
    assert "<details>" in text and "Run manifest" in text
    assert "MANIFEST-MARKER" in text and "deadbeef" in text


def test_summary_content(report):
    _, text, _, _ = report
    assert "2024-01-01 → 2024-05-01" in text
    assert "Final coalitions" in text and "B: Western coalition" in text
    assert "Korean peninsula" in text


def test_network_dates_default_and_custom(tmp_path):
    tables, meta = make_tables(), make_meta()
    got = [f"{d:%Y-%m-%d}" for d in default_network_dates(tables["states"])]
    assert got == ["2024-01-01", "2024-03-01", "2024-05-01"]
    text = build_report(tables, meta, tmp_path / "r.html",
                        network_dates=["2024-02-01"]).read_text(encoding="utf-8")
    assert "Alignment network on 2024-02-01" in text
    assert "Alignment network on 2024-05-01" not in text


def test_html_in_inputs_is_escaped(tmp_path):
    tables, meta = make_tables(), make_meta()
    tables["events"].loc[0, "source"] = "<script>alert(1)</script> https://evil.example"
    meta["manifest"]["x"] = "</details><b>"
    text = build_report(tables, meta, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text  # escaped in the table and in figure JSON
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;/details&gt;&lt;b&gt;" in text
    assert not URL_ATTR.search(_markup_only(text))
