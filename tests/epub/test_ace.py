"""The DAISY Ace runner (exporter.checks.ace): ``available()``, ``check(path)`` returning
violations, and no pass reported when Ace could not run."""

from __future__ import annotations

import pytest

from exporter.checks import ace

REPORT = {
    "assertions": [
        {"earl:testSubject": {"url": "EPUB/content.opf"}, "assertions": [
            {"earl:result": {"earl:outcome": "fail", "dct:description": "Publications must declare 'schema:accessMode'"},
             "earl:test": {"dct:title": "metadata-accessmode", "earl:impact": "serious"}},
            {"earl:result": {"earl:outcome": "pass"}, "earl:test": {"dct:title": "epub-title"}}]},
        {"earl:testSubject": {"url": "text/a.xhtml"}, "assertions": [
            {"earl:result": {"earl:outcome": "fail", "dct:description": "Element does not have an alt attribute",
                             "earl:pointer": {"css": ["img"], "cfi": ["/4/2"]}},
             "earl:test": {"dct:title": "image-alt", "earl:impact": "critical"}}]},
        {"earl:testSubject": {"url": "nav.xhtml"}, "earl:result": {"earl:outcome": "pass"}},
    ]
}


def test_report_violations_are_parsed():
    found = ace.violations(REPORT)
    assert [(v.rule, v.impact, v.file) for v in found] == [("metadata-accessmode", "serious", "EPUB/content.opf"),
                                                           ("image-alt", "critical", "text/a.xhtml")]
    assert found[1].location == "img" and "alt attribute" in str(found[1])
    assert found[0].to_json()["rule"] == "metadata-accessmode"


def test_ace_is_installed_by_the_projects_setup():
    if not ace.available():
        pytest.fail("DAISY Ace is not installed: run scripts/setup.sh (npm ci and chromium)")
    assert ace.executable() and ace.browser()


def test_a_failed_run_is_never_a_pass(tmp_path):
    if not ace.available():
        pytest.fail("DAISY Ace is not installed: run scripts/setup.sh (npm ci and chromium)")
    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"this is not a zip file")
    with pytest.raises(RuntimeError, match="Ace did not produce a report"):
        ace.check(broken)
