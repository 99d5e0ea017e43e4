"""EPUB structural semantics on the e-book page: ``epub:type`` values from the model's
classes, the DPUB-ARIA role that matches each ``epub:type`` (where ARIA in HTML allows
that role on the element), and ``xml:lang`` beside every ``lang``.

Reading systems use ``epub:type`` (pop-up notes, landmarks); assistive technologies
use ``role``. DAISY Ace requires the two to agree, and ARIA in HTML restricts the roles
some elements may take (``<article>`` may not be ``doc-chapter``), so a value whose
role the element cannot take is dropped rather than left contradicting the role.
"""

from __future__ import annotations

from lxml import etree

from exporter.model import EPUB_NS, XHTML_NS, XML_LANG

__all__ = ["apply", "EPUB_TYPE", "add_type"]

X = f"{{{XHTML_NS}}}"
EPUB_TYPE = f"{{{EPUB_NS}}}type"

#: model classes that name a structural semantic (EPUB SSV 1.1)
CLASS_TYPES = {
    "section": {"abstract": "abstract", "acknowledgments": "acknowledgments", "appendix": "appendix",
                "bibliography": "bibliography", "references": "bibliography", "glossary": "glossary",
                "preface": "preface", "epigraph": "epigraph", "dedication": "dedication",
                "chapter": "chapter", "part": "part", "interview": "qna"},
    "blockquote": {"epigraph": "epigraph"},
    "div": {"epigraph": "epigraph"},
}

#: epub:type -> the DPUB-ARIA role Ace expects with it (deprecated roles are not required)
ROLES = {
    "abstract": "doc-abstract", "acknowledgments": "doc-acknowledgments", "afterword": "doc-afterword",
    "appendix": "doc-appendix", "bibliography": "doc-bibliography", "biblioref": "doc-biblioref",
    "chapter": "doc-chapter", "colophon": "doc-colophon", "conclusion": "doc-conclusion",
    "credit": "doc-credit", "credits": "doc-credits", "dedication": "doc-dedication",
    "endnotes": "doc-endnotes", "epigraph": "doc-epigraph", "epilogue": "doc-epilogue",
    "errata": "doc-errata", "footnote": "doc-footnote", "foreword": "doc-foreword",
    "glossary": "doc-glossary", "glossref": "doc-glossref", "index": "doc-index",
    "introduction": "doc-introduction", "noteref": "doc-noteref", "notice": "doc-notice",
    "page-list": "doc-pagelist", "pagebreak": "doc-pagebreak", "part": "doc-part",
    "preface": "doc-preface", "prologue": "doc-prologue", "pullquote": "doc-pullquote",
    "qna": "doc-qna", "subtitle": "doc-subtitle", "tip": "doc-tip", "toc": "doc-toc",
}
#: epub:type values whose matching role is deprecated (Ace does not ask for it)
DEPRECATED = {"endnote", "biblioentry"}

_SECTIONING_ROLES = {
    "doc-abstract", "doc-acknowledgments", "doc-afterword", "doc-appendix", "doc-bibliography",
    "doc-chapter", "doc-colophon", "doc-conclusion", "doc-credit", "doc-credits", "doc-dedication",
    "doc-endnotes", "doc-epigraph", "doc-epilogue", "doc-errata", "doc-foreword", "doc-glossary",
    "doc-index", "doc-introduction", "doc-notice", "doc-pagelist", "doc-part", "doc-preface",
    "doc-prologue", "doc-pullquote", "doc-qna", "doc-toc",
}
#: ARIA in HTML: the DPUB roles allowed on elements that do not accept any role
_ALLOWED = {
    "article": set(),
    "aside": {"doc-dedication", "doc-example", "doc-footnote", "doc-glossary", "doc-pullquote", "doc-tip"},
    "section": _SECTIONING_ROLES,
    "nav": {"doc-index", "doc-pagelist", "doc-toc"},
    "a": {"doc-backlink", "doc-biblioref", "doc-glossref", "doc-noteref"},
    "img": {"doc-cover"},
    "hr": {"doc-pagebreak"},
    "footer": {"doc-footnote"},
    "header": set(), "body": set(), "html": set(), "main": set(),
    "ol": set(), "ul": set(), "li": set(), "dl": set(), "dt": set(), "dd": set(),
    "table": set(), "tr": set(), "td": set(), "th": set(), "figure": set(), "figcaption": set(),
    **{f"h{n}": {"doc-subtitle"} for n in range(1, 7)},
}


def _tokens(element: etree._Element) -> list[str]:
    return (element.get(EPUB_TYPE) or "").split()


def add_type(element: etree._Element, value: str) -> None:
    tokens = _tokens(element)
    if value not in tokens:
        element.set(EPUB_TYPE, " ".join([*tokens, value]))


def _allowed(element: etree._Element, role: str) -> bool:
    name = etree.QName(element).localname
    return name not in _ALLOWED or role in _ALLOWED[name]


def apply(root: etree._Element) -> None:
    """Add semantics and matching roles to an e-book page (XHTML, in place)."""
    for element in root.iter(etree.Element):
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        for cls in element.get("class", "").split():
            value = CLASS_TYPES.get(name, {}).get(cls)
            if value:
                add_type(element, value)
        if element.get("lang") and element.get(XML_LANG) is None:
            element.set(XML_LANG, element.get("lang"))
        tokens = _tokens(element)
        if tokens:
            _match_role(element, tokens)
    _questions(root)


def _questions(root: etree._Element) -> None:
    """An interview's questions are headings to assistive technology (``role="heading"``
    one level below the heading before them), so that a screen reader announces each as
    a heading and lists them, and a reader moves from question to question with the
    heading keys, as sighted readers skim the bold questions. Not only a style: the
    speaker's name stays text (``<b class="speaker">Name:</b>``)."""
    last = 1
    for element in root.iter(*(f"{X}h{n}" for n in range(1, 7)), f"{X}div"):
        name = etree.QName(element).localname
        if name != "div":
            last = int(name[1])
        elif "question" in element.get("class", "").split() and element.get("role") is None:
            element.set("role", "heading")
            element.set("aria-level", str(min(last + 1, 6)))


def _match_role(element: etree._Element, tokens: list[str]) -> None:
    """The first value that has a role decides it (as in Ace); a value whose role the
    element may not take is dropped, and the next one decides."""
    kept = list(tokens)
    for token in tokens:
        if token in DEPRECATED:
            break
        role = ROLES.get(token)
        if role is None:
            continue
        if element.get("role") == role or (element.get("role") is None and _allowed(element, role)):
            element.set("role", role)
            break
        kept.remove(token)
    if kept:
        element.set(EPUB_TYPE, " ".join(kept))
    else:
        del element.attrib[EPUB_TYPE]
