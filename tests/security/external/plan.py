"""Which documents the red-team suite builds: every payload through every importer.

:func:`plan` returns groups of :class:`Unit` (one source document or folder each). A
group is built by one ``exporter build`` of a source folder. In the normal test run
payloads are packed many to a document (each in its own section, an HTML5 "reset"
trailer after each in tag-soup formats); with ``EXPORTER_REDTEAM=full`` every payload
gets its own document in every importer, so that no payload can hide another.
"""

from __future__ import annotations

import functools
import html as htmlmod
import os
from dataclasses import dataclass, field

from . import (
    TRAILER,
    chapter,
    epub_archive,
    epub_files,
    event_markup,
    event_svg_inner,
    has_prolog,
    html_document,
    jats_document,
    load,
    model_document,
    page_document,
    reference_markup,
    reference_svg_inner,
    rewrite,
    set_root,
    split_prolog,
    svg_document,
    svg_images,
    xml_section,
    zip_entry,
)

FULL = os.environ.get("EXPORTER_REDTEAM", "").lower() == "full"
#: payloads per document in the sanitizing importers (full run: one)
CHUNK = 1 if FULL else int(os.environ.get("EXPORTER_REDTEAM_CHUNK", "150"))
#: documents per ``exporter build`` (one test)
GROUP = 60 if FULL else 400

IMPORTERS = ("model", "page", "html", "md", "jats", "epub", "epubdir", "txt", "svg")


@dataclass
class Unit:
    name: str                    # the source's name as the build report gives it
    files: dict                  # relative path (from the source folder) -> content (str, bytes, Symlink)
    pids: list[str]
    must_build: bool             # a sanitizing importer should build it (status "ok")
    importer: str = ""
    pdf: bool = True             # built with every writer (else: EPUB and print HTML, no page layout)
    images: dict = field(default_factory=dict)  # image file name -> the payload it holds


@dataclass
class Group:
    key: str
    importer: str
    units: list[Unit]
    pdf: bool = True

    @property
    def pids(self) -> set[str]:
        return {p for u in self.units for p in u.pids}


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class Planner:
    """Builds the units for one sandbox (the rewriting needs its port and canary folder)."""

    def __init__(self, port: int, out: str) -> None:
        self.port, self.out = port, out
        self.payloads = load()
        self.by_kind: dict[str, list] = {}
        for p in self.payloads:
            self.by_kind.setdefault(p.kind, []).append(p)

    def text(self, p) -> str:
        return rewrite(p.text, p.pid, self.port, self.out)

    # payload lists as the importers use them
    def markup(self) -> list[tuple[str, str]]:
        """(pid, HTML markup): html payloads, event handlers on elements, XML payloads without
        a prologue (those with one are documents of their own in the XML importers)."""
        items = [(p.pid, self.text(p)) for p in self.by_kind.get("html", [])]
        items += [(p.pid, event_markup(p.text)) for p in self.by_kind.get("event", [])]
        items += [(p.pid, self.text(p)) for p in self.by_kind.get("xml", []) if not has_prolog(p.text)]
        return items

    def raw_xml(self) -> list[tuple[str, str]]:
        return [(p.pid, self.text(p)) for p in self.by_kind.get("xml", []) if has_prolog(p.text)]

    def refs(self) -> list[tuple[str, str]]:
        return [(p.pid, self.text(p)) for kind in ("path", "url") for p in self.by_kind.get(kind, [])]

    def svgs(self) -> list[tuple[str, str]]:
        """(name, SVG document): the published SVG files, every <svg> inside an HTML payload,
        each reference in every SVG place, each event handler on SVG elements, and each XML
        payload with a prologue as an SVG image."""
        items = [(p.pid, self.text(p)) for p in self.by_kind.get("svg", [])]
        for pid, markup in [(p.pid, self.text(p)) for p in self.by_kind.get("html", [])]:
            for i, image in enumerate(svg_images(markup)):
                items.append((f"{pid}~svg{i}", image))
        # references and event handlers: one image each (full run), or many to an image
        # (each after a <text>RT[id]</text> that names it), which the cleaner reads alike
        refs = [(pid, reference_svg_inner(ref)) for pid, ref in self.refs()]
        events = [(p.pid, event_svg_inner(p.text)) for p in self.by_kind.get("event", [])]
        for group in _chunks(refs, 1 if FULL else 40) + _chunks(events, 1 if FULL else 40):
            inner = "".join(f'<text y="20">RT[{pid}]</text>{markup}' for pid, markup in group)
            items.append(("+".join(pid for pid, _ in group), svg_document(inner)))
        for pid, text in self.raw_xml():
            prolog, rest = split_prolog(text)
            items.append((pid, set_root(prolog, "svg") + '<svg xmlns="http://www.w3.org/2000/svg" width="20" '
                          f'height="20"><g>{rest}</g><rect width="10" height="10"/></svg>'))
        return items

    # -- the importers ------------------------------------------------------------------------
    def units(self, importer: str) -> list[Unit]:
        return getattr(self, "_" + importer)()

    def _html(self) -> list[Unit]:
        units = []
        for i, chunk in enumerate(_chunks(self.markup() + [(pid, text) for pid, text in self.raw_xml()], CHUNK)):
            sections = "\n".join(f"<section><h2>RT[{pid}]</h2>\n{text}\n{TRAILER}</section>" for pid, text in chunk)
            units.append(Unit(f"web-{i:03d}.html", {f"web-{i:03d}.html": html_document(sections)},
                              [p for p, _ in chunk], True, pdf=False))
        # and one page of pure tag soup: every payload after the other, nothing closed for them
        # (what one payload leaves open shapes the next, as on real pages)
        soup = "\n".join(f"<section><h2>RT[{pid}]</h2>\n{text}\n</section>" for pid, text in self.markup())
        units.append(Unit("websoup.html", {"websoup.html": html_document(soup)}, [p for p, _ in self.markup()],
                          True, pdf=False))
        for i, chunk in enumerate(_chunks(self.refs(), CHUNK)):
            sections = "\n".join(f"<section><h2>RT[{pid}]</h2>\n{reference_markup(ref)}</section>" for pid, ref in chunk)
            units.append(Unit(f"webref-{i:03d}.html", {f"webref-{i:03d}.html": html_document(sections)},
                              [p for p, _ in chunk], True))
        return units

    def _md(self) -> list[Unit]:
        units = []
        for i, chunk in enumerate(_chunks(self.markup() + self.raw_xml(), CHUNK)):
            text = "# External payloads\n\n" + "".join(
                f"## RT[{pid}]\n\n{payload}\n\n{TRAILER}\n\n" for pid, payload in chunk)
            units.append(Unit(f"md-{i:03d}.md", {f"md-{i:03d}.md": text}, [p for p, _ in chunk], True, pdf=False))
        for i, chunk in enumerate(_chunks(self.refs(), CHUNK)):
            parts = ["# External references\n\n"]
            for j, (pid, ref) in enumerate(chunk):
                dest = ref.replace("<", "%3C").replace(">", "%3E").replace("\n", "%0A")
                parts.append(f"## RT[{pid}]\n\n![picture {j}](<{dest}>) and [a link](<{dest}>) and "
                             f"[a reference][r{j}]\n\n<img src=\"{htmlmod.escape(ref, quote=True)}\" alt=\"x\">\n\n"
                             f"[r{j}]: <{dest}>\n\n")
            units.append(Unit(f"mdref-{i:03d}.md", {f"mdref-{i:03d}.md": "".join(parts)}, [p for p, _ in chunk], True))
        return units

    def _txt(self) -> list[Unit]:
        items = self.markup() + self.raw_xml() + self.refs()
        units = []
        for i, chunk in enumerate(_chunks(items, CHUNK * 2)):
            text = "External payloads\n\n" + "".join(f"RT[{pid}]\n\n{payload}\n\n" for pid, payload in chunk)
            units.append(Unit(f"text-{i:03d}.txt", {f"text-{i:03d}.txt": text}, [p for p, _ in chunk], True,
                              pdf=False))
        return units

    def _page(self) -> list[Unit]:
        units = []
        for i, chunk in enumerate(_chunks(self.markup(), CHUNK)):
            sections = "\n".join(xml_section(pid, text) for pid, text in chunk)
            units.append(Unit(f"page-{i:03d}.xhtml", {f"page-{i:03d}.xhtml": page_document(sections)},
                              [p for p, _ in chunk], True, pdf=False))
        for i, chunk in enumerate(_chunks(self.refs(), CHUNK)):
            sections = "\n".join(xml_section(pid, reference_markup(ref)) for pid, ref in chunk)
            units.append(Unit(f"pageref-{i:03d}.xhtml", {f"pageref-{i:03d}.xhtml": page_document(sections)},
                              [p for p, _ in chunk], True))
        for pid, text in self.raw_xml():
            prolog, rest = split_prolog(text)
            name = f"pagex-{pid}.xhtml"
            units.append(Unit(name, {name: page_document(f"<section><h2>RT[{pid}]</h2><div>{rest}</div></section>",
                                                          set_root(prolog, "html"))}, [pid], False))
        return units

    def _model(self) -> list[Unit]:
        units = []
        size = 1 if FULL else int(os.environ.get("EXPORTER_REDTEAM_MODEL_CHUNK", "10"))
        for i, chunk in enumerate(_chunks(self.markup(), size)):
            name = f"model-{i:04d}.xhtml"
            units.append(Unit(name, {name: model_document("\n".join(xml_section(p, t) for p, t in chunk))},
                              [p for p, _ in chunk], False, pdf=False))
        for i, chunk in enumerate(_chunks(self.refs(), max(1, CHUNK // 3))):
            name = f"modelref-{i:03d}.xhtml"
            sections = "\n".join(xml_section(pid, reference_markup(ref)) for pid, ref in chunk)
            units.append(Unit(name, {name: model_document(sections)}, [p for p, _ in chunk], False))
        for pid, text in self.raw_xml():
            prolog, rest = split_prolog(text)
            name = f"modelx-{pid}.xhtml"
            units.append(Unit(name, {name: model_document(f"<section><h2>RT[{pid}]</h2><div>{rest}</div></section>",
                                                          prolog=set_root(prolog, "html"))}, [pid], False))
        return units

    def _jats(self) -> list[Unit]:
        units = []
        for i, chunk in enumerate(_chunks(self.markup(), CHUNK)):
            name = f"jats-{i:03d}.xml"
            sections = "\n".join(xml_section(pid, text, jats=True) for pid, text in chunk)
            units.append(Unit(name, {name: jats_document(sections)}, [p for p, _ in chunk], True, pdf=False))
        for i, chunk in enumerate(_chunks(self.refs(), CHUNK)):
            name = f"jatsref-{i:03d}.xml"
            secs = []
            for j, (pid, ref) in enumerate(chunk):
                a = htmlmod.escape(ref, quote=True)
                secs.append(f'<sec><title>RT[{pid}]</title><p><ext-link ext-link-type="uri" xlink:href="{a}">link'
                            f'</ext-link> <uri xlink:href="{a}">uri</uri> <inline-graphic xlink:href="{a}"/></p>'
                            f'<fig id="f{j}"><caption><p>figure</p></caption><graphic xlink:href="{a}"/></fig>'
                            f'<supplementary-material xlink:href="{a}"><caption><p>data</p></caption>'
                            f'</supplementary-material></sec>')
            units.append(Unit(name, {name: jats_document("\n".join(secs))}, [p for p, _ in chunk], True))
        for pid, text in self.raw_xml():
            prolog, rest = split_prolog(text)
            name = f"jatsx-{pid}.xml"
            units.append(Unit(name, {name: jats_document(f"<sec><title>RT[{pid}]</title><p>{rest}</p></sec>",
                                                         prolog=set_root(prolog, "article"))}, [pid], False))
        return units

    def _epub_chapters(self, chunk) -> list[tuple[str, str]]:
        """Each payload as a well-formed chapter and as a tag-soup one (read with the HTML5
        parser); in the normal run, one or the other in turn."""
        chapters = []
        for j, (pid, text) in enumerate(chunk):
            if FULL or j % 2 == 0:
                chapters.append((f"text/x{j:03d}.xhtml", chapter(xml_section(pid, text))))
            if FULL or j % 2 == 1:
                chapters.append((f"text/r{j:03d}.xhtml", chapter(f"<h2>RT[{pid}]</h2>\n{text}\n")))
        return chapters

    def _epub(self) -> list[Unit]:
        units = []
        for i, chunk in enumerate(_chunks(self.markup(), max(1, CHUNK // 2))):
            name = f"book-{i:03d}.epub"
            units.append(Unit(name, {name: epub_archive(epub_files(self._epub_chapters(chunk)))},
                              [p for p, _ in chunk], True, pdf=False))
        for i, chunk in enumerate(_chunks(self.refs(), CHUNK)):
            name = f"bookref-{i:03d}.epub"
            chapters = [(f"text/x{j:03d}.xhtml", chapter(xml_section(pid, reference_markup(ref))))
                        for j, (pid, ref) in enumerate(chunk)]
            extra = [(ref, "image/png") for _, ref in chunk] + [(ref, "application/xhtml+xml") for _, ref in chunk]
            units.append(Unit(name, {name: epub_archive(epub_files(chapters, extra))}, [p for p, _ in chunk], True))
        for i, (pid, text) in enumerate(self.raw_xml()):
            if not FULL and i % 2:
                continue
            prolog, rest = split_prolog(text)
            body = f"<h2>RT[{pid}]</h2><div>{rest}</div>"
            name = f"bookx-{pid}.epub"
            units.append(Unit(name, {name: epub_archive(epub_files(
                [("text/x.xhtml", chapter(body, set_root(prolog, "html")))]))}, [pid], False))
            if not FULL:
                continue
            files = epub_files([("text/x.xhtml", chapter(body))])
            files["OEBPS/book.opf"] = set_root(prolog, "package") + files["OEBPS/book.opf"].split("?>", 1)[1]
            name = f"bookopf-{pid}.epub"
            units.append(Unit(name, {name: epub_archive(files)}, [pid], False))
        slips = [(p.pid, p.text) for p in self.by_kind.get("zip", [])]
        slips += [(p.pid, p.text) for i, p in enumerate(self.by_kind.get("path", []))
                  if p.pid.startswith("patt-traversal-") and (FULL or i % 8 == 0)]
        for pid, entry in slips:
            name = f"bookzip-{pid}.epub"
            entry_name, content = zip_entry(entry)
            files = epub_files([("text/x.xhtml", chapter(f"<h2>RT[{pid}]</h2><p>zip</p>"))],
                               [("../" + entry_name, "application/xhtml+xml")])
            units.append(Unit(name, {name: epub_archive(files, [(entry_name, content)])}, [pid], False))
        return units

    def _epubdir(self) -> list[Unit]:
        units = []
        for i, chunk in enumerate(_chunks(self.refs(), CHUNK)):
            folder = f"folderbook-{i:03d}"
            chapters = [(f"text/x{j:03d}.xhtml", chapter(xml_section(pid, reference_markup(ref))))
                        for j, (pid, ref) in enumerate(chunk)]
            extra = [(ref, "image/png") for _, ref in chunk] + [(ref, "application/xhtml+xml") for _, ref in chunk]
            files = {f"{folder}/{k}": v for k, v in epub_files(chapters, extra).items()}
            units.append(Unit(folder, files, [p for p, _ in chunk], True))
        for i, chunk in enumerate(_chunks(self.markup() if FULL else [], CHUNK)):  # (chapters: as .epub)
            folder = f"folderhtml-{i:03d}"
            files = {f"{folder}/{k}": v for k, v in epub_files(self._epub_chapters(chunk)).items()}
            units.append(Unit(folder, files, [p for p, _ in chunk], True, pdf=False))
        for i, (pid, ref) in enumerate(self.refs()):
            if not FULL and i % 8:
                continue
            folder = f"folderroot-{pid}"
            files = {f"{folder}/{k}": v for k, v in epub_files(
                [("text/x.xhtml", chapter(f"<h2>RT[{pid}]</h2><p>x</p>"))], rootfile=ref).items()}
            units.append(Unit(folder, files, [pid], False))
        return units

    def _svg(self) -> list[Unit]:
        units = []
        images = self.svgs()
        for i, chunk in enumerate(_chunks(images, CHUNK)):
            name = f"svgs-{i:03d}.xhtml"
            files, figures, images = {}, [], {}
            for j, (pid, svg) in enumerate(chunk):
                image = f"img/{i:03d}-{j:03d}.svg"
                files[image] = svg
                images[image.rsplit("/", 1)[1]] = pid.split("~")[0].split("+")[0]
                figures.append(f'<section><h2>RT[{pid.split("~")[0].split("+")[0]}]</h2><figure><img src="{image}" alt="image"/>'
                               "<figcaption>An SVG image.</figcaption></figure></section>")
            files[name] = model_document("\n".join(figures))
            pids = {q.split("~")[0] for p, _ in chunk for q in p.split("+")}
            units.append(Unit(name, files, sorted(pids), True, images=images))
        return units


#: importers whose reference and SVG documents go through the PDF writer (page layout,
#: WeasyPrint's fetches, attachments) in the normal run; everything else is written as EPUB
#: and print HTML without page layout, which keeps the run short (the full run lays out all)
PDF_IMPORTERS = ("html", "svg", "model")


def plan(port: int, out: str, importers=IMPORTERS) -> list[Group]:
    planner = Planner(port, out)
    groups = []
    for importer in importers:
        units = planner.units(importer)
        for u in units:
            u.importer = importer
            u.pdf = FULL or (importer in PDF_IMPORTERS and u.pdf)
        for pdf in (True, False):
            chosen = [u for u in units if u.pdf == pdf]
            for k, chunk in enumerate(_chunks(chosen, GROUP)):
                key = f"{importer}-{'all' if pdf else 'noprint'}-{k:02d}"
                groups.append(Group(key, importer, chunk, pdf))
    return groups


@functools.lru_cache(maxsize=4)
def cached_plan(port: int, out: str) -> tuple[Group, ...]:
    return tuple(plan(port, out))


def group_keys() -> list[str]:
    """The groups' keys (the collection of the tests)."""
    return [g.key for g in cached_plan(9, "/x/outside")]
