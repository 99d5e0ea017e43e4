"""The canonical article model (documented for authors in ``docs/model.md``).

An :class:`Article` is :class:`Metadata` plus one ``<article>`` element held by lxml.
Inside the article, HTML elements carry no namespace (``p``, not ``{xhtml}p``) so that
transforms and writers can use plain XPath; MathML keeps its namespace. Writers put
the XHTML namespace back when they serialise (:func:`qualify`).

The vocabulary is a small, semantic subset of HTML5, listed in :data:`ELEMENTS`:
which children each element may have, which attributes and which classes. Classes
carry the model's own semantics (``div.question``/``div.answer`` for interviews,
``aside.note`` + ``a.noteref`` for notes, ``span.credit`` in captions, …).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.model.dates import valid_date as valid_date  # re-exported: the model's own check

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: MARC relator codes exporter understands (https://id.loc.gov/vocabulary/relators).
ROLES = {
    "aut": "author",
    "edt": "editor",
    "trl": "translator",
    "ill": "illustrator",
    "pht": "photographer",
    "ivr": "interviewer",
    "ive": "interviewee",
    "ctb": "contributor",
    "com": "compiler",
    "cre": "creator",
    "pbl": "publisher",
    "nrt": "narrator",
    "aui": "author of introduction",
}

RTL_LANGUAGES = {"ar", "fa", "he", "iw", "ur", "yi", "ps", "sd", "ug", "ckb", "dv", "syr"}

_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def valid_language(tag: str) -> bool:
    return bool(_LANG_RE.match(tag))


def direction_of(language: str) -> str:
    primary = language.split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "ltr"


@dataclass
class Contributor:
    name: str
    role: str = "aut"
    file_as: str | None = None


@dataclass
class Metadata:
    """Everything about an article that is not its text."""

    title: str = ""
    subtitle: str | None = None
    contributors: list[Contributor] = field(default_factory=list)
    language: str = "en"
    direction: str | None = None
    date: str | None = None
    modified: str | None = None
    publisher: str | None = None
    publication: str | None = None
    source: str | None = None
    rights: str | None = None
    license: str | None = None
    identifier: str | None = None
    subjects: list[str] = field(default_factory=list)
    description: str | None = None
    collection: str | None = None
    cover: str | None = None

    @property
    def dir(self) -> str:
        return self.direction or direction_of(self.language)

    def names(self, *roles: str) -> list[str]:
        return [c.name for c in self.contributors if c.role in roles]

    def update(self, other: Metadata, only: set[str] | None = None) -> None:
        """Copy every field that ``other`` sets (non-empty) onto this metadata."""
        for item in fields(self):
            if only is not None and item.name not in only:
                continue
            value = getattr(other, item.name)
            if value not in (None, "", []):
                setattr(self, item.name, copy.deepcopy(value))


#: Metadata field names as written in sidecar files and the model's <meta> elements.
META_KEYS = [f.name for f in fields(Metadata)]


@dataclass
class Article:
    """One article: metadata + body. ``root`` is the folder its resources may come from."""

    meta: Metadata
    body: etree._Element
    source: Path
    root: Path
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    #: the output name when it is not the source's (e.g. an unpacked EPUB folder named src/)
    name: str | None = None

    @property
    def stem(self) -> str:
        if self.name:
            return self.name
        name = self.source.name
        for suffix in (".article.xhtml",):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return self.source.stem if self.source.is_file() or self.source.suffix else self.source.name

    def text_blocks(self) -> list[str]:
        """The article's text blocks (paragraph-like elements), whitespace-normalised;
        a note reference reads as the number every writer gives it (:func:`note_numbers`)."""
        numbers = note_numbers(self.body)
        blocks = (normalize_space(_reading(el, numbers)) for el in self.body.iter(*TEXT_BLOCKS)
                  if not any(a.tag in TEXT_BLOCKS for a in el.iterancestors()))
        return [block for block in blocks if block]


TEXT_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "figcaption", "caption",
               "th", "td", "pre")


def text_of(element: etree._Element) -> str:
    return "".join(element.itertext())


def is_noteref(element: etree._Element) -> bool:
    return element.tag == "a" and "noteref" in (element.get("class") or "").split()


def note_numbers(body: etree._Element) -> dict[str, int]:
    """The number of each note, as every output shows it: notes are numbered in the order
    of their first reference (references to what is not a note count for nothing)."""
    notes = {el.get("id") for el in body.iter("aside") if "note" in (el.get("class") or "").split()}
    numbers: dict[str, int] = {}
    for a in body.iter("a"):
        key = (a.get("href") or "")[1:]
        if is_noteref(a) and key in notes and key not in numbers:
            numbers[key] = len(numbers) + 1
    return numbers


def _reading(element: etree._Element, numbers: dict[str, int]) -> str:
    """The element's text with each note reference read as its number."""
    if is_noteref(element):
        key = (element.get("href") or "")[1:]
        return str(numbers[key]) if key in numbers else text_of(element)
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_reading(child, numbers))
        parts.append(child.tail or "")
    return "".join(parts)


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def slugify(text: str) -> str:
    """A readable id from heading text (keeps letters of every script)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text)
    slug = re.sub(r"[^\w]+", "-", text).strip("-_")
    if not slug or not (slug[0].isalpha()):
        slug = "s-" + slug if slug else "section"
    return slug[:60].rstrip("-")


# ---------------------------------------------------------------------------------
# The vocabulary
# ---------------------------------------------------------------------------------

PHRASING = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img",
    "ins", "kbd", "mark", "q", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr", "math",
})
BLOCKS = frozenset({
    "section", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "aside", "figure", "table",
    "ul", "ol", "dl", "pre", "hr", "div", "math",
})
FLOW = PHRASING | BLOCKS

GLOBAL_ATTRS = frozenset({"id", "lang", "dir", "class", "title"})


@dataclass(frozen=True)
class Rule:
    children: frozenset[str]
    text: bool = False
    attrs: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()


def _rule(children: Iterable[str] = (), text: bool = False, attrs: Iterable[str] = (),
          classes: Iterable[str] = (), required: Iterable[str] = ()) -> Rule:
    return Rule(frozenset(children), text, frozenset(attrs), frozenset(classes), frozenset(required))


ELEMENTS: dict[str, Rule] = {
    "article": _rule(BLOCKS),
    "section": _rule(BLOCKS, classes={"abstract", "acknowledgments", "appendix", "references",
                                      "interview", "chapter", "part", "sub-article", "bibliography",
                                      "glossary", "preface", "epigraph", "dedication", "colophon"}),
    **{f"h{level}": _rule(PHRASING, text=True) for level in range(2, 7)},
    "p": _rule(PHRASING, text=True, classes={"lead", "attribution", "verse-line", "continued",
                                             "signature", "dateline"}),
    "blockquote": _rule(BLOCKS, attrs={"cite"}, classes={"verse", "epigraph"}),
    "aside": _rule(BLOCKS, classes={"note", "sidebar", "pullquote"}),
    "div": _rule(BLOCKS, attrs={"data-speaker"},
                 classes={"lead", "question", "answer", "verse", "stanza", "box", "epigraph"}),
    "figure": _rule({"img", "figcaption", "table", "pre", "math", "blockquote", "p"}),
    "figcaption": _rule(PHRASING | {"p"}, text=True),
    "table": _rule({"caption", "colgroup", "thead", "tbody", "tfoot", "tr"}),
    "caption": _rule(PHRASING | {"p"}, text=True),
    "colgroup": _rule({"col"}, attrs={"span"}),
    "col": _rule((), attrs={"span"}),
    "thead": _rule({"tr"}),
    "tbody": _rule({"tr"}),
    "tfoot": _rule({"tr"}),
    "tr": _rule({"th", "td"}),
    "th": _rule(PHRASING | {"p", "ul", "ol"}, text=True, attrs={"colspan", "rowspan", "scope", "headers"}),
    "td": _rule(PHRASING | {"p", "ul", "ol"}, text=True, attrs={"colspan", "rowspan", "headers"}),
    "ul": _rule({"li"}),
    "ol": _rule({"li"}, attrs={"start", "reversed", "type"}, classes={"references"}),
    "li": _rule(FLOW, text=True, attrs={"value"}),
    "dl": _rule({"dt", "dd"}),
    "dt": _rule(PHRASING, text=True),
    "dd": _rule(FLOW, text=True),
    "pre": _rule({"code", "span", "em", "strong", "b", "i", "br", "sub", "sup"}, text=True),
    "hr": _rule((), classes={"break"}),
    # phrasing
    "a": _rule(PHRASING - {"a"}, text=True, attrs={"href", "hreflang", "rel"}, classes={"noteref"}),
    "abbr": _rule(PHRASING, text=True),
    "b": _rule(PHRASING, text=True),
    "bdi": _rule(PHRASING, text=True),
    "bdo": _rule(PHRASING, text=True, required={"dir"}),
    "br": _rule(()),
    "cite": _rule(PHRASING, text=True),
    "code": _rule(PHRASING, text=True),
    "del": _rule(PHRASING, text=True, attrs={"datetime"}),
    "dfn": _rule(PHRASING, text=True),
    "em": _rule(PHRASING, text=True),
    "i": _rule(PHRASING, text=True),
    "img": _rule((), attrs={"src", "alt", "width", "height"}, classes={"inline"}, required={"src"}),
    "ins": _rule(PHRASING, text=True, attrs={"datetime"}),
    "kbd": _rule(PHRASING, text=True),
    "mark": _rule(PHRASING, text=True),
    "q": _rule(PHRASING, text=True, attrs={"cite"}),
    "ruby": _rule({"rb", "rt", "rp"} | PHRASING, text=True),
    "rb": _rule(PHRASING, text=True),
    "rt": _rule(PHRASING, text=True),
    "rp": _rule((), text=True),
    "s": _rule(PHRASING, text=True),
    "samp": _rule(PHRASING, text=True),
    "small": _rule(PHRASING, text=True),
    "span": _rule(PHRASING, text=True, classes={"credit", "editorial", "smallcaps", "speaker",
                                                "missing-image", "name", "foreign"}),
    "strong": _rule(PHRASING, text=True),
    "sub": _rule(PHRASING, text=True),
    "sup": _rule(PHRASING, text=True),
    "time": _rule(PHRASING, text=True, attrs={"datetime"}),
    "u": _rule(PHRASING, text=True),
    "var": _rule(PHRASING, text=True),
    "wbr": _rule(()),
}

# ---------------------------------------------------------------------------------
# Attribute values: what HTML (and EPUBCheck's schema for EPUB 3) allows
# ---------------------------------------------------------------------------------

_DATE = r"[0-9]{4,}-[0-9]{2}-[0-9]{2}"
_TIME = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?"
_DATETIME = rf"{_DATE}[T ]{_TIME}(Z|[+-][0-9]{{2}}:?[0-9]{{2}})?"
_DURATION = (r"P[0-9]+D|P([0-9]+D)?T(([0-9]+H)([0-9]+M)?([0-9]+(\.[0-9]{1,3})?S)?|([0-9]+H)?([0-9]+M)"
             r"([0-9]+(\.[0-9]{1,3})?S)?|([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]{1,3})?S))"
             r"|( *(([0-9]+ *[WDHM])|([0-9]+(\.[0-9]{1,3})? *S)) *)+")
#: ``del``/``ins``: a date, or a date and time; ``time``: any of HTML's dates, times and durations
_EDIT_DATETIME = re.compile(rf"{_DATE}|{_DATETIME}")
_TIME_DATETIME = re.compile("|".join([r"[0-9]{4,}-[0-9]{2}", _TIME, r"(--)?(0[0-9]|1[0-2])-(0[0-9]|[1-2][0-9]|3[0-1])",
                                      _DURATION, r"[0-9]{4,}-W[0-9]{2}", r"[0-9]{4}", _DATE, _DATETIME]))
_INTEGER = re.compile(r"-?[0-9]+")
#: whole numbers: (least, greatest) HTML allows (colspan ≤ 1000, rowspan ≤ 65534; a list's
#: start and an item's value are any integer, kept within what browsers count)
NUMBER_RANGES = {"colspan": (1, 1000), "rowspan": (0, 65534), "span": (1, 1000), "width": (0, 2 ** 31 - 1),
                 "height": (0, 2 ** 31 - 1), "start": (-(2 ** 31), 2 ** 31 - 1), "value": (-(2 ** 31), 2 ** 31 - 1)}
#: attributes whose value is one of a few words
ENUMERATED = {"scope": ("row", "col", "rowgroup", "colgroup"), "reversed": ("", "reversed"),
              "type": ("1", "a", "A", "i", "I"), "dir": ("ltr", "rtl", "auto")}


def valid_attribute(tag: str, name: str, value: str) -> bool:
    """Whether HTML allows ``value`` for the model attribute ``name`` on ``tag`` (attributes
    without a rule here hold any text, or are checked elsewhere: href, src, cite, id, class)."""
    if name in NUMBER_RANGES:
        least, greatest = NUMBER_RANGES[name]
        return bool(_INTEGER.fullmatch(value)) and least <= int(value) <= greatest
    if name in ENUMERATED:
        return value in ENUMERATED[name]
    if name == "datetime":
        return bool((_TIME_DATETIME if tag == "time" else _EDIT_DATETIME).fullmatch(value))
    if name in ("lang", "hreflang"):
        return valid_language(value)
    return True


TABLE_ORDER = re.compile(r"c?g*h?(b*|r+)f?")
_TABLE_PART = {"caption": "c", "colgroup": "g", "thead": "h", "tbody": "b", "tr": "r", "tfoot": "f"}


def table_order_ok(table: etree._Element) -> bool:
    """HTML's order of a table's parts: caption, colgroups, thead, tbodies or rows, tfoot."""
    parts = "".join(_TABLE_PART.get(c.tag, "?") for c in table if isinstance(c.tag, str))
    return TABLE_ORDER.fullmatch(parts) is not None


def attribute_rule(name: str) -> str:
    """What ``name`` may hold, in words (for hints)."""
    if name in NUMBER_RANGES:
        return "a whole number from {} to {}".format(*NUMBER_RANGES[name])
    if name in ENUMERATED:
        return "one of " + ", ".join(f"'{v}'" for v in ENUMERATED[name])
    if name == "datetime":
        return "an ISO date (2024-05-02), or date and time (2024-05-02T10:30Z); <time> also a time or duration"
    return "a BCP 47 language tag such as en or pt-BR"


#: URL schemes allowed in links; images and other resources are local or data: only.
#: the presentation MathML the model keeps (importers reduce MathML to it: importers.mathml)
MATHML_TOKENS = frozenset({"mi", "mn", "mo", "ms", "mtext"})
MATHML_ELEMENTS = MATHML_TOKENS | frozenset({
    "math", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom",
    "mfenced", "menclose", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mtable", "mtr", "mlabeledtr", "mtd", "maligngroup", "malignmark", "mstack",
    "mlongdiv", "msgroup", "msrow", "mscarries", "mscarry", "msline", "semantics", "annotation",
})
MATHML_ATTRS = frozenset({
    "display", "alttext", "mathvariant", "mathsize", "dir", "displaystyle", "scriptlevel", "fence",
    "separator", "stretchy", "symmetric", "largeop", "movablelimits", "accent", "accentunder", "lspace",
    "rspace", "minsize", "maxsize", "form", "linethickness", "numalign", "denomalign", "bevelled", "open",
    "close", "separators", "notation", "columnalign", "rowalign", "columnspan", "rowspan", "columnlines",
    "rowlines", "frame", "framespacing", "equalrows", "equalcolumns", "columnspacing", "rowspacing", "width",
    "height", "depth", "voffset", "align", "side", "minlabelspacing", "encoding", "lquote", "rquote",
    "linebreak", "indentalign", "charalign", "stackalign", "position", "shift", "location", "crossout",
    "longdivstyle", "decimalpoint", "subscriptshift", "superscriptshift",
})

LINK_SCHEMES = frozenset({"http", "https", "mailto", "doi", "urn"})


def qualify(element: etree._Element) -> etree._Element:
    """A copy of ``element`` with the XHTML namespace on every un-namespaced element."""
    result = copy.deepcopy(element)
    for el in result.iter(etree.Element):
        if isinstance(el.tag, str) and not el.tag.startswith("{"):
            el.tag = f"{{{XHTML_NS}}}{el.tag}"
    return result


def unqualify(element: etree._Element) -> etree._Element:
    """Strip the XHTML namespace in place (MathML and others keep theirs)."""
    prefix = f"{{{XHTML_NS}}}"
    for el in element.iter(etree.Element):
        if isinstance(el.tag, str) and el.tag.startswith(prefix):
            el.tag = el.tag[len(prefix):]
    etree.cleanup_namespaces(element)
    return element


def new_article() -> etree._Element:
    return etree.Element("article")
