"""Web HTML importer: a page or a fragment → the article, and nothing else.

* **Encoding** as browsers find it (:mod:`.htmlparse`): BOM, ``<meta charset>``, XML
  declaration, else UTF-8; Shift_JIS pages are read as Windows-31J.
* **Tag soup** is repaired by the HTML5 algorithm; a second ``<html>`` nested in the page
  (pages pasted into templates) is reported (S029) and its conflicting ``lang`` ignored.
* **Metadata** from the page head (``<title>``, ``author``/``DC.*``/``citation_*``/Open
  Graph ``<meta>``, ``<link rel="canonical">``/``license``, ``lang``/``dir``) and from
  Jekyll-style YAML front matter at the top of the file, which wins.
* **Content**: ``<main>``, a single ``<article>``, or a known content container; page
  furniture (navigation, site header and footer, scripts, forms) is left out with a
  diagnostic. Aozora Bunko pages are recognised: the text, with ruby, its headings and
  colophon; gaiji images become the characters they stand for (S030).
* Everything else goes through the allowlist sanitiser (:mod:`.sanitize`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.importers import frontmatter
from exporter.importers._common import clean_text, read_source
from exporter.importers.assets import Assets
from exporter.importers.decoding import require_text
from exporter.importers.finish import finish
from exporter.importers.htmlparse import decode_html, parse_html
from exporter.importers.rawhtml import confine_page
from exporter.importers.sanitize import Sanitizer, local_name
from exporter.model import (
    MATHML_NS,
    XML_LANG,
    Article,
    Contributor,
    Metadata,
    new_article,
    normalize_space,
    text_of,
    valid_language,
)
from exporter.model.dates import DateError, iso_date
from exporter.model.tree import remove_keep_tail, text_before

if TYPE_CHECKING:
    from exporter.settings import Settings

__all__ = ["read", "read_tree"]

CONTENT_HINTS = ("post-content", "entry-content", "article-body", "article-content", "story-body",
                 "post-body", "main-content", "content-body", "article__body", "post__content", "markdown-body")
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_LANG_ATTR = re.compile(r"""\blang\s*=\s*["']?([A-Za-z0-9-]+)""", re.I)
_GAIJI = re.compile(r"第[34]水準(\d)-(\d{1,2})-(\d{1,2})")
_UNICODE_NOTE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


def read(path: Path, diagnostics: Diagnostics, settings: Settings | None = None) -> Article:
    text = decode_html(read_source(path), path, diagnostics, settings.encoding if settings is not None else None)
    text = require_text(clean_text(text, path, diagnostics), path)
    block, text, first = frontmatter.split(text)
    front: dict[str, Any] = frontmatter.parse(block, first, path, diagnostics) if block is not None else {}
    _nested_documents(text, path, diagnostics)
    root = parse_html(confine_page(text, path, diagnostics))
    return read_tree(root, path, diagnostics, settings, front=front)


def read_tree(root: etree._Element, path: Path, diagnostics: Diagnostics, settings: Settings | None = None, *,
              front: dict[str, Any] | None = None) -> Article:
    """The article from a parsed page (used by the HTML and XHTML importers)."""
    meta = head_metadata(root, path, diagnostics)
    rest: dict[str, Any] = {}
    if front:
        fm_meta, rest = frontmatter.to_metadata(front, path, 2, diagnostics)
        meta.update(fm_meta)
    if not meta.date and (name_date := frontmatter.date_from_name(path, diagnostics)):
        meta.date = name_date
    assets = Assets(path, path.parent, diagnostics, settings=settings)
    if isinstance(rest.get("image"), str) and rest["image"]:
        cover = assets.image(rest["image"], 2, what="cover image")
        if cover and not cover.startswith("data:"):
            meta.cover = cover
    aozora = root.find(".//div[@class='main_text']") is not None
    if aozora:
        content = _aozora(root, meta, path, diagnostics)
    else:
        content = _content(root, path, diagnostics)
    sanitizer = Sanitizer(path, diagnostics, assets, base_url=meta.source if _is_url(meta.source) else None)
    sanitizer.prepare(root)
    body = new_article()
    for part in content:
        holder = body
        if isinstance(part, tuple):  # (section class, element)
            holder = etree.SubElement(body, "section", {"class": part[0]})
            part = part[1]
        sanitizer.convert(part, holder)
    for note in sanitizer.notes:
        body.append(note)
    _title_from_heading(body, meta)
    finish(body, diagnostics, path)
    if not meta.language:
        language = root.get("lang") or root.get(XML_LANG) or ""
        meta.language = language if valid_language(language) else ""
    return Article(meta=meta, body=body, source=path, root=path.parent, diagnostics=diagnostics)


def _is_url(value: str | None) -> bool:
    if not value:
        return False
    return value.startswith(("http://", "https://"))


# ---------------------------------------------------------------------------------
# metadata from the page
# ---------------------------------------------------------------------------------

def head_metadata(root: etree._Element, path: Path, diagnostics: Diagnostics | None = None) -> Metadata:
    """The page's metadata from its head. A date that is not one (``<meta name="date"
    content="2025-13-45">``) is S026 and left out: the next date tag is tried."""
    meta = Metadata(title="", language="")
    language = root.get("lang") or root.get(XML_LANG)
    if language and valid_language(language):
        meta.language = language
    body = root.find("body")
    direction = root.get("dir") or (body.get("dir") if body is not None else None)
    if direction in ("ltr", "rtl"):
        meta.direction = direction
    values: dict[str, list[str]] = {}
    lines: dict[str, list[int | None]] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        content = normalize_space(el.get("content") or "")
        if key and content:
            values.setdefault(key, []).append(content)
            lines.setdefault(key, []).append(el.sourceline)
        if (el.get("http-equiv") or "").lower() == "content-language" and not meta.language:
            if valid_language(content.split(",")[0].strip()):
                meta.language = content.split(",")[0].strip()

    def first(*keys: str) -> str | None:
        for key in keys:
            if values.get(key):
                return values[key][0]
        return None

    title = first("citation_title", "dc.title", "dcterms.title", "og:title", "title", "twitter:title")
    if title is None:
        element = root.find(".//title")
        title = normalize_space(text_of(element)) if element is not None else None
    meta.title = title or ""
    authors = (values.get("citation_author") or values.get("dc.creator") or values.get("dcterms.creator")
               or values.get("author") or values.get("article:author") or [])
    meta.contributors = [Contributor(name=a) for a in dict.fromkeys(authors) if not a.startswith("http")]
    def date(*keys: str) -> str | None:
        for key in keys:
            for value, line in zip(values.get(key, []), lines.get(key, [])):
                try:
                    return iso_date(value, f"<meta {key}>")
                except DateError as error:
                    if diagnostics is not None:
                        diagnostics.add("S026", f"{error.message}; left out", file=path, line=line, hint=error.hint)
        return None

    meta.date = date("citation_publication_date", "citation_date", "dc.date", "dcterms.date",
                     "article:published_time", "date", "pubdate")
    meta.modified = date("article:modified_time", "dcterms.modified")
    meta.description = first("description", "og:description", "dc.description", "twitter:description")
    meta.publisher = first("dc.publisher", "dcterms.publisher", "citation_publisher")
    meta.publication = first("citation_journal_title", "og:site_name", "application-name")
    keywords = first("keywords", "citation_keywords")
    if keywords:
        meta.subjects = [k.strip() for k in re.split(r"[,;]", keywords) if k.strip()]
    doi = first("citation_doi", "dc.identifier", "prism.doi")
    if doi and (doi.startswith(("10.", "doi:"))):
        meta.identifier = doi if doi.startswith("doi:") else "doi:" + doi
    meta.rights = first("dc.rights", "dcterms.rights", "copyright")
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and _is_url(href):
            meta.source = href
        elif "license" in rel and _is_url(href):
            meta.license = href
    if meta.source is None and _is_url(first("og:url")):
        meta.source = first("og:url")
    return meta


def _nested_documents(text: str, path: Path, diagnostics: Diagnostics) -> None:
    tags = list(_HTML_TAG.finditer(text))
    if len(tags) < 2:
        return
    outer = _LANG_ATTR.search(tags[0].group(0))
    for tag in tags[1:]:
        line = text[: tag.start()].count("\n") + 1
        inner = _LANG_ATTR.search(tag.group(0))
        detail = ""
        if inner and outer and inner.group(1).lower() != outer.group(1).lower():
            detail = f"; its lang='{inner.group(1)}' conflicts with the page's lang='{outer.group(1)}' and was ignored"
        diagnostics.add("S029", f"a second <html> document is nested inside the page{detail}", file=path,
                        line=line, hint="the page was repaired as a browser does; check its language")


# ---------------------------------------------------------------------------------
# where the content is
# ---------------------------------------------------------------------------------

def _content(root: etree._Element, path: Path, diagnostics: Diagnostics) -> list[etree._Element | tuple[str, etree._Element]]:
    body = root.find("body")
    if body is None:
        return [root]
    main = root.find(".//main")
    if main is None:
        main = next((el for el in root.iter(etree.Element) if el.get("role") == "main"), None)
    if main is not None:
        return [main]
    articles = root.findall(".//article")
    if len(articles) == 1:
        return [articles[0]]
    for el in root.iter(etree.Element):
        tokens = set((el.get("class") or "").split()) | {el.get("id") or ""}
        if tokens & set(CONTENT_HINTS):
            return [el]
    for el in list(body):
        if local_name(el) in ("header", "footer", "nav") and len(body) > 1:
            diagnostics.add("S021", f"site <{local_name(el)}> left out: not article content", file=path,
                            line=el.sourceline, hint="exporter keeps the article, not the site around it")
            body.remove(el)
    return [body]


def _aozora(root: etree._Element, meta: Metadata, path: Path, diagnostics: Diagnostics) -> list[etree._Element | tuple[str, etree._Element]]:
    """Aozora Bunko: the main text, then its colophon; title and author from the card."""
    main = root.find(".//div[@class='main_text']")
    header = root.find(".//div[@class='metadata']")
    if header is not None:
        title = header.find("h1")
        author = header.find("h2")
        if title is not None and not meta.title:
            meta.title = normalize_space(text_of(title))
        if author is not None and not meta.contributors:
            meta.contributors = [Contributor(name=normalize_space(text_of(author)))]
    if not meta.publisher:
        meta.publisher = "青空文庫"
    _gaiji(root, path, diagnostics)
    for div in main.iter("div"):
        if any(c.startswith("chitsuki") for c in (div.get("class") or "").split()):
            div.tag = "p"
            div.set("class", "signature")
    parts: list[etree._Element | tuple[str, etree._Element]] = [main]
    for name in ("bibliographical_information", "notation_notes"):
        extra = root.find(f".//div[@class='{name}']")
        if extra is not None:
            for hr in extra.findall("hr"):
                extra.remove(hr)
            parts.append(("colophon", extra))
    card = root.find(".//div[@id='card']")
    if card is not None:
        diagnostics.add("S021", "Aozora's library-card link (a script) left out", file=path, line=card.sourceline,
                        hint="the card is a web feature; the colophon is kept")
    return parts


def _gaiji(root: etree._Element, path: Path, diagnostics: Diagnostics) -> None:
    """Aozora gaiji: an image for a JIS X 0213 character, named in its alt text."""
    replaced: dict[str, int] = {}
    for img in list(root.iter("img")):
        if "gaiji" not in (img.get("class") or "").split():
            continue
        alt = img.get("alt") or ""
        char = None
        if match := _GAIJI.search(alt):
            plane, row, cell = (int(g) for g in match.groups())
            raw = bytes([0xA0 + row, 0xA0 + cell]) if plane == 1 else bytes([0x8F, 0xA0 + row, 0xA0 + cell])
            try:
                char = raw.decode("euc_jis_2004")
            except UnicodeDecodeError:
                char = None
        elif match := _UNICODE_NOTE.search(alt):
            char = chr(int(match.group(1), 16))
        if not char or unicodedata.category(char[0]).startswith("C"):
            continue
        text_before(img, char)
        remove_keep_tail(img)
        key = f"{char} ({alt})"
        replaced.setdefault(key, img.sourceline or 0)
    for key, line in replaced.items():
        diagnostics.add("S030", f"gaiji image replaced by the character {key}", file=path, line=line or None,
                        hint="the character is in Unicode; no image is needed")


def _title_from_heading(body: etree._Element, meta: Metadata) -> None:
    """An h1 that comes first — before any text, image or other heading — is the title:
    used when there is none, dropped when it repeats it. An h1 further on stays where it
    is, a heading of the text."""
    first = next(body.iter("h1", "h2", "h3", "h4", "h5", "h6"), None)
    if first is None or first.tag != "h1" or _content_before(body, first):
        return
    text = normalize_space(text_of(first))
    if not meta.title:
        meta.title = text
    elif normalize_space(meta.title).casefold() != text.casefold() and not meta.title.casefold().startswith(
            text.casefold()) and text.casefold() not in meta.title.casefold():
        return
    remove_keep_tail(first, keep_blank=False)


def _content_before(body: etree._Element, heading: etree._Element) -> bool:
    """Whether anything a reader sees comes before ``heading`` in ``body``."""
    around = set(heading.iterancestors())  # their tails come after the heading
    for el in body.iter():
        if el is heading:
            return False
        if el.tag in ("img", "hr", "table", "figure", f"{{{MATHML_NS}}}math"):
            return True
        if isinstance(el.tag, str) and (el.text or "").strip():
            return True
        if el is not body and el not in around and (el.tail or "").strip():
            return True
    return False
