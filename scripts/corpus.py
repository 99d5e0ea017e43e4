"""The real-world corpus harness (docs/corpus.md).

Builds every document listed in corpus/index.tsv into EPUB, PDF and print HTML with the
exporter CLI (one document at a time unless --jobs), checks each EPUB with EPUBCheck and
DAISY Ace, and measures the paragraphs kept: the share of the document's text blocks
found in each output's text. Prints one line per document and a summary; --json writes
everything. Exits 1 when a document has an internal error (or did not build), EPUBCheck
reports an error or warning, or an output keeps less than --min-kept percent.

"kept" reuses the project's completeness check (exporter.checks.completeness): the text
blocks of the article the importer made, looked up in each output's text. "src" is an
independent cross-check of the importer: paragraphs taken from the source file itself
(blank-line paragraphs of a text file, block elements of HTML/JATS/XHTML, Markdown rendered
by markdown-it), looked up in the EPUB's text after folding punctuation, so that a paragraph
the importer dropped shows there even though "kept" cannot see it. It is reported, not gated.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import copy
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "corpus"
FORMATS = ("epub", "pdf", "html")


# --- the list of documents --------------------------------------------------------------

def documents(corpus: Path = CORPUS) -> list[dict]:
    """The rows of corpus/index.tsv: path, kind, flags, lang."""
    rows = []
    for line in (corpus / "index.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        path, kind, flags, lang = (line.split("\t") + ["-", "-", "-"])[:4]
        rows.append({"path": path, "kind": kind, "big": "big" in flags.split(","),
                     "lang": None if lang == "-" else lang})
    return rows


def doc_id(path: str) -> str:
    """A short name for a document: its path without the suffix, a trailing /src or index file."""
    parts = Path(path).with_suffix("").parts
    if parts[-1] == "src":
        parts = parts[:-1]
    elif len(parts) > 2 and Path(path).suffix in (".htm", ".html") and parts[-2].startswith(("pg", "18f")):
        parts = parts[:-1]  # html/pg18195-girls-own-paper/18195-h -> html/pg18195-girls-own-paper
    return "/".join(parts)


def select(rows: list[dict], only: list[str], big: bool) -> list[dict]:
    chosen = []
    for row in rows:
        if row["big"] and not big:
            continue
        if only and not any(fnmatch.fnmatch(row["path"], f"*{p}*") or p in row["path"] for p in only):
            continue
        chosen.append(row)
    return chosen


# --- building ----------------------------------------------------------------------------

def build(row: dict, out: Path, timeout: int) -> dict:
    """Build one document with the CLI (in a process of its own) and read its JSON report."""
    source = CORPUS / row["path"]
    target = out / doc_id(row["path"]).replace("/", "__")
    target.mkdir(parents=True, exist_ok=True)
    report = target / "report.json"
    started = time.monotonic()
    command = [sys.executable, "-m", "exporter", "build", str(source), "-o", str(target), "-j", "1", "--force",
               "-q", "--report", str(report), "--timeout", str(timeout)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(command, capture_output=True, env=env, cwd=ROOT, timeout=timeout + 120, check=False)
    result = {"status": "internal error", "outputs": {}, "error": None, "diagnostics": {}, "exit": run.returncode,
              "seconds": round(time.monotonic() - started, 1)}
    try:
        data = json.loads(report.read_text("utf-8"))
        document = data["documents"][0]
    except (OSError, ValueError, KeyError, IndexError):
        result["error"] = (run.stderr or run.stdout).decode("utf-8", "replace").strip()[-3000:] or "no report"
        return result
    result["outputs"] = dict(document.get("outputs") or {})
    counts: dict[str, int] = {}
    for diagnostic in document.get("diagnostics") or []:
        severity = diagnostic.get("severity", "?")
        counts[severity] = counts.get(severity, 0) + 1
    result["diagnostics"] = counts
    result["diagnostic_list"] = [f"{d.get('severity')}[{d.get('code')}]: {d.get('message')}"
                                 for d in document.get("diagnostics") or [] if d.get("severity") in ("error", "warning")][:20]
    status = document.get("status")
    error = document.get("error")
    result["error"] = error
    if status in ("ok", "built") and not error:
        result["status"] = "built"
    elif error and "internal error" in error:
        result["status"] = "internal error"
        result["traceback"] = traceback_of(source, timeout)
    elif status in ("timeout", "oom", "crash"):
        result["status"] = status
    else:
        codes = [d.get("code") for d in document.get("diagnostics") or [] if d.get("severity") == "error"]
        result["status"] = "error " + (codes[0] if codes and codes[0] else status or "failed")
    return result


def traceback_of(source: Path, timeout: int) -> str:
    """The traceback of an internal error: the same build again, in-process, in a child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        run = subprocess.run([sys.executable, str(Path(__file__)), "--traceback", str(source)], capture_output=True,
                             env=env, cwd=ROOT, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "(timed out while collecting the traceback)"
    return run.stdout.decode("utf-8", "replace").strip()[-4000:]


def print_traceback(source: str) -> int:
    from exporter.pipeline import load, render
    from exporter.settings import Settings

    try:
        render(load(Path(source), Settings(isolate=False)), Settings(isolate=False))
    except Exception:
        print(traceback.format_exc())
        return 1
    print("(no exception when built in-process)")
    return 0


# --- paragraphs kept ---------------------------------------------------------------------

def kept(row: dict, outputs: dict[str, str]) -> dict:
    """Per format: share of the article's text blocks in the output (the project's
    completeness check), and of the source's own paragraphs (the cross-check).

    A block that is missing only because of its note references (the model's text says
    "[1]", the outputs show "1") counts as kept; how many needed that is reported as
    ``noteref_only`` (a false alarm of the completeness check itself)."""
    from exporter.checks import completeness
    from exporter.pipeline import load
    from exporter.settings import Settings

    source = CORPUS / row["path"]
    result: dict = {"kept": {}, "src": {}, "lost": {}, "src_lost": [], "noteref_only": {}, "pdf_text": None}
    article = load(source, Settings(isolate=False))
    blocks = article.text_blocks()
    patterns = _noteref_patterns(article, completeness)
    furniture = [article.meta.title or "", article.meta.publication or ""]
    paragraphs = source_paragraphs(row)
    for fmt in FORMATS:
        if fmt not in outputs:
            continue
        try:
            text, how = output_text(completeness, Path(outputs[fmt]), furniture)
        except Exception as error:
            result["lost"][fmt] = [f"(output text unreadable: {error})"]
            result["kept"][fmt] = 0.0
            continue
        if fmt == "pdf":
            result["pdf_text"] = how
        lost = completeness.missing(blocks, text)
        haystack = completeness.normalize(text)
        really = [b for b in lost if not _found_without_noterefs(b, patterns, haystack, completeness)]
        result["noteref_only"][fmt] = len(lost) - len(really)
        result["kept"][fmt] = 100.0 if not blocks else round(100 * (1 - len(really) / len(blocks)), 2)
        result["lost"][fmt] = [shorten(b) for b in really[:10]]
        if paragraphs:
            loose_text = loose(text)
            src_lost = [p for p in paragraphs if loose(_NOTEREF.sub("", p)) not in loose_text]
            result["src"][fmt] = round(100 * (1 - len(src_lost) / len(paragraphs)), 2)
            if fmt == "epub" or not result["src_lost"]:
                result["src_lost"] = [shorten(p) for p in src_lost[:10]]
    result["blocks"] = len(blocks)
    result["paragraphs"] = len(paragraphs)
    return result


def _noteref_patterns(article, completeness) -> dict[str, re.Pattern]:
    """For each text block holding note references (``a.noteref``): a pattern of its
    normalised text that lets any short marker stand where a reference is, since the
    outputs number notes their own way (the model's "[1]" or the source's label "1" may be
    "1" or "5" in an output)."""
    from exporter.model import TEXT_BLOCKS, normalize_space, text_of

    patterns = {}
    for element in article.body.iter(*TEXT_BLOCKS):
        if any(a.tag in TEXT_BLOCKS for a in element.iterancestors()):
            continue
        refs = [a for a in element.iter("a") if "noteref" in (a.get("class") or "").split()]
        if not refs:
            continue
        key = normalize_space(text_of(element))
        clone = copy.deepcopy(element)
        for a in clone.iter("a"):
            if "noteref" in (a.get("class") or "").split():
                for child in list(a):
                    a.remove(child)
                a.text = "\ue000"
        pieces = completeness.normalize(text_of(clone)).split("\ue000")
        patterns[key] = re.compile(r"[^\W_]{0,6}?".join(re.escape(piece) for piece in pieces))
    return patterns


def _found_without_noterefs(block: str, patterns: dict, haystack: str, completeness) -> bool:
    pattern = patterns.get(block)
    if pattern is not None:
        return pattern.search(haystack) is not None
    return completeness.normalize(_NOTEREF.sub("", block)) in haystack


#: a note reference as the model's text has it ("[1]", "[12]", "[a]") or the source ("[^x]")
_NOTEREF = re.compile(r"\[(?:\^[^\]\s]+|\d{1,4}|[a-z]|[*†‡§])\]")


def output_text(completeness, path: Path, furniture: list[str]) -> tuple[str, str]:
    """The output's text as the completeness check reads it. A PDF whose structure tree
    pdfinfo cannot print within the check's time limit is read as raw text instead
    (the second value says which: "structure", "raw (structure timed out)", "raw")."""
    if path.suffix.lower() != ".pdf":
        return completeness.output_text(path, furniture), ""
    try:
        structured = completeness.pdf_structure_text(path)
        how = "structure" if structured is not None else "raw"
    except subprocess.TimeoutExpired:
        structured, how = None, "raw (structure timed out)"
    if structured is not None:
        return structured, how
    original = completeness.pdf_structure_text
    completeness.pdf_structure_text = lambda _path: None  # the raw-text branch of pdf_text
    try:
        return completeness.pdf_text(path, furniture), how
    finally:
        completeness.pdf_structure_text = original


def shorten(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def loose(text: str) -> str:
    """Letters and digits only, NFKC and case folded: quotes, dashes, ellipses, spaces,
    markup leftovers and punctuation that an importer may rightly change do not count."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


_MIN_LETTERS = 12  # shorter paragraphs (page numbers, rules, "CHAPTER I") say little


def source_paragraphs(row: dict) -> list[str]:
    """The source's own paragraphs, read without exporter's importers."""
    path = CORPUS / row["path"]
    try:
        if row["kind"] == "text":
            paragraphs = _text_paragraphs(path)
        elif row["kind"] == "markdown":
            paragraphs = _markdown_paragraphs(path)
        elif row["kind"] == "html":
            paragraphs = _html_paragraphs(path)
        elif row["kind"] == "jats":
            paragraphs = _jats_paragraphs(path)
        elif row["kind"] == "epub":
            paragraphs = _epub_paragraphs(path)
        else:
            return []
    except Exception:
        return []
    return [p for p in (" ".join(p.split()) for p in paragraphs) if len(loose(p)) >= _MIN_LETTERS]


def _decode(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: the declared encoding, else UTF-8, else the best guess
    (charset_normalizer when it is installed), else windows-1252."""
    for encoding in filter(None, (declared, "utf-8-sig")):
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except ImportError:
        pass
    return data.decode("cp1252", errors="replace")


def _text_paragraphs(path: Path) -> list[str]:
    data = path.read_bytes()
    declared = re.search(rb"Character set encoding:\s*([\w-]+)", data[:8192])
    text = _decode(data, declared.group(1).decode("ascii") if declared else None)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    paragraphs = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if len(lines) > 3 and sum(line[:1] in ("\u3000", "\u300c") for line in lines) > 0.8 * len(lines):
            paragraphs += lines  # one paragraph a line, each indented (Japanese texts: U+3000)
        else:
            paragraphs.append(paragraph)
    return paragraphs


_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "caption", "figcaption", "pre",
           "blockquote", "title")


def _blocks_of(root, skip=("script", "style", "head", "nav")) -> list[str]:
    from lxml import etree

    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name not in _BLOCKS or any(isinstance(a.tag, str) and etree.QName(a).localname in skip
                                      for a in element.iterancestors()):
            continue
        if any(isinstance(d.tag, str) and etree.QName(d).localname in _BLOCKS for d in element.iterdescendants()):
            continue  # the innermost blocks only
        found.append("".join(element.itertext()))
    return found


def _html_paragraphs(path: Path) -> list[str]:
    from lxml import html

    data = path.read_bytes()
    declared = re.search(rb"""charset\s*=\s*["']?([\w.:-]+)""", data[:4096], re.I)
    text = _decode(data, declared.group(1).decode("ascii") if declared else None)
    text = re.sub(r"\A\ufeff?<\?xml[^>]*\?>", "", text)
    root = html.fromstring(text)
    body = root.find("body") if root.find("body") is not None else root
    return _blocks_of(body)


def _jats_paragraphs(path: Path) -> list[str]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.fromstring(path.read_bytes(), parser)
    found = []
    for name in ("abstract", "body", "back"):
        for part in root.iter(name):
            for element in part.iter("p", "title", "td", "th", "label"):
                if element.tag == "p" and element.find(".//p") is not None:
                    continue
                if any(a.tag in ("td", "th") for a in element.iterancestors()) and element.tag not in ("td", "th"):
                    continue
                found.append("".join(element.itertext()))
    return found


def _markdown_paragraphs(path: Path) -> list[str]:
    from lxml import html
    from markdown_it import MarkdownIt

    text = _decode(path.read_bytes())
    text = re.sub(r"\A(---|\+\+\+)\n.*?\n\1\n", "", text.replace("\r\n", "\n"), flags=re.S)
    parser = MarkdownIt("commonmark").enable("table")
    try:
        from mdit_py_plugins.footnote import footnote_plugin

        parser = parser.use(footnote_plugin)
    except ImportError:
        pass
    rendered = parser.render(text)
    return _blocks_of(html.fromstring(f"<div>{rendered}</div>"))


def _epub_paragraphs(path: Path) -> list[str]:
    from lxml import etree

    folder = path
    container = etree.parse(str(folder / "META-INF" / "container.xml"))
    opf_name = container.xpath("string(//*[local-name()='rootfile']/@full-path)")
    opf_path = folder / opf_name
    opf = etree.parse(str(opf_path))
    items = {i.get("id"): i for i in opf.xpath("//*[local-name()='manifest']/*[local-name()='item']")}
    found = []
    for ref in opf.xpath("//*[local-name()='spine']/*[local-name()='itemref']/@idref"):
        item = items.get(ref)
        if item is None or "nav" in (item.get("properties") or "").split():
            continue
        document = opf_path.parent / item.get("href", "")
        if document.suffix not in (".xhtml", ".html", ".htm") or not document.is_file():
            continue
        if any(word in document.name for word in ("titlepage", "imprint", "colophon", "uncopyright", "halftitle")):
            continue  # exporter writes its own title page and colophon (S037)
        root = etree.parse(str(document), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
        body = root.find("{http://www.w3.org/1999/xhtml}body")
        found += _blocks_of(body if body is not None else root)
    return found


# --- checkers ----------------------------------------------------------------------------

def run_epubcheck(epubs: list[Path]) -> dict[Path, dict]:
    from exporter.checks import epubcheck

    if not epubs:
        return {}
    if not epubcheck.available():
        return {p: {"skipped": "EPUBCheck is not installed"} for p in epubs}
    results = {}
    for start in range(0, len(epubs), 20):  # one JVM per 20 books
        chunk = epubs[start:start + 20]
        for path, report in epubcheck.check_many(chunk).items():
            results[path] = {"errors": len(report.errors), "warnings": len(report.warnings),
                             "messages": [str(f) for f in report.findings() if f.severity.name in ("ERROR", "WARNING")][:30]}
    return results


def run_ace(epub: Path) -> dict:
    from exporter.checks import ace

    if not ace.available():
        return {"skipped": "DAISY Ace is not installed"}
    try:
        violations = ace.check(epub)
    except Exception as error:
        return {"violations": None, "error": str(error)[-500:]}
    return {"violations": len(violations), "messages": [str(v) for v in violations][:20]}


# --- the run -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="PATTERN",
                        help="only documents whose path contains PATTERN or matches it as a glob (repeatable)")
    parser.add_argument("--big", action="store_true", help="include the documents marked big (the Pepys diary)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="documents built at a time (default 1)")
    parser.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    parser.add_argument("--out", metavar="DIR", help="scratch folder for the outputs "
                        "(default: a folder under the system's temporary folder, kept)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per document build (default 900)")
    parser.add_argument("--min-kept", type=float, default=99.5, help="lowest acceptable %% of paragraphs kept")
    parser.add_argument("--no-ace", action="store_true", help="skip DAISY Ace")
    parser.add_argument("--no-epubcheck", action="store_true", help="skip EPUBCheck")
    parser.add_argument("--list", action="store_true", help="list the selected documents and stop")
    parser.add_argument("--traceback", metavar="SOURCE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.traceback:
        return print_traceback(args.traceback)

    rows = select(documents(), args.only, args.big)
    if args.list:
        for row in rows:
            print(f"{doc_id(row['path']):60} {row['kind']:9} {'big' if row['big'] else ''}")
        return 0
    if not rows:
        print("no documents selected", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(tempfile.gettempdir()) / "exporter-corpus"
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: dict[str, dict] = {}

    def one(row: dict) -> tuple[str, dict]:
        result = build(row, out, args.timeout)
        if result["status"] == "built":
            try:
                result.update(kept(row, result["outputs"]))
            except Exception as error:
                result["kept_error"] = f"{error.__class__.__name__}: {error}"
        return row["path"], result

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for done, (path, result) in enumerate(pool.map(one, rows), 1):
            results[path] = result
            print(f"[{done}/{len(rows)}] {doc_id(path)}: {result['status']} ({result['seconds']} s)",
                  file=sys.stderr, flush=True)

    epubs = {Path(r["outputs"]["epub"]): p for p, r in results.items() if r.get("outputs", {}).get("epub")}
    if not args.no_epubcheck:
        print(f"EPUBCheck on {len(epubs)} EPUBs…", file=sys.stderr, flush=True)
        for path, report in run_epubcheck(list(epubs)).items():
            results[epubs[path]]["epubcheck"] = report
    if not args.no_ace:
        print(f"Ace on {len(epubs)} EPUBs…", file=sys.stderr, flush=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for path, report in zip(epubs, pool.map(run_ace, list(epubs))):
                results[epubs[path]]["ace"] = report

    failing = report_lines(rows, results, args.min_kept)
    summary = summarize(rows, results, args.min_kept, time.monotonic() - started)
    print(summary["text"])
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": {k: v for k, v in summary.items() if k != "text"},
                                               "documents": results, "out": str(out)},
                                              indent=1, ensure_ascii=False, default=str), "utf-8")
    return 1 if failing else 0


def _pct(value) -> str:
    return "  -  " if value is None else (f"{value:5.1f}" if value < 100 else "  100")


def report_lines(rows: list[dict], results: dict[str, dict], min_kept: float) -> list[str]:
    """Print one line per document; return the paths of the failing ones."""
    failing = []
    print(f"{'document':56} {'status':16} {'EC err/warn':>11} {'Ace':>4} "
          f"{'kept epub  pdf html':>19} {'src epub  pdf html':>18} {'s':>6}")
    for row in rows:
        result = results[row["path"]]
        ec = result.get("epubcheck") or {}
        ace_report = result.get("ace") or {}
        ec_text = "-" if not ec or "skipped" in ec else f"{ec['errors']}/{ec['warnings']}"
        ace_text = "-" if not ace_report or "skipped" in ace_report else (
            "?" if ace_report.get("violations") is None else str(ace_report["violations"]))
        kept_values = [result.get("kept", {}).get(f) for f in FORMATS]
        src_values = [result.get("src", {}).get(f) for f in FORMATS]
        status = result["status"]
        bad = (status != "built" or (ec and "skipped" not in ec and (ec["errors"] or ec["warnings"]))
               or any(v is None or v < min_kept for v in kept_values) or "kept_error" in result)
        if bad:
            failing.append(row["path"])
        print(f"{doc_id(row['path'])[:56]:56} {status[:16]:16} {ec_text:>11} {ace_text:>4} "
              f"     {' '.join(_pct(v) for v in kept_values)} {' '.join(_pct(v) for v in src_values)} "
              f"{result['seconds']:6.1f}{'  FAIL' if bad else ''}")
    return failing


def summarize(rows: list[dict], results: dict[str, dict], min_kept: float, seconds: float) -> dict:
    built = [r for r in results.values() if r["status"] == "built"]
    internal = [p for p, r in results.items() if r["status"] in ("internal error", "crash", "timeout", "oom")]
    other = [p for p, r in results.items() if r["status"].startswith("error")]
    ec = [r["epubcheck"] for r in results.values() if r.get("epubcheck") and "skipped" not in r["epubcheck"]]
    aces = [r["ace"]["violations"] for r in results.values() if r.get("ace") and r["ace"].get("violations") is not None]
    kept_all = [v for r in built for v in r.get("kept", {}).values()]
    src_all = [v for r in built for v in r.get("src", {}).values()]
    low = [p for p, r in results.items() if r["status"] == "built" and any(v < min_kept for v in r.get("kept", {}).values())]
    summary = {
        "documents": len(rows), "built": len(built), "internal_errors": len(internal), "failed": len(other),
        "epubcheck_errors": sum(e["errors"] for e in ec), "epubcheck_warnings": sum(e["warnings"] for e in ec),
        "epubcheck_unclean": sum(1 for e in ec if e["errors"] or e["warnings"]),
        "ace_violations": sum(aces), "ace_documents_with_violations": sum(1 for a in aces if a),
        "min_kept": min(kept_all) if kept_all else None, "min_src": min(src_all) if src_all else None,
        "low_kept": low, "seconds": round(seconds, 1),
    }
    summary["text"] = (
        f"\n{summary['built']}/{summary['documents']} built, {summary['internal_errors']} internal errors, "
        f"{summary['failed']} failed with an error code; EPUBCheck {summary['epubcheck_errors']} errors / "
        f"{summary['epubcheck_warnings']} warnings in {summary['epubcheck_unclean']} EPUBs; Ace "
        f"{summary['ace_violations']} violations in {summary['ace_documents_with_violations']} EPUBs; "
        f"paragraphs kept min {_pct(summary['min_kept']).strip()} % (source cross-check min "
        f"{_pct(summary['min_src']).strip()} %); {len(low)} below {min_kept} %; {summary['seconds']} s")
    return summary


if __name__ == "__main__":
    sys.exit(main())
