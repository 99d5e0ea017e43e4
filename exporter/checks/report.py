"""A check report three ways: a summary to read, JSON for scripts, JUnit XML for CI.

JUnit: one ``<testsuite>`` per checker and one ``<testcase>`` per output in it, named
by the output's path; a failed check carries ``<failure>`` with every finding at or
above the threshold, a skipped one ``<skipped>`` with the reason, and findings below
the threshold go to ``<system-out>``. GitHub, GitLab, Jenkins and Azure Pipelines all
display this form.

Every output name, reason and finding in the summary and in JUnit goes through
:func:`~exporter.display.printable` (a finding can quote a file name or text of the
source); JSON keeps them as given, with the characters a terminal acts on as ``\\u``
escapes.
"""

from __future__ import annotations

import re

from lxml import etree

from exporter.checks.result import Finding, Outcome, Report, Severity
from exporter.display import json_text, printable
from exporter.safety.xml import XML_ILLEGAL

__all__ = ["text", "to_json", "junit"]

_ILLEGAL = re.compile(XML_ILLEGAL)
_SHOWN = 12  # findings listed per check in the summary (all are in JSON and JUnit)


def text(report: Report) -> str:
    lines = []
    current = None
    for outcome in report.outcomes:
        if outcome.output != current:
            current = outcome.output
            lines.append(printable(current))
        status = report.status(outcome)
        label = {"passed": "passed ", "failed": "FAILED ", "skipped": "skipped"}[status]
        detail = printable(outcome.skipped) if outcome.skipped is not None else _counts(outcome)
        lines.append(f"  {label}  {outcome.checker:<13} {detail}".rstrip())
        shown = [f for f in outcome.findings if f.severity != Severity.INFO] or outcome.findings
        for finding in shown[:_SHOWN]:
            lines.append(f"             {printable(finding)}")
        if len(shown) > _SHOWN:
            lines.append(f"             … {len(shown) - _SHOWN} more (--format json lists them all)")
    counts = report.counts()
    threshold = "warnings" if report.threshold == Severity.WARNING else "errors"
    outputs, checks = len(report.outputs()), len(report.outcomes)
    lines.append(f"{outputs} output{'s' * (outputs != 1)}, {checks} check{'s' * (checks != 1)}: {counts['passed']} passed, "
                 f"{counts['failed']} failed, {counts['skipped']} skipped in {report.seconds:.1f} s "
                 f"(failing on {threshold}{', and on skipped checks' if report.fail_on_skip else ''})")
    return "\n".join(lines)


def _counts(outcome: Outcome) -> str:
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        n = outcome.count(severity)
        if n:
            parts.append(f"{n} {severity.value}{'s' if n > 1 else ''}")
    return ", ".join(parts)


def to_json(report: Report) -> str:
    return json_text(report.to_json(), indent=2)


def junit(report: Report) -> bytes:
    root = etree.Element("testsuites", name="exporter check")
    suites: dict[str, etree._Element] = {}
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for outcome in report.outcomes:
        suite = suites.get(outcome.checker)
        if suite is None:
            suite = suites[outcome.checker] = etree.SubElement(
                root, "testsuite", name=outcome.checker, tests="0", failures="0", errors="0", skipped="0", time="0")
        case = etree.SubElement(suite, "testcase", classname=f"exporter.check.{outcome.checker}",
                                name=_clean(printable(outcome.output)), file=_clean(printable(outcome.output)),
                                time=f"{outcome.seconds:.3f}")
        status = report.status(outcome)
        failing = outcome.failing(report.threshold)
        if outcome.skipped is not None:
            tag = "failure" if status == "failed" else "skipped"
            etree.SubElement(case, tag, message=_clean(printable(f"skipped: {outcome.skipped}" if tag == "failure"
                                                                 else outcome.skipped)))
        elif status == "failed":
            failure = etree.SubElement(case, "failure", type=failing[0].code or failing[0].severity.value,
                                       message=_clean(f"{_counts(outcome)}; first: {_brief(failing[0])}"))
            failure.text = _clean("\n".join(map(printable, failing)))
        others = [f for f in outcome.findings if f not in failing]
        if others:
            etree.SubElement(case, "system-out").text = _clean("\n".join(map(printable, others)))
        _add(suite, "tests", 1)
        _add(suite, "time", outcome.seconds)
        totals["tests"] += 1
        if status == "failed":
            _add(suite, "failures", 1)
            totals["failures"] += 1
        elif status == "skipped":
            _add(suite, "skipped", 1)
            totals["skipped"] += 1
    root.attrib.update({**{k: str(v) for k, v in totals.items()}, "errors": "0", "time": f"{report.seconds:.3f}"})
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


def _brief(finding: Finding) -> str:
    code = f"[{finding.code}] " if finding.code else ""
    where = f"{finding.location}: " if finding.location else ""
    return printable(f"{code}{where}{finding.message}")


def _add(element: etree._Element, name: str, amount: float) -> None:
    value = float(element.get(name, "0")) + amount
    element.set(name, f"{value:.3f}" if name == "time" else str(int(value)))


def _clean(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value)
