"""What a check produces: findings about one output from one checker, and the run's report.

A :class:`Finding` is one message of a checker (EPUBCheck's ``RSC-005``, Ace's
``metadata-accessmode``, a PDF font that is not embedded…) with exporter's severity:
``error`` or ``warning`` fail the gate depending on the threshold, ``info`` never does.
An :class:`Outcome` is one checker on one output: its findings, or the reason it was
skipped. A skipped check is never counted as passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter.diagnostics import Severity

__all__ = ["Finding", "Outcome", "Report", "Severity", "THRESHOLDS"]

_ORDER = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
#: --fail-on values: the lowest severity that fails a check
THRESHOLDS = {"error": Severity.ERROR, "warning": Severity.WARNING}


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str
    code: str = ""
    #: where in the output: a path inside an EPUB, "page 3", "line 12, column 4"…
    location: str = ""

    def __str__(self) -> str:
        code = f"[{self.code}]" if self.code else ""
        where = f"{self.location}: " if self.location else ""
        return f"{self.severity.value}{code}: {where}{self.message}"

    def to_json(self) -> dict[str, str]:
        data = {"severity": self.severity.value, "code": self.code, "message": self.message,
                "location": self.location}
        return {k: v for k, v in data.items() if v}


@dataclass
class Outcome:
    checker: str
    output: Path
    findings: list[Finding] = field(default_factory=list)
    #: why the check did not run (None when it ran)
    skipped: str | None = None
    seconds: float = 0.0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failing(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if _ORDER[f.severity] >= _ORDER[threshold]]

    def status(self, threshold: Severity, fail_on_skip: bool = False) -> str:
        """``passed``, ``failed`` or ``skipped`` (``failed`` for a skip under ``fail_on_skip``)."""
        if self.skipped is not None:
            return "failed" if fail_on_skip else "skipped"
        return "failed" if self.failing(threshold) else "passed"

    def to_json(self, threshold: Severity, fail_on_skip: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {"checker": self.checker, "output": str(self.output),
                "status": self.status(threshold, fail_on_skip), "seconds": round(self.seconds, 3),
                "findings": [f.to_json() for f in self.findings]}
        if self.skipped is not None:
            data["reason"] = self.skipped
        return data


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    threshold: Severity = Severity.ERROR
    fail_on_skip: bool = False
    seconds: float = 0.0

    def status(self, outcome: Outcome) -> str:
        return outcome.status(self.threshold, self.fail_on_skip)

    def counts(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for outcome in self.outcomes:
            counts[self.status(outcome)] += 1
        return counts

    @property
    def ok(self) -> bool:
        return self.counts()["failed"] == 0

    def outputs(self) -> list[Path]:
        return list(dict.fromkeys(o.output for o in self.outcomes))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "fail_on": "warning" if self.threshold == Severity.WARNING else "error",
            "fail_on_skip": self.fail_on_skip,
            **self.counts(),
            "seconds": round(self.seconds, 3),
            "results": [o.to_json(self.threshold, self.fail_on_skip) for o in self.outcomes],
        }
