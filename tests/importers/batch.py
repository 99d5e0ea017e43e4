"""Checkers over many outputs at once, for the corpus tests: one JVM for all EPUBs
(EPUBCheck's start-up costs seconds per run) and one for all HTML files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from exporter.checks import epubcheck, tools

DRIVER = """
import com.adobe.epubcheck.tool.EpubChecker;
public class Batch {
  public static void main(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      new EpubChecker().run(new String[] {args[i], "--json", args[i + 1], "--quiet"});
    }
  }
}
"""


def epubcheck_many(paths: list[Path], work: Path) -> dict[Path, epubcheck.EpubReport]:
    jar, java = tools.epubcheck_jar(), tools.java()
    if jar is None or java is None:
        raise RuntimeError("EPUBCheck is not installed: run scripts/setup.sh")
    work.mkdir(parents=True, exist_ok=True)
    driver = work / "Batch.java"
    driver.write_text(DRIVER, encoding="utf-8")
    args: list[str] = []
    for index, path in enumerate(paths):
        args += [str(path), str(work / f"report-{index}.json")]
    subprocess.run([java, "-cp", str(jar), str(driver), *args], capture_output=True, timeout=900, check=False)
    reports = {}
    for index, path in enumerate(paths):
        report = work / f"report-{index}.json"
        if report.is_file():
            reports[path] = epubcheck.EpubReport(path, json.loads(report.read_text(encoding="utf-8"))["messages"])
        else:
            reports[path] = epubcheck.EpubReport(path, [{"severity": "FATAL", "ID": "RUN", "message": "no report"}])
    return reports
