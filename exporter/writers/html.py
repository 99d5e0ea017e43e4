"""The page: one article rendered to (X)HTML through the theme's template, and the
print-ready HTML file made from it.

:func:`page` is the single render step every format uses. It turns the model into the
page's markup (header from the metadata, notes numbered and collected with links
both ways, Q&A speakers, figures) for a *target*: ``"print"`` (plain HTML5, used by
the HTML and PDF writers) or ``"epub"`` (XHTML with EPUB semantics). Writers only
map the page's resources (image ``src`` values, stylesheets) to their packaging.

The print-ready HTML file is self-contained: theme CSS is inlined in ``<style>`` and
images become ``data:`` URLs, so the one file can be mailed, archived or printed from
any browser without the folder it came from.
"""

from __future__ import annotations

import base64
import copy
import datetime as _dt
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from exporter.model import EPUB_NS, XHTML_NS, Article, Metadata, text_of
from exporter.model.dates import format_date as format_date  # re-exported: the writers show dates with it
from exporter.model.tree import remove_keep_tail, text_before
from exporter.pagesetup import Resolved, page_css, resolve
from exporter.safety.fetch import FetchRefused
from exporter.safety.xml import parse_xml
from exporter.settings import Context
from exporter.writers.labels import labels
from exporter.writers.policy import PRINT_HTML, add_policy

__all__ = ["Page", "page", "print_page", "render", "to_html5", "format_date", "byline", "inline_images", "add_style",
           "print_head_meta"]

EPUB_TYPE = f"{{{EPUB_NS}}}type"


@dataclass
class Page:
    root: etree._Element
    target: str
    #: the page's <img> elements, whose src is still the model's (relative to the source)
    images: list[etree._Element] = field(default_factory=list)
    #: the page's notes, in order: (id, number)
    notes: list[tuple[str, int]] = field(default_factory=list)


def byline(article: Article, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Byline lines by role: "By A and B", "Interview by C", … (without the ``exclude`` roles)"""
    words = labels(article.meta.language)
    order = [("aut", "by"), ("ivr", "interview_by"), ("ive", "with"), ("edt", "edited_by"),
             ("trl", "translated_by"), ("pht", "photos_by")]
    lines = []
    for role, label in order:
        if role in exclude:
            continue
        names = article.meta.names(role)
        if names:
            lines.append(f"{words[label]} {_join(names, words['and'])}")
    others = [c.name for c in article.meta.contributors if c.role not in dict(order)]
    if others:
        lines.append(_join(others, words["and"]))
    return lines


def _join(names: list[str], conjunction: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def page(ctx: Context, target: str) -> Page:
    """Render the article to the theme's page for ``target`` ("print" or "epub")."""
    article = ctx.article
    meta = article.meta
    words = labels(meta.language)
    body = copy.deepcopy(article.body)
    notes = _take_notes(body)
    numbers = _number_references(body, notes, target)
    referenced = {a.get("href", "")[1:] for a in body.iter("a") if "noteref" in a.get("class", "").split()}
    notes_el = _notes_section(notes, numbers, words, target, referenced, _ids(body))
    _adapt(body, target)

    head_meta = print_head_meta(meta, ctx.time) if target == "print" else []

    template = ctx.theme.env.get_template("page.xhtml.j2")
    markup = template.render(
        target=target,
        xhtml=target == "epub",
        theme=ctx.theme.name,
        meta=meta,
        lang=meta.language,
        dir=meta.dir,
        labels=words,
        byline=byline(article),
        date={"iso": meta.date, "display": format_date(meta.date, meta.language)} if meta.date else None,
        head_meta=head_meta,
        stylesheets=["css/style.css"] if target == "epub" else [],
        body=Markup("".join(_serialize(child) for child in body)),
        notes=Markup(_serialize(notes_el)) if notes_el is not None else "",
        source_link=meta.source if meta.source and meta.source.startswith(("http://", "https://")) else None,
        # what a theme's theme.toml [header] asks the page header to show (see docs/themes.md)
        header=ctx.theme.setting("header", default={}),
        other_contributors=byline(article, exclude=("aut",)),
        authors=[{"name": c.name, "affiliation": getattr(c, "affiliation", None)}
                 for c in meta.contributors if c.role == "aut"],
        identifier=_identifier(meta.identifier),
    )
    template_file = ctx.theme.find("page.xhtml.j2")
    assert template_file is not None  # the template loader found it in the same folders
    tree = parse_xml(markup.encode("utf-8"), template_file)
    root = tree.getroot()
    if target == "epub":
        etree.cleanup_namespaces(root, top_nsmap={None: XHTML_NS, "epub": EPUB_NS})
        images = list(root.iter(f"{{{XHTML_NS}}}img"))
    else:
        _plain_html(root)
        images = list(root.iter("img"))
    return Page(root=root, target=target, images=images,
                notes=[(note.get("id"), numbers[note.get("id")]) for note in notes])


def print_head_meta(meta: Metadata, time: _dt.datetime) -> list[tuple[str, str]]:
    """The print page's ``<meta name=… content=…>`` pairs for ``meta`` (a book's too)."""
    head_meta = [("author", name) for name in (c.name for c in meta.contributors)]
    if meta.description:
        head_meta.append(("description", meta.description))
    if meta.subjects:
        head_meta.append(("keywords", ", ".join(meta.subjects)))
    head_meta.append(("generator", "exporter"))
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ")
    head_meta += [("dcterms.created", stamp), ("dcterms.modified", stamp)]
    for name in ("publisher", "source", "rights", "identifier"):
        if getattr(meta, name):
            head_meta.append((f"dcterms.{name}", getattr(meta, name)))
    if meta.date:
        head_meta.append(("dcterms.date", meta.date))
    return head_meta


def _identifier(value: str | None) -> dict[str, str | None] | None:
    """The article identifier for the page header: DOIs as their https://doi.org link."""
    if not value:
        return None
    text = value.strip()
    if text.lower().startswith("doi:"):
        doi = text[4:].strip()
        return {"text": f"https://doi.org/{doi}", "href": f"https://doi.org/{doi}"}
    if text.lower().startswith(("https://doi.org/", "http://dx.doi.org/")):
        return {"text": text, "href": text}
    return {"text": text, "href": None}


def _serialize(element: etree._Element) -> str:
    text: str = etree.tostring(element, encoding="unicode", with_tail=True)
    return text


def _take_notes(body: etree._Element) -> list[etree._Element]:
    """Remove the notes from the flow, ordered by first reference (unreferenced last)."""
    notes = {el.get("id"): el for el in body.iter("aside") if "note" in el.get("class", "").split()}
    order: list[str] = []
    for a in body.iter("a"):
        if "noteref" in a.get("class", "").split():
            target = a.get("href", "")[1:]
            if target in notes and target not in order:
                order.append(target)
    order += [key for key in notes if key not in order]
    result = []
    for key in order:
        note = notes[key]
        remove_keep_tail(note, keep_blank=False)
        note.tail = None
        result.append(note)
    return result


def _number_references(body: etree._Element, notes: list[etree._Element], target: str) -> dict[str, int]:
    numbers = {note.get("id"): index for index, note in enumerate(notes, start=1)}
    seen: dict[str, int] = {}
    for a in body.iter("a"):
        if "noteref" not in a.get("class", "").split():
            continue
        key = a.get("href", "")[1:]
        seen[key] = seen.get(key, 0) + 1
        a.set("id", f"ref-{key}" if seen[key] == 1 else f"ref-{key}-{seen[key]}")
        a.set("role", "doc-noteref")
        if target == "epub":
            a.set(EPUB_TYPE, "noteref")
        for child in list(a):
            a.remove(child)
        a.text = str(numbers.get(key, "?"))
    return numbers


def _ids(body: etree._Element) -> set[str]:
    return {el.get("id") for el in body.iter(etree.Element) if el.get("id")}


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _notes_section(notes: list[etree._Element], numbers: dict[str, int], words: dict[str, str], target: str,
                   referenced: set[str] | None = None, used: set[str] | None = None) -> etree._Element | None:
    """The notes, numbered, with a link back to the text from each.

    One note model for every format: a note reference (``a.noteref``, text only, since
    Apple Books opens no pop-up for a reference holding other elements) pointing
    forward to a list item in a notes section at the end of the same document (Kobo
    pops up a link target that follows the link; Thorium one in the same document).
    In the e-book the item is ``epub:type="endnote footnote"``: ``endnote`` for what
    it is, ``footnote`` for Apple Books, which opens pop-ups only for that value; the
    item is a list item, not an ``<aside>``, so no reading system hides it from
    readers without pop-ups, who follow the back link instead. The print page keeps
    the same ids, which the PDF turns into page footnotes.
    """
    if not notes:
        return None
    used = set() if used is None else used
    section_id = _unique("notes", used)
    heading_id = _unique("notes-title", used)
    section = etree.Element("section", {"id": section_id, "class": "notes", "role": "doc-endnotes",
                                        "aria-labelledby": heading_id})
    if target == "epub":
        section.set(EPUB_TYPE, "endnotes footnotes")
    heading = etree.SubElement(section, "h2", {"id": heading_id})
    heading.text = words["notes"]
    ol = etree.SubElement(section, "ol")
    for note in notes:
        key = note.get("id")
        li = etree.SubElement(ol, "li", {"id": key})
        if note.get("lang"):
            li.set("lang", note.get("lang"))
        if target == "epub":
            li.set(EPUB_TYPE, "endnote footnote")
        li.text = note.text
        for child in note:
            li.append(child)
        if referenced is not None and key not in referenced:
            continue  # nothing to go back to (the note is never referenced: M002)
        label = f"{words['back']} ({numbers[key]})"
        backlink = etree.Element("a", {"href": f"#ref-{key}", "class": "backlink", "role": "doc-backlink",
                                       "title": label, "aria-label": label})
        if target == "epub":
            backlink.set(EPUB_TYPE, "backlink")
        backlink.text = "\u21a9\ufe0e"
        holder = li[-1] if len(li) and li[-1].tag == "p" else li
        if len(holder):  # a no-break space keeps the arrow with the note's last word
            holder[-1].tail = (holder[-1].tail or "").rstrip() + "\u00a0"
        else:
            holder.text = (holder.text or "").rstrip() + "\u00a0"
        holder.append(backlink)
    return section


#: a caption that already carries its number ("Figure 3.", "Table 2:", "Abb. 4", "Fig. S1")
_LABELLED = re.compile(
    r"\s*(fig(ure)?s?|tab(le)?s?|plates?|charts?|maps?|schemes?|boxe?s?|exhibits?|illustrations?|"
    r"abb(ildung)?|tabelle|tableau|tabla|figura|imagen|afbeelding|rysunek|tabela)\.?\s*"
    r"(s?\d+[a-z]?|[ivxlc]+)\b", re.IGNORECASE)

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _add_class(el: etree._Element, name: str) -> None:
    el.set("class", (el.get("class", "") + " " + name).strip())


def _adapt(body: etree._Element, target: str) -> None:
    """Target-specific touches on the body that every writer of that target shares."""
    for figure in body.iter("figure"):
        if figure.find("table") is not None:
            _add_class(figure, "table-figure")
        elif figure.find("img") is None and figure.find("pre") is None:
            _add_class(figure, "no-image")
        caption = figure.find("figcaption")
        if caption is not None and _LABELLED.match(text_of(caption)):
            _add_class(figure, "labelled")
    for table in body.iter("table"):
        caption = table.find("caption")
        if caption is not None and _LABELLED.match(text_of(caption)):
            _add_class(table, "labelled")
    for div in body.iter("div"):
        speaker = div.get("data-speaker")
        classes = div.get("class", "").split()
        if speaker and ("question" in classes or "answer" in classes):
            first = div.find("p")
            if first is not None:
                label = etree.Element("b", {"class": "speaker"})
                label.text = speaker + ":"
                label.tail = " " + (first.text or "")
                first.text = None
                first.insert(0, label)
    if target == "print":
        # A section without a heading of its own (the model's interview section) is an untitled
        # entry in the HTML outline, which the Nu checker warns about; on the print page it is a
        # plain group. The e-book page keeps the section: there it carries the qna semantics.
        for section in body.iter("section"):
            if not any(child.tag in _HEADINGS for child in section):
                section.tag = "div"
    if target == "print":
        _flows(body)
    if target == "epub":
        for aside in body.iter("aside"):
            classes = aside.get("class", "").split()
            if "pullquote" in classes:
                aside.set(EPUB_TYPE, "pullquote")
            elif "sidebar" in classes:
                aside.set(EPUB_TYPE, "sidebar")


#: top-level pieces of the body a print theme sets across the full width
WIDE = ("figure", "table")


def _flows(body: etree._Element) -> None:
    """Group the body's top-level content into ``<div class="flow">`` runs between the
    full-width pieces (the lead, figures, tables), so that a theme sets text in columns
    per run (``.article-body > .flow { columns: 2 }``) instead of asking WeasyPrint to
    span elements across columns: ``column-span: all`` cannot break across pages there
    (content is lost, or layout fails), and a lead or table may be longer than a page."""
    run: etree._Element | None = None
    for child in list(body):
        wide = child.tag in WIDE or (child.tag == "div" and "lead" in child.get("class", "").split())
        if wide or not isinstance(child.tag, str):
            if wide:
                run = None
            continue
        if run is None:
            run = etree.Element("div", {"class": "flow"})
            child.addprevious(run)
        run.append(child)  # moves the child (and its tail) into the run


def _plain_html(root: etree._Element) -> None:
    """Print pages are HTML5: no namespaces (MathML is recognised by the HTML parser)."""
    for el in root.iter(etree.Element):
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname
        for name in list(el.attrib):
            if name.startswith("{"):
                value = el.attrib.pop(name)
                if name.endswith("}lang"):
                    el.set("lang", value)
    etree.cleanup_namespaces(root)


def to_html5(root: etree._Element) -> bytes:
    """Serialise a print page as an HTML5 document (UTF-8), with its
    Content-Security-Policy (:mod:`.policy`)."""
    add_policy(root, PRINT_HTML)
    text: str = lxml_html.tostring(root, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
    return (text + "\n").encode("utf-8")


def inline_images(ctx: Context, pg: Page) -> None:
    """Replace every image source with a data: URL (for the self-contained HTML file)."""
    for img in pg.images:
        src = img.get("src", "")
        try:
            fetched = ctx.fetcher.get(ctx.url_for(src))
        except FetchRefused:  # already reported by the fetcher; check_images removed most
            ctx.diagnostics.add("H001", f"image '{src}' could not be inlined; its description is shown instead",
                                file=ctx.article.source)
            # never a reference the browser would resolve on its own, next to wherever the file is
            text_before(img, img.get("alt") or "")
            remove_keep_tail(img)
            continue
        encoded = base64.b64encode(fetched.data).decode("ascii")
        img.set("src", f"data:{fetched.media_type};base64,{encoded}")


def add_style(root: etree._Element, css: str) -> None:
    head = root.find("head")
    style = etree.SubElement(head, "style")
    style.text = "\n" + css.strip() + "\n"


def print_page(ctx: Context) -> tuple[Page, Resolved]:
    """The print page with the run's page setup: the paper, margins and notes placement
    resolved against the theme, and a ``page-<size>`` class on ``<html>`` for themes."""
    resolved = resolve(ctx.settings.page, ctx.theme)
    pg = page(ctx, "print")
    classes = pg.root.get("class", "").split()
    pg.root.set("class", " ".join([*classes, f"page-{resolved.paper.key}"]))
    return pg, resolved


def render(ctx: Context) -> bytes:
    """The print-ready HTML file: one self-contained page (CSS inlined, images as data:
    URLs) that reads on screen and prints from a browser at the chosen paper size."""
    pg, resolved = print_page(ctx)
    inline_images(ctx, pg)
    add_style(pg.root, ctx.theme.css("print.css") + "\n" + page_css(resolved))
    return to_html5(pg.root)
