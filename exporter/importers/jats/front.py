"""JATS front matter: the article's metadata, and an "article information" section.

:func:`metadata` maps ``journal-meta`` and ``article-meta`` onto
:class:`~exporter.model.Metadata`: title and subtitle, contributors with their roles
(authors ``aut``, editors ``edt``, translators ``trl``; groups by their ``collab``
name), publication date, journal, publisher, DOI, licence (``license/@xlink:href`` or
``ali:license_ref``; CC0 and every Creative Commons version are recognised), copyright
statement, subjects and keywords, and the abstract as description.

What metadata cannot hold — affiliations, corresponding authors, ORCIDs, author notes
and contributions, competing interests, history dates, funding, the citation, the
licence text, related articles — goes into the last section of the body, "Article
information", so it is printed and never lost (:func:`info_section`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable

from lxml import etree

from exporter.model import Contributor, Metadata, normalize_space
from exporter.model.dates import DateError, iso_date
from exporter.model.links import web_url

__all__ = ["metadata", "info_section", "date_of", "license_of"]

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ALI = "{http://www.niso.org/schemas/ali/1.0/}"
ROLES = {"author": "aut", "editor": "edt", "translator": "trl", "illustrator": "ill", "photographer": "pht",
         "compiler": "com", "contributor": "ctb"}
Inline = Callable[[etree._Element, etree._Element], None]
#: told of a date element that holds an impossible date
Report = Callable[[etree._Element, DateError], None]


def _text(el: etree._Element | None) -> str:
    return normalize_space("".join(el.itertext())) if el is not None else ""


def date_of(el: etree._Element | None, report: Report | None = None) -> str | None:
    """ISO date (YYYY, YYYY-MM or YYYY-MM-DD) of a JATS date element, from its
    ``iso-8601-date`` or its ``year``, ``month`` (a number or an English name) and
    ``day``. A month that is neither (a season) leaves the year; an impossible date
    (``<month>13</month>``, 31 February) is None, and reported (once)."""
    if el is None:
        return None
    iso = (el.get("iso-8601-date") or "").strip()
    if iso:
        try:
            return iso_date(iso, "iso-8601-date")
        except DateError as error:
            if report is not None:
                report(el, error)
            report = None  # the parts may still hold the date
    year, month, day = ((el.findtext(name) or "").strip() for name in ("year", "month", "day"))
    if not re.fullmatch(r"\d{4}", year):
        return None
    if month.isdigit():
        text = "-".join([year, month] + ([day] if day.isdigit() else []))
    elif month:
        text = f"{day} {month} {year}" if day.isdigit() else f"{month} {year}"
    else:
        text = year
    try:
        return iso_date(text, f"<{el.tag}>")
    except DateError as error:
        if not error.impossible and month and not month.isdigit():  # a season, a range: the year
            return year
        if report is not None:
            report(el, error)
        return None


def _pub_date(meta_el: etree._Element, report: Report | None) -> str | None:
    dates = [(date, date_of(date, report)) for date in meta_el.findall("pub-date")]
    order = [("epub", None), (None, "electronic"), ("pub", None), ("ppub", None), ("collection", None)]
    for kind, form in order:
        for date, value in dates:
            types = {date.get("pub-type"), date.get("date-type")}
            if (kind is None or kind in types) and (form is None or date.get("publication-format") == form):
                if value:
                    return value
    return next((value for _, value in dates if value), None)


def license_of(permissions: etree._Element | None) -> tuple[str | None, str | None]:
    """(licence URL, copyright statement) of a ``permissions`` element."""
    if permissions is None:
        return None, None
    url = None
    ref = permissions.find(f".//{ALI}license_ref")
    if ref is not None and _text(ref):
        url = _text(ref)
    lic = permissions.find("license")
    if url is None and lic is not None:
        url = lic.get(XLINK_HREF) or None
        if url is None:
            inner = lic.find(".//ext-link")
            if inner is not None and "creativecommons.org" in (inner.get(XLINK_HREF) or ""):
                url = inner.get(XLINK_HREF)
    statement = _text(permissions.find("copyright-statement"))
    if not statement:
        year = _text(permissions.find("copyright-year"))
        holder = _text(permissions.find("copyright-holder"))
        if year or holder:
            statement = "© " + ", ".join(p for p in (year, holder) if p)
    return (url.strip() if url else None), (statement or None)


def person_name(contrib: etree._Element) -> tuple[str, str | None]:
    """(display name, file-as) of a contrib (name, string-name or collab)."""
    name = contrib.find("name")
    if name is None:
        alternatives = contrib.find("name-alternatives")
        if alternatives is not None:
            name = alternatives.find("name")
    if name is not None:
        surname = _text(name.find("surname"))
        given = _text(name.find("given-names"))
        suffix = _text(name.find("suffix"))
        if name.get("name-style") == "eastern":
            cjk = all(not c.isascii() for c in surname + given if c.isalpha())
            display = ("" if cjk else " ").join(p for p in (surname, given) if p)
        else:
            display = " ".join(p for p in (given, surname) if p) + (f" {suffix}" if suffix else "")
        return display, (f"{surname}, {given}" if surname and given else None)
    for tag in ("string-name", "collab", "collab-alternatives"):
        el = contrib.find(tag)
        if el is not None:
            return _text(el), None
    return "", None


def metadata(article: etree._Element, report: Report | None = None) -> Metadata:
    """The article's metadata; ``report`` is told of a ``pub-date`` that is not a date
    (the importer makes it S026: a publication date is incidental, the next is tried)."""
    meta = Metadata(title="", language="")
    front = article.find("front")
    journal = front.find("journal-meta") if front is not None else None
    info = front.find("article-meta") if front is not None else None
    if journal is not None:
        meta.publication = _text(journal.find(".//journal-title")) or _text(journal.find("journal-id")) or None
        meta.publisher = _text(journal.find(".//publisher-name")) or None
    if info is None:
        return meta
    group = info.find("title-group")
    if group is not None:
        meta.title = _text(group.find("article-title"))
        meta.subtitle = _text(group.find("subtitle")) or None
    for contrib in info.iter("contrib"):
        if contrib.getparent() is None or contrib.getparent().tag != "contrib-group":
            continue
        name, file_as = person_name(contrib)
        if not name:
            continue
        role = ROLES.get(contrib.get("contrib-type", "author").lower(), "ctb")
        meta.contributors.append(Contributor(name=name, role=role, file_as=file_as))
    meta.date = _pub_date(info, report)
    for article_id in info.findall("article-id"):
        if article_id.get("pub-id-type") == "doi" and _text(article_id):
            meta.identifier = "doi:" + _text(article_id)
            meta.source = "https://doi.org/" + _text(article_id)
    url, statement = license_of(info.find("permissions"))
    meta.license = url
    meta.rights = statement
    subjects: list[str] = []
    for subject in info.findall("article-categories//subject"):
        kind = subject.getparent().get("subj-group-type", "")
        if kind in ("heading", "subject", "Discipline", "Discipline-v2", "Discipline-v3", "") and _text(subject):
            subjects.append(_text(subject))
    for kwd in info.findall("kwd-group/kwd"):
        if _text(kwd):
            subjects.append(_text(kwd))
    meta.subjects = list(dict.fromkeys(subjects))
    abstract = next((a for a in info.findall("abstract") if a.get("abstract-type") in (None, "abstract")), None)
    if abstract is not None:
        text = " ".join(_text(p) for p in abstract.iter("p"))
        meta.description = text or None
    language = article.get("{http://www.w3.org/XML/1998/namespace}lang")
    if language:
        meta.language = language
    return meta


# ---------------------------------------------------------------------------------
# the "article information" section
# ---------------------------------------------------------------------------------

def _p(parent: etree._Element, label: str | None = None, text: str | None = None) -> etree._Element:
    p = etree.SubElement(parent, "p")
    if label:
        b = etree.SubElement(p, "b")
        b.text = label
        b.tail = " " + (text or "") if text else None
    elif text:
        p.text = text
    return p


def _heading(parent: etree._Element, level: int, text: str) -> None:
    etree.SubElement(parent, f"h{min(level, 6)}").text = text


def info_section(article: etree._Element, meta: Metadata, inline: Inline, fn_inline: Inline,
                 used_notes: set[str], level: int = 2,
                 block: Callable[[etree._Element, etree._Element, int], None] | None = None) -> etree._Element | None:
    """The "Article information" section (see the module docs), or None when empty.
    ``block`` converts a block of the body (for the front matter's ``notes``)."""
    front = article.find("front")
    info = front.find("article-meta") if front is not None else None
    section = etree.Element("section", id="article-information")
    _heading(section, level, "Article information")
    if info is not None:
        _contributors(info, section, inline, level)
        for status in info.findall("title-group/fn-group/fn"):  # F1000: "[version 2; peer review: 2 approved]"
            fn_inline(status, section)
        notes = info.find("author-notes")
        if notes is not None:
            for child in notes:
                if child.tag == "fn" and child.get("id") in used_notes:
                    continue
                if child.tag in ("fn", "corresp", "p"):
                    fn_inline(child, section)
        for group in info.findall("title-group/trans-title-group"):
            title = _text(group.find("trans-title"))
            language = group.get("{http://www.w3.org/XML/1998/namespace}lang")
            if title:
                p = _p(section, f"Title ({language}):" if language else "Translated title:", title)
                if language:
                    p.set("lang", language)
        _dates(info, section, meta)
        _citation(info, section, meta)
        permissions = info.find("permissions")
        if permissions is not None:
            statement = permissions.find("copyright-statement")
            if statement is not None:
                inline(statement, _p(section))
            for lic in permissions.findall("license"):
                for p in lic.findall("license-p") or [lic]:
                    inline(p, _p(section))
        for group in info.findall("kwd-group"):
            title = _text(group.find("title")) or "Keywords"
            words = [_text(k) for k in group.findall("kwd") if _text(k)]
            if words:
                _p(section, title.rstrip(":") + ":", ", ".join(words))
        _funding(info, section, inline)
        for related in info.findall("related-article"):
            href = related.get(XLINK_HREF) or ""
            if not href:
                continue
            p = _p(section, "Related article:")
            url = web_url(href) or "https://doi.org/" + urllib.parse.quote(href.removeprefix("doi:"), safe="/:;()._-")
            a = etree.SubElement(p, "a", href=url)
            a.text = _text(related) or href
    convert = block
    for notes in front.findall("notes") if front is not None and convert is not None else []:
        # bioRxiv and others: competing interests, data availability … in the front matter
        before = len(section)
        assert convert is not None  # the loop runs only with a converter
        convert(notes, section, level + 1)
        added = section[before] if len(section) > before else None
        if added is not None and added.tag == "section" and not (len(added) and added[0].tag.startswith("h")):
            kind = (notes.get("notes-type") or "notes").replace("-", " ").replace("_", " ")
            heading = etree.Element(f"h{min(level + 1, 6)}")
            heading.text = kind[:1].upper() + kind[1:]
            added.insert(0, heading)
    return section if len(section) > 1 else None


def _contributors(info: etree._Element, section: etree._Element, inline: Inline, level: int) -> None:
    affs = {aff.get("id"): aff for aff in info.iter("aff") if aff.get("id")}
    rows = []
    for contrib in info.iter("contrib"):
        if contrib.getparent() is None or contrib.getparent().tag != "contrib-group":
            continue
        name, _ = person_name(contrib)
        if not name:
            continue
        li = etree.Element("li")
        b = etree.SubElement(li, "b")
        b.text = name
        parts: list[str] = []
        kind = contrib.get("contrib-type", "author")
        role = _text(contrib.find("role"))
        if role or kind not in ("author",):
            parts.append(role or kind.capitalize())
        if contrib.get("corresp") == "yes" or any(x.get("ref-type") == "corresp" for x in contrib.findall("xref")):
            parts.append("corresponding author")
        if contrib.get("equal-contrib") == "yes":
            parts.append("contributed equally")
        places = list(contrib.findall("aff"))
        places += [affs[rid] for x in contrib.findall("xref") if x.get("ref-type") == "aff"
                   for rid in (x.get("rid") or "").split() if rid in affs]
        text = "; ".join(parts)
        li_tail = (", " + text) if text else ""
        b.tail = li_tail
        for aff in places:
            li_children_tail = "; " if len(li) > 1 else ", "
            li[-1].tail = (li[-1].tail or "") + li_children_tail
            holder = etree.SubElement(li, "span")
            for child in aff:
                if child.tag == "label":
                    child.text = ""
            inline(aff, holder)
        for email in contrib.findall("email"):
            li[-1].tail = (li[-1].tail or "") + ", "
            a = etree.SubElement(li, "a", href=f"mailto:{_text(email)}")
            a.text = _text(email)
        for orcid in contrib.findall("contrib-id"):
            value = _text(orcid)
            if "orcid" in (orcid.get("contrib-id-type") or "") and value:
                li[-1].tail = (li[-1].tail or "") + ", ORCID "
                a = etree.SubElement(li, "a", href=web_url(value) or
                                     f"https://orcid.org/{urllib.parse.quote(value)}")
                a.text = value.rsplit("/", 1)[-1]
        rows.append(li)
    if rows:
        _heading(section, level + 1, "Authors and editors" if len(rows) > 1 else "Author")
        ul = etree.SubElement(section, "ul")
        for li in rows:
            ul.append(li)


def _dates(info: etree._Element, section: etree._Element, meta: Metadata) -> None:
    parts = []
    history = info.find("history")
    if history is not None:
        for date in history.findall("date"):
            value = date_of(date)
            if value:
                parts.append(f"{(date.get('date-type') or 'date').replace('-', ' ').capitalize()} {value}")
    if meta.date:
        parts.append(f"Published {meta.date}")
    if parts:
        _p(section, "Dates:", "; ".join(parts) + ".")


def _citation(info: etree._Element, section: etree._Element, meta: Metadata) -> None:
    year = (meta.date or "")[:4]
    volume = _text(info.find("volume"))
    issue = _text(info.find("issue"))
    where = _text(info.find("elocation-id")) or "–".join(
        p for p in (_text(info.find("fpage")), _text(info.find("lpage"))) if p)
    if not (meta.publication or volume):
        return
    text = " ".join(p for p in (meta.publication or "", year) if p)
    if volume:
        text += f";{volume}" + (f"({issue})" if issue else "")
    if where:
        text += f":{where}"
    p = _p(section, "Cite as:", text + ".")
    if meta.identifier and meta.identifier.startswith("doi:"):
        doi = meta.identifier[4:]
        p[-1].tail = (p[-1].tail or "") + " "
        a = etree.SubElement(p, "a", href=f"https://doi.org/{doi}")
        a.text = f"https://doi.org/{doi}"


def _funding(info: etree._Element, section: etree._Element, inline: Inline) -> None:
    group = info.find("funding-group")
    if group is None:
        return
    awards = group.findall("award-group")
    statement = group.find("funding-statement")
    if awards:
        items = []
        for award in awards:
            source = _text(award.find("funding-source"))
            ids = ", ".join(_text(a) for a in award.findall("award-id") if _text(a))
            people = ", ".join(person_name(r)[0] or _text(r) for r in award.findall("principal-award-recipient"))
            text = source + (f" ({ids})" if ids else "") + (f": {people}" if people else "")
            if text.strip():
                items.append(text)
        if items:
            _p(section, "Funding:", "; ".join(items) + ".")
    if statement is not None:
        inline(statement, _p(section))
