"""JATS references (``ref-list``) → ``section.references > ol.references > li``.

``mixed-citation`` (and NLM ``citation``) already carries its punctuation: it is copied
as inline text, with names spaced and links made. ``element-citation`` (and
``nlm-citation``) has none: it is set in one consistent style, authors first::

    Allmann S, Baldwin IT. 2010. Insects betray themselves in nature … Science 329:1075–1078.
    doi:10.1126/science.1191634

Every child the formatter does not know is still appended as text, so nothing in a
reference is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from exporter.model import normalize_space
from exporter.model.tree import append_text, unwrap

__all__ = ["citation", "is_mixed"]

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
Inline = Callable[[etree._Element, etree._Element], None]
_PERSONS = ("name", "string-name", "collab", "etal", "anonymous", "name-alternatives")


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def is_mixed(cit: etree._Element) -> bool:
    """Whether the citation carries its own punctuation (text between its elements)."""
    if cit.tag in ("mixed-citation",):
        return True
    if cit.tag in ("element-citation", "nlm-citation"):
        return False
    return bool((cit.text or "").strip()) or any((c.tail or "").strip() for c in cit)


def person(el: etree._Element) -> str:
    """'Surname GN' for a name (with suffix), the text of a collab or string-name."""
    tag = local(el)
    if tag == "name":
        surname = normalize_space("".join(el.findtext("surname") or ""))
        given = normalize_space(el.findtext("given-names") or "")
        suffix = normalize_space(el.findtext("suffix") or "")
        prefix = normalize_space(el.findtext("prefix") or "")
        if el.get("name-style") == "eastern":
            return " ".join(p for p in (surname, given) if p)
        return " ".join(p for p in (prefix, surname, given, suffix) if p)
    if tag == "name-alternatives":
        first = next((c for c in el if local(c) in ("name", "string-name")), None)
        return person(first) if first is not None else normalize_space("".join(el.itertext()))
    if tag == "etal":
        return "et al."
    if tag == "anonymous":
        return normalize_space("".join(el.itertext())) or "Anonymous"
    return normalize_space("".join(el.itertext()))


def citation(cit: etree._Element, target: etree._Element, inline: Inline) -> None:
    """Append the citation ``cit`` (mixed or element style) to the ``li`` ``target``."""
    if is_mixed(cit):
        _mixed(cit, target, inline)
    else:
        _element(cit, target, inline)


def _mixed(cit: etree._Element, target: etree._Element, inline: Inline) -> None:
    append_text(target, cit.text or "")
    for child in cit:
        tag = local(child)
        if tag in ("name", "string-name", "name-alternatives"):
            if tag == "string-name" and (child.text or "").strip():
                holder = etree.Element("span")
                inline(child, holder)
                append_text(target, normalize_space("".join(holder.itertext())))
            else:
                append_text(target, person(child))
        elif tag == "person-group":
            _mixed(child, target, inline)
        elif tag in ("source",):
            cite = etree.SubElement(target, "cite")
            inline(child, cite)
        elif tag in ("object-id",) and child.get("pub-id-type") in ("pmid", "pmcid"):
            append_text(target, f" {child.get('pub-id-type').upper()}: {normalize_space(child.text or '')}")
        elif tag == "pub-id":
            _pub_id(child, target)
        else:
            holder = etree.SubElement(target, "span")
            inline(child, holder)
            unwrap(holder)
        append_text(target, child.tail or "")


def _pub_id(el: etree._Element, target: etree._Element) -> None:
    kind = (el.get("pub-id-type") or "").lower()
    value = normalize_space("".join(el.itertext()))
    if kind == "doi":
        append_text(target, " doi:")
        a = etree.SubElement(target, "a", href=f"https://doi.org/{value}")
        a.text = value
    elif kind in ("pmid", "pmcid", "arxiv", "isbn", "issn"):
        append_text(target, f" {kind.upper()}: {value}")
    else:
        append_text(target, f" {value}")


def _element(cit: etree._Element, target: etree._Element, inline: Inline) -> None:
    """Set an element-citation in one style (see the module docs)."""
    used: set[etree._Element] = set()

    def take(*names: str) -> list[etree._Element]:
        found = [c for c in cit if local(c) in names and c not in used]
        used.update(found)
        return found

    def sentence(el: etree._Element | None, wrapper: str | None = None, end: str = ".") -> None:
        if el is None:
            return
        append_text(target, " " if len(target) or (target.text or "") else "")
        holder = etree.SubElement(target, wrapper or "span")
        inline(el, holder)
        text = "".join(holder.itertext()).rstrip()
        if wrapper is None:
            unwrap(holder)
        if end and text and text[-1] not in ".?!":
            append_text(target, end)

    groups = take("person-group")
    persons = [c for c in cit if local(c) in _PERSONS]
    used.update(persons)
    names: list[str] = []
    roles: list[str] = []
    for group in groups:
        members = [person(c) for c in group if local(c) in _PERSONS]
        kind = group.get("person-group-type", "author")
        if kind == "author" or not names:
            names += members
            if kind not in ("author",):
                roles.append(kind)
        else:
            roles.append(f"{kind}s: " + ", ".join(members))
    names += [person(c) for c in persons]
    if names:
        text = ", ".join(n for n in names if n != "et al.")
        if "et al." in names:
            text += ", et al."
        append_text(target, text.rstrip(".") + ".")
    year = take("year")
    if year:
        append_text(target, " " + normalize_space("".join(year[0].itertext())) + ".")
    for title in take("article-title", "chapter-title", "data-title", "part-title"):
        sentence(title)
    source = take("source")
    if source:  # "Science 329:1075" for journals; "The Book. Berlin: Press." for books
        journal = any(local(c) in ("volume", "fpage", "elocation-id") for c in cit)
        sentence(source[0], "cite", end="" if journal else ".")
    details = []
    for name in ("edition",):
        for el in take(name):
            details.append(normalize_space("".join(el.itertext())) + " edn")
    volume = take("volume")
    issue = take("issue")
    if volume:
        details.append(normalize_space("".join(volume[0].itertext())) + (
            f"({normalize_space(''.join(issue[0].itertext()))})" if issue else ""))
    pages = take("fpage")
    last = take("lpage")
    elocation = take("elocation-id")
    if pages:
        span = normalize_space(pages[0].text or "")
        if last:
            span += "–" + normalize_space(last[0].text or "")
        details.append(span)
    elif elocation:
        details.append(normalize_space("".join(elocation[0].itertext())))
    if details:
        if volume:
            text = " " + details[0] + (":" + ", ".join(details[1:]) if len(details) > 1 else "")
        else:
            text = " " + ", ".join(details)
        append_text(target, text + ".")
    place = take("publisher-loc")
    publisher = take("publisher-name")
    if place or publisher:
        text = ": ".join(normalize_space("".join(p.itertext())) for p in place + publisher)
        append_text(target, " " + text + ".")
    for role in roles:
        append_text(target, f" ({role})")
    for el in take("pub-id"):
        _pub_id(el, target)
    for el in take("ext-link", "uri"):
        append_text(target, " ")
        holder = etree.SubElement(target, "span")
        inline(el, holder)
        unwrap(holder)
    for el in take("date-in-citation"):
        append_text(target, " " + normalize_space("".join(el.itertext())) + ".")
    for el in take("comment", "annotation", "conf-name", "conf-loc", "conf-date", "patent", "institution",
                   "version", "series", "size", "trans-title", "trans-source", "std", "role", "month", "day",
                   "season", "issue-title", "volume-series", "supplement", "page-range", "access-date"):
        append_text(target, " ")
        holder = etree.SubElement(target, "span")
        inline(el, holder)
        unwrap(holder)
        if not (target.text or "").rstrip().endswith(".") and not ("".join(target.itertext()).rstrip().endswith(".")):
            append_text(target, ".")
    for el in cit:
        if isinstance(el.tag, str) and el not in used and local(el) not in ("object-id", "label", "x"):
            append_text(target, " ")
            holder = etree.SubElement(target, "span")
            inline(el, holder)
            unwrap(holder)
    for el in cit:
        if local(el) == "object-id" and el.get("pub-id-type") in ("pmid", "pmcid"):
            append_text(target, f" {el.get('pub-id-type').upper()}: {normalize_space(el.text or '')}")
