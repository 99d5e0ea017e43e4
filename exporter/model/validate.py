"""Validation of an :class:`~exporter.model.Article` against the model's rules.

Runs on every article, whichever importer made it, before any transform or writer
sees it: writers may rely on a valid model. Problems are reported with the source
file and the line of the element (for hand-written model files lxml knows it), and
with a hint that says what the model allows instead.
"""

from __future__ import annotations

import re
import urllib.parse

from lxml import etree

from exporter.errors import ModelError
from exporter.model import (
    ELEMENTS,
    GLOBAL_ATTRS,
    LINK_SCHEMES,
    MATHML_ATTRS,
    MATHML_ELEMENTS,
    MATHML_NS,
    ROLES,
    Article,
    attribute_rule,
    table_order_ok,
    valid_attribute,
    valid_date,
    valid_language,
)
from exporter.model.dates import HINT, html_datetime
from exporter.model.links import allowed_link, normalized, web_url

M = f"{{{MATHML_NS}}}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

__all__ = ["validate", "problems"]


class Problem(tuple[int | None, str, str]):
    """(line, message, hint)."""

    def __new__(cls, line: int | None, message: str, hint: str = "") -> Problem:
        return super().__new__(cls, (line, message, hint))


def problems(article: Article, *, documents: bool = False) -> list[Problem]:
    """Every problem of ``article``; ``documents``: relative links to other files are
    allowed (a book's articles: the book maps or unwraps them)."""
    found: list[Problem] = []
    meta = article.meta
    if not meta.title.strip():
        found.append(Problem(None, "the article has no title", "add <title> or a title in the sidecar"))
    if not valid_language(meta.language):
        found.append(Problem(None, f"'{meta.language}' is not a language tag", "use a BCP 47 tag such as en or pt-BR"))
    for name in ("date", "modified"):
        value = getattr(meta, name)
        if value and not valid_date(value):
            found.append(Problem(None, f"{name} '{value}' is not an ISO 8601 date", HINT))
    if meta.direction not in (None, "ltr", "rtl"):
        found.append(Problem(None, f"direction '{meta.direction}' is not ltr or rtl", "use ltr or rtl"))
    for contributor in meta.contributors:
        if contributor.role not in ROLES:
            found.append(Problem(None, f"unknown contributor role '{contributor.role}'",
                                 "use a MARC relator code: " + ", ".join(sorted(ROLES))))
        if not contributor.name.strip():
            found.append(Problem(None, "a contributor has no name", "give every contributor a name"))

    body = article.body
    if body.tag != "article":
        found.append(Problem(body.sourceline, f"the body must be <article>, not <{body.tag}>", ""))
    ids: dict[str, int | None] = {}
    notes: set[str] = set()
    for el in body.iter(etree.Element):
        if el.get("id"):
            if el.get("id") in ids:
                found.append(Problem(el.sourceline, f"duplicate id '{el.get('id')}'", "ids must be unique"))
            ids[el.get("id")] = el.sourceline
        if el.tag == "aside" and "note" in el.get("class", "").split():
            notes.add(el.get("id"))
    for el in body.iter(etree.Element):
        found.extend(_check_element(el, notes, documents))
    return found


def _check_math(el: etree._Element) -> list[Problem]:
    """Presentation MathML only, nothing else inside it (after namespaces are resolved:
    a ``<script>`` inside ``<math>`` is MathML-namespaced, and still not MathML)."""
    line = el.sourceline
    local = etree.QName(el).localname
    if local not in MATHML_ELEMENTS:
        return [Problem(line, f"<{local}> is not presentation MathML the model keeps",
                        "use presentation MathML (mi, mo, mn, mrow, mfrac …), nothing else inside <math>")]
    parent = el.getparent()
    if local == "math" and parent is not None and parent.tag.startswith(M):
        return [Problem(line, "<math> inside <math>", "nest <mrow>, not <math>")]
    found = []
    for name in el.attrib:
        attr = etree.QName(name).localname if name.startswith("{") else name
        if name.startswith("{") and name != XML_LANG or attr not in MATHML_ATTRS and name != XML_LANG:
            found.append(Problem(line, f"attribute '{attr}' is not allowed on MathML <{local}>",
                                 "MathML in the model carries presentation attributes only"))
    return found


def _check_element(el: etree._Element, notes: set[str], documents: bool = False) -> list[Problem]:
    line = el.sourceline
    tag = el.tag
    if not isinstance(tag, str):
        return []
    parent = el.getparent()
    in_math = parent is not None and isinstance(parent.tag, str) and parent.tag.startswith(M)
    if tag.startswith(M):
        return _check_math(el)
    if in_math:
        return [Problem(line, f"<{etree.QName(el).localname}> inside MathML is not part of the article model",
                        "MathML holds MathML elements only; put text in <mtext>")]
    if tag.startswith("{"):
        return [Problem(line, f"element {tag} is not part of the article model",
                        "use the elements listed in docs/model.md")]
    rule = ELEMENTS.get(tag)
    if rule is None:
        return [Problem(line, f"<{tag}> is not part of the article model",
                        "use the elements listed in docs/model.md")]
    found = []
    parent = el.getparent()
    if parent is not None and isinstance(parent.tag, str) and not parent.tag.startswith("{"):
        parent_rule = ELEMENTS.get(parent.tag)
        if parent_rule is not None and tag not in parent_rule.children:
            found.append(Problem(line, f"<{tag}> is not allowed inside <{parent.tag}>",
                                 f"<{parent.tag}> may contain: " + ", ".join(sorted(parent_rule.children))
                                 if parent_rule.children else f"<{parent.tag}> must be empty"))
    if not rule.text:
        if (el.text or "").strip():
            found.append(Problem(line, f"text directly inside <{tag}>",
                                 f"wrap it in an element that <{tag}> allows, such as <p>"))
        for child in el:
            if (child.tail or "").strip():
                found.append(Problem(child.sourceline or line, f"text directly inside <{tag}>",
                                     f"wrap it in an element that <{tag}> allows, such as <p>"))
                break
    for name in el.attrib:
        if name.startswith("{"):
            if name == "{http://www.w3.org/XML/1998/namespace}lang":
                continue
            found.append(Problem(line, f"attribute {name} on <{tag}> is not allowed", "remove it"))
        elif name not in GLOBAL_ATTRS and name not in rule.attrs:
            found.append(Problem(line, f"attribute '{name}' is not allowed on <{tag}>",
                                 "allowed: " + ", ".join(sorted(GLOBAL_ATTRS | rule.attrs))))
        elif not valid_attribute(tag, name, el.get(name)):
            found.append(Problem(line, f"{name}='{el.get(name)[:40]}' on <{tag}> is not a value HTML allows",
                                 f"{name} holds {attribute_rule(name)}"))
    for name in rule.required:
        if not el.get(name):
            found.append(Problem(line, f"<{tag}> needs a '{name}' attribute", ""))
    for cls in el.get("class", "").split():
        if cls not in rule.classes:
            found.append(Problem(line, f"class '{cls}' is not defined for <{tag}>",
                                 ("classes for <%s>: %s" % (tag, ", ".join(sorted(rule.classes))))
                                 if rule.classes else f"<{tag}> takes no class"))
    if tag == "a":
        href = el.get("href")
        if "noteref" in el.get("class", "").split():
            if not href or not href.startswith("#") or href[1:] not in notes:
                found.append(Problem(line, f"note reference to '{href}', which is not a note",
                                     "point href='#id' at an <aside class=\"note\" id=\"id\">"))
        elif href is not None:
            found.extend(_check_link(href, line, documents))
    if el.get("datetime") is not None and html_datetime(el.get("datetime")) != el.get("datetime"):
        found.append(Problem(line, f"datetime '{el.get('datetime')}' is not a date, time or duration as HTML has them",
                             HINT))
    if el.get("cite") is not None and web_url(el.get("cite")) is None:
        found.append(Problem(line, f"cite '{el.get('cite', '')[:80]}' is not a web address",
                             "give the source's https:// address, or remove the attribute"))
    if tag == "img":
        src = el.get("src", "")
        scheme = _scheme(src)
        if scheme is None:
            found.append(Problem(line, f"image source '{src[:80]}' is not a valid URL", "fix the file name"))
        elif scheme and scheme != "data" or src.startswith("//"):
            found.append(Problem(line, f"image source '{src[:80]}' is not a local file",
                                 "download the image next to the source and use a relative path"))
    if tag == "dl" and not _terms_then_descriptions(el):
        found.append(Problem(line, "a definition list must be groups of terms (dt) each followed by a "
                             "description (dd)", "give every term a <dd>, or make the list a <ul>"))
    if tag == "aside" and "note" in el.get("class", "").split() and not el.get("id"):
        found.append(Problem(line, "a note needs an id", "give the note an id that a.noteref points at"))
    if tag == "table" and not table_order_ok(el):
        found.append(Problem(line, "the parts of the table are not in HTML's order",
                             "caption, then colgroup, thead, tbody (or rows without tbody), tfoot last"))
    if tag == "colgroup" and el.get("span") is not None and el.find("col") is not None:
        found.append(Problem(line, "a colgroup with a span holds no col", "give the span to the col elements"))
    if el.get("headers") is not None and tag in ("td", "th"):
        table = next(el.iterancestors("table"), None)
        heads = {th.get("id") for th in table.iter("th")} if table is not None else set()
        unknown = [key for key in el.get("headers").split() if key not in heads]
        if unknown or not el.get("headers").split():
            found.append(Problem(line, f"headers='{el.get('headers')[:40]}' names no header cell of this table",
                                 "headers lists the ids of th cells in the same table"))
    return found


def _terms_then_descriptions(dl: etree._Element) -> bool:
    """HTML's content model for <dl>: one or more dt, then one or more dd, repeated."""
    tags = "".join({"dt": "t", "dd": "d"}.get(child.tag, "") for child in dl if isinstance(child.tag, str))
    return not tags or re.fullmatch(r"(t+d+)+", tags) is not None


def _check_link(href: str, line: int | None, documents: bool = False) -> list[Problem]:
    if href.startswith("#") and len(href) > 1:
        return []
    kept = allowed_link(href, documents=documents)
    if kept == href:
        return []
    if kept is not None and normalized(href) == href:
        return [Problem(line, f"link '{href[:80]}' holds characters a URL may not hold as they are",
                        f"write it as '{kept[:80]}'")]
    scheme = _scheme(normalized(href))
    if scheme is None:
        return [Problem(line, f"link '{href[:80]}' is not a valid URL", "fix the address")]
    if scheme and scheme not in LINK_SCHEMES:
        return [Problem(line, f"link scheme '{scheme}:' is not allowed",
                        "links may use: " + ", ".join(sorted(LINK_SCHEMES)))]
    if normalized(href).startswith(("//", "\\")):
        return [Problem(line, f"link '{href[:80]}' has no scheme", "write it with https://")]
    if normalized(href) != href:
        return [Problem(line, f"link '{href[:80]!r}' has control characters or spaces around it",
                        "write the address without them")]
    if not href or href == "#":
        return [Problem(line, "an empty link", "give the link an address, or remove it")]
    return [Problem(line, f"link '{href[:80]}' points at a local file",
                    "link to a web address (https://…) or to an id in the article (#id)")]


def _scheme(url: str) -> str | None:
    """The URL's scheme in lower case ('' for relative references), None if unparsable."""
    try:
        return urllib.parse.urlsplit(url).scheme.lower()
    except ValueError:
        return None


def validate(article: Article, *, documents: bool = False) -> None:
    """Raise :class:`ModelError` listing every problem, or return."""
    found = problems(article, documents=documents)
    if not found:
        return
    line, message, hint = found[0]
    error = ModelError(message, file=article.source, line=line, hint=hint or None)
    error.problems = [
        ModelError(m, file=article.source, line=ln, hint=h or None) for ln, m, h in found
    ]
    if len(found) > 1:
        error.message = f"{message} (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})"
    raise error
