"""The allowlist sanitiser: arbitrary (X)HTML into the article model's vocabulary.

Shared by the Markdown importer (for raw HTML), the web HTML importer and the EPUB
importer. Nothing passes because it is there; everything is mapped:

* model elements pass with the attributes the model allows for them (``id``, ``lang``,
  ``dir``, ``title``, and per element ``href``, ``src``/``alt``, ``colspan`` …); classes
  pass only when they mean something in the model (``pquote`` → ``aside.pullquote``,
  EPUB ``epub:type`` and ARIA ``role`` semantics → ``section.chapter``, notes …);
* scripts, event handlers (``on*``), frames, objects, embeds, ``<base>`` and ``<link>``
  never pass (**S005**); forms go, their labels stay, and check boxes become ☐/☑ (**S041**);
* navigation, styles, inline SVG, audio and video are left out (**S021**);
* links keep only safe schemes; ``javascript:``/``data:``/``vbscript:`` links lose their
  ``href`` (**S005**); relative links to other pages become text (**S025**) unless the
  page's own URL is known; images go through :class:`~.assets.Assets`;
* any other element is unwrapped: its text stays, and **S020** names it once per
  document with the line where it first appears;
* note references and notes (EPUB ``noteref``/``footnote``, ARIA ``doc-noteref``,
  Markdown and kramdown footnote markup) become ``a.noteref`` and ``aside.note``;
* verse (``z3998:poem``/``verse``, ``.poem``/``.verse``/``.stanza``) becomes stanzas of
  ``p.verse-line``.

:func:`exporter.importers.finish.finish` then repairs nesting so the article validates.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from exporter.diagnostics import Diagnostics
from exporter.importers.assets import Assets
from exporter.importers.forms import Forms
from exporter.importers.mathml import clean_math
from exporter.importers.verse import Verse
from exporter.model import (
    ELEMENTS,
    EPUB_NS,
    GLOBAL_ATTRS,
    LINK_SCHEMES,
    MATHML_NS,
    NUMBER_RANGES,
    XML_LANG,
    Rule,
    valid_language,
)
from exporter.model.links import allowed_link, normalized, scheme_of, web_url
from exporter.model.tree import append_text

__all__ = ["Sanitizer", "local_name", "semantics_of"]

EPUB_TYPE = f"{{{EPUB_NS}}}type"
SVG_NS = "http://www.w3.org/2000/svg"

UNSAFE = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "portal",
          "param"}
NON_CONTENT = {"nav", "style", "template", "canvas", "audio", "video", "source", "track", "map", "area",
               "dialog", "button", "select", "textarea", "datalist", "output", "progress", "meter", "meta",
               "title", "head", "noembed", "noframes", "slot", "svg", "option", "optgroup"}
#: inline wrappers whose content simply continues the text
UNWRAP = {"font", "big", "nobr", "blink", "marquee", "label", "picture", "rtc", "basefont", "html", "body"}
#: block wrappers: kept as a plain div (so their content stays a block of its own), then
#: dissolved by finish() where that changes nothing
BLOCK_WRAPPERS = {"main", "header", "footer", "form", "noscript", "search", "center", "hgroup", "address",
                  "details", "fieldset", "div"}
SYNONYMS = {"article": "section", "strike": "s", "acronym": "abbr", "tt": "code", "listing": "pre",
            "xmp": "pre", "plaintext": "pre", "menu": "ul", "dir": "ul", "legend": "p", "summary": "p",
            **dict.fromkeys(BLOCK_WRAPPERS, "div")}
#: source class / epub:type / role token -> (model tag or None for "same", model class)
SEMANTICS: dict[str, tuple[str | None, str]] = {
    # pull quotes, sidebars, attributions
    "pquote": ("aside", "pullquote"), "pullquote": ("aside", "pullquote"), "pull-quote": ("aside", "pullquote"),
    "doc-pullquote": ("aside", "pullquote"),
    "sidebar": ("aside", "sidebar"), "boxed-text": ("aside", "sidebar"), "callout": ("aside", "sidebar"),
    "box": (None, "box"),
    "pquote-credit": ("p", "attribution"), "attribution": ("p", "attribution"), "quote-credit": ("p", "attribution"),
    "credit": ("span", "credit"), "doc-credit": ("span", "credit"),
    "lead": (None, "lead"), "standfirst": (None, "lead"), "dek": (None, "lead"), "deck": (None, "lead"),
    "dateline": ("p", "dateline"), "signature": ("p", "signature"),
    "smallcaps": ("span", "smallcaps"), "small-caps": ("span", "smallcaps"), "sc": ("span", "smallcaps"),
    "question": ("div", "question"), "answer": ("div", "answer"),
    # parts of books and articles
    "chapter": ("section", "chapter"), "doc-chapter": ("section", "chapter"), "part": ("section", "part"),
    "doc-part": ("section", "part"), "preface": ("section", "preface"), "foreword": ("section", "preface"),
    "introduction": ("section", "preface"), "prologue": ("section", "preface"), "doc-preface": ("section", "preface"),
    "doc-foreword": ("section", "preface"), "doc-introduction": ("section", "preface"),
    "epigraph": (None, "epigraph"), "doc-epigraph": (None, "epigraph"),
    "dedication": ("section", "dedication"), "doc-dedication": ("section", "dedication"),
    "appendix": ("section", "appendix"), "doc-appendix": ("section", "appendix"),
    "bibliography": ("section", "bibliography"), "doc-bibliography": ("section", "bibliography"),
    "glossary": ("section", "glossary"), "doc-glossary": ("section", "glossary"),
    "acknowledgments": ("section", "acknowledgments"), "doc-acknowledgments": ("section", "acknowledgments"),
    "abstract": ("section", "abstract"), "doc-abstract": ("section", "abstract"),
    "colophon": ("section", "colophon"), "doc-colophon": ("section", "colophon"),
    "imprint": ("section", "colophon"), "copyright-page": ("section", "colophon"),
    "afterword": ("section", "appendix"), "doc-afterword": ("section", "appendix"),
    "epilogue": ("section", "chapter"), "doc-epilogue": ("section", "chapter"),
    "conclusion": ("section", "chapter"), "doc-conclusion": ("section", "chapter"),
}
VERSE = {"z3998:poem", "z3998:verse", "z3998:song", "z3998:hymn", "poem", "verse", "poetry"}
NOTEREF = {"noteref", "doc-noteref", "footnote-ref", "footnote-reference"}
#: classes of a <sup> whose one link is a note reference (Markdown processors, MediaWiki)
NOTEREF_SUP = {"footnote-ref", "reference", "footnote"}
NOTE = {"footnote", "endnote", "note", "rearnote", "doc-footnote", "doc-endnote", "footnote-item"}
NOTES_CONTAINER = {"footnotes", "endnotes", "rearnotes", "doc-endnotes", "doc-footnotes", "footnotes-list",
                   "footnotes-sep"}
BACKLINK = {"backlink", "doc-backlink", "footnote-backref", "reversefootnote", "footnote-back", "mw-cite-backlink"}
DROP = {"pagebreak", "doc-pagebreak", "doc-toc", "toc", "navigation", "banner", "contentinfo", "search",
        "landmarks", "loi", "lot", "page-list", "doc-pagelist"}
#: classes of site furniture inside articles (share buttons, related posts, newsletters, ads)
FURNITURE = {"sharedaddy", "share", "sharing", "share-buttons", "social-share", "social", "jp-relatedposts",
             "related-posts", "newsletter", "newsletter-signup", "advertisement", "ad", "ads", "adsbygoogle",
             "comments", "comment-respond", "mw-editsection", "noprint", "print-hidden"}
SAFE_REL = {"license", "author", "external", "nofollow", "noopener", "noreferrer", "bookmark", "tag", "help",
            "cite", "me"}
GENERIC_ALT = {"", "image", "img", "picture", "photo", "icon", "logo", "avatar", "spacer", "graphic", "figure"}
_SPACE = re.compile(r"[ \t\n\r\f]+")


def local_name(el: etree._Element) -> str:
    """The element's name without namespace, lower-cased for HTML ('' for comments)."""
    if not isinstance(el.tag, str):
        return ""
    name: str = etree.QName(el).localname
    ns = etree.QName(el).namespace
    return name.lower() if ns in (None, "http://www.w3.org/1999/xhtml") else name


def semantics_of(el: etree._Element, *, classes: bool = True) -> set[str]:
    """The element's semantic tokens: epub:type, role and (unless ``classes=False``) class."""
    tokens = set()
    for value in (el.get(EPUB_TYPE), el.get("role"), el.get("class") if classes else None):
        if value:
            tokens.update(value.lower().split())
    return tokens


@dataclass
class Sanitizer(Verse, Forms):
    """Map (X)HTML into model elements for one source (see the module documentation)."""

    source: Path
    diagnostics: Diagnostics
    assets: Assets
    #: the page's own URL: relative links become absolute links against it
    base_url: str | None = None
    #: optional: map a link's href to the model's href (or None: keep text only)
    link_hook: Callable[[str, int | None], str | None] | None = None
    #: notes found (aside.note elements), in document order; the importer places them
    notes: list[etree._Element] = field(default_factory=list)
    #: ids of note bodies (shared by the sanitisers of one multi-document source)
    note_targets: set[str] = field(default_factory=set)
    _reported: set[str] = field(default_factory=set)

    # -- entry points -------------------------------------------------------------
    def prepare(self, root: etree._Element) -> None:
        """Find the notes in a whole source tree before converting any part of it."""
        for el in root.iter(etree.Element):
            if local_name(el) == "a" and semantics_of(el) & NOTEREF or (
                    local_name(el) == "a" and local_name(el.getparent()) == "sup"
                    and NOTEREF_SUP & semantics_of(el.getparent()) and (el.get("href") or "").startswith("#")):
                href = el.get("href", "")
                if "#" in href:
                    self.note_targets.add(urllib.parse.unquote(href.split("#", 1)[1]))
        for el in root.iter(etree.Element):
            if (semantics_of(el, classes=False) & NOTE or "footnote-item" in semantics_of(el)) and el.get("id"):
                self.note_targets.add(el.get("id"))

    def convert(self, source: etree._Element, target: etree._Element) -> etree._Element:
        """Append the model form of ``source``'s content (text and children) to ``target``."""
        self._content(source, target, verse=False)
        return target

    # -- the walk -----------------------------------------------------------------
    def _content(self, source: etree._Element, target: etree._Element, verse: bool | str) -> None:
        append_text(target, source.text)
        for child in source:
            if isinstance(child.tag, str):
                self._element(child, target, verse)
            append_text(target, child.tail)

    def _report(self, code: str, key: str, message: str, line: int | None, hint: str) -> None:
        if key in self._reported:
            return
        self._reported.add(key)
        self.diagnostics.add(code, message, file=self.source, line=line, hint=hint)

    def _element(self, el: etree._Element, target: etree._Element, verse: bool | str) -> None:
        line = el.sourceline
        namespace = etree.QName(el).namespace
        name = local_name(el)
        if namespace == MATHML_NS or name == "math":
            target.append(clean_math(el))
            return
        if namespace == SVG_NS or name == "svg":
            self._report("S021", "svg", "inline SVG left out (use an <img> pointing at an .svg file)", line,
                         "save the drawing as an .svg file and refer to it with <img>")
            return
        if namespace not in (None, "http://www.w3.org/1999/xhtml"):
            self._unknown(el, f"{{{namespace}}}{name}", target, verse)
            return
        tokens = semantics_of(el)
        strong = semantics_of(el, classes=False)
        if strong & DROP or tokens & BACKLINK:
            if strong & {"pagebreak", "doc-pagebreak"}:
                if el.get("id"):
                    etree.SubElement(target, "span", id=el.get("id"))
                return
            if not tokens & BACKLINK:
                self._report("S021", "furniture", f"page furniture left out (<{name}> "
                             f"{' '.join(sorted(strong & DROP))})", line,
                             "exporter makes its own navigation and page numbers")
            return
        if set((el.get("class") or "").lower().split()) & FURNITURE or (el.get("id") or "").lower() in FURNITURE:
            self._report("S021", "furniture-class", f"page furniture left out (<{name} class=\"{el.get('class')}\">)",
                         line, "exporter keeps the article, not the site's widgets")
            return
        if name in UNSAFE:
            self._report("S005", f"unsafe-{name}", f"<{name}> removed", line,
                         "sources may not run scripts, embed frames or objects, or link other files")
            return
        if name in ("input", "textarea"):
            self._form_control(el, name, target)
            return
        if name == "title" and el.getparent() is not None and local_name(el.getparent()) != "head":
            self._report("S021", "title-in-text", "<title> inside the text left out: browsers do not show it either",
                         line, "a page's title belongs in its <head> or its metadata")
            return
        if name in NON_CONTENT:
            if name not in ("meta", "title", "head", "style", "option", "optgroup"):
                self._report("S021", name, f"<{name}> left out: not article content", line,
                             "describe audio, video or interactive content in the text or a caption")
            elif name == "style":
                self._report("S021", "style", "<style> left out: themes set the look of every output", line,
                             "use a theme (--theme) for styling")
            return
        if name == "form":
            self._report("S041", "form", "form removed; its labels are kept as text", line,
                         "forms cannot work in EPUB or print")
        if tokens & NOTES_CONTAINER and name not in ("a",):
            self._notes_container(el, target, verse)
            return
        if el.get("id") and (strong & NOTE or "footnote-item" in tokens or (
                el.get("id") in self.note_targets and name in ("li", "aside", "div", "p", "section", "dd"))):
            self._note(el, verse)
            return
        if name == "a":
            self._link(el, target, tokens, verse)
            return
        if name == "img":
            self._image(el, target)
            return
        if tokens & VERSE or "stanza" in tokens:
            self._verse(el, name, tokens, target)
            return
        if verse and name == "p":  # a stanza of lines; inside a stanza element, just lines
            self._stanza(el, target, lines_only=verse == "line")
            return
        if name in UNWRAP:
            self._content(el, target, verse)
            return
        mapped = SYNONYMS.get(name, name)
        if "wp-caption" in tokens and name == "div":  # WordPress's figure before HTML5
            mapped = "figure"
        elif "wp-caption-text" in tokens:
            mapped = "figcaption"
        model_class = None
        for token in sorted(tokens):
            if token in SEMANTICS:
                tag, cls = SEMANTICS[token]
                if tag is None or tag == mapped or (tag in ("aside", "section") and mapped in (
                        "div", "section", "aside", "blockquote")):
                    mapped = tag or mapped
                    if cls in ELEMENTS.get(mapped, ELEMENTS["p"]).classes:
                        model_class = cls
                        break
        if mapped == "span" and model_class is None and not (
                el.get("lang") or el.get(XML_LANG) or el.get("dir") or el.get("id") or el.get("title")):
            self._content(el, target, verse)
            return
        if mapped == "aside" and model_class is None:
            model_class = "sidebar"
        rule = ELEMENTS.get(mapped)
        if rule is None and mapped not in ("h1",):
            self._unknown(el, name, target, verse)
            return
        out = etree.SubElement(target, mapped)
        if line:
            out.sourceline = line
        self._attributes(el, out, rule or ELEMENTS["h2"])
        if model_class:
            out.set("class", model_class)
        else:
            own = [c for c in (el.get("class") or "").split() if rule and c in rule.classes
                   and c not in ("note", "noteref")]
            if own:
                out.set("class", " ".join(own))
        self._content(el, out, verse)

    # -- element kinds ------------------------------------------------------------
    def _unknown(self, el: etree._Element, name: str, target: etree._Element, verse: bool | str) -> None:
        self._report("S020", f"unknown-{name}", f"<{name}> is not part of the article model; unwrapped, "
                     "its text kept", el.sourceline, "see docs/model.md for the elements exporter keeps")
        self._content(el, target, verse)

    def _attributes(self, el: etree._Element, out: etree._Element, rule: Rule) -> None:
        allowed = GLOBAL_ATTRS | rule.attrs
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                self._report("S005", f"on-{el.sourceline}", f"event handler {name}= removed", el.sourceline,
                             "sources may not run scripts")
                continue
            if name == XML_LANG:
                name = "lang"
            if name not in allowed or name == "class":
                continue
            value = value.strip()
            if name == "lang":
                if not value:
                    continue
                if not valid_language(value):
                    self._report("S026", f"lang-{value}", f"lang='{value}' is not a language tag; dropped",
                                 el.sourceline, "use a BCP 47 tag such as en, ar or pt-BR")
                    continue
            elif name == "dir":
                value = value.lower()
                if value not in ("ltr", "rtl", "auto"):
                    continue
            elif name in NUMBER_RANGES:
                if not re.fullmatch(r"[+-]?[0-9]+", value):
                    self._report("S026", f"num-{name}-{el.sourceline}", f"{name}='{value[:40]}' is not a number; "
                                 "dropped", el.sourceline, "write a whole number")
                    continue
                least, greatest = NUMBER_RANGES[name]  # what HTML allows: a list may start anywhere
                value = str(max(least, min(int(value), greatest)))
            elif name in ("cite",):
                value = web_url(value) or ""
                if not value:
                    continue
            elif name == "rel":
                value = " ".join(t for t in value.lower().split() if t in SAFE_REL)
                if not value:
                    continue
            elif name in ("href", "src"):
                continue
            out.set(name, value)
        if out.tag == "bdo" and not out.get("dir"):
            out.set("dir", "ltr")

    def _href(self, href: str, line: int | None, quiet: bool = False) -> str | None:
        href = normalized(href)
        if self.link_hook is not None:
            return self.link_hook(href, line)
        if not href:
            return None
        if href.startswith("#"):
            return href if len(href) > 1 else None
        if href.startswith(("//", "\\")):
            href = "https:" + href.replace("\\", "/")
        scheme = scheme_of(href)
        if scheme in ("javascript", "vbscript", "data", "livescript", "file"):
            if not quiet:
                self._report("S005", f"scheme-{line}", f"{scheme}: link removed; its text is kept", line,
                             "links may use http, https, mailto, doi or urn")
            return None
        if scheme in LINK_SCHEMES:
            kept = allowed_link(href)
            if kept is None and not quiet:
                self._report("S025", f"bad-{line}", f"link '{href[:80]}' is not a valid address; its text is kept",
                             line, "fix the address")
            return kept
        if scheme:
            if not quiet:
                self._report("S025", f"scheme-{scheme}", f"{scheme}: link kept as text", line,
                             "links may use http, https, mailto, doi or urn")
            return None
        if getattr(self.assets.settings, "link_documents", False) and self.assets.is_document(href):
            return allowed_link(href, documents=True)  # a book links it to that document's chapter (exporter.book)
        if self.base_url:
            try:
                return allowed_link(urllib.parse.urljoin(self.base_url, href))
            except ValueError:
                return None
        if not quiet:
            self._report("S025", "relative", f"link to '{href[:80]}' (another page or file) kept as text", line,
                         "use absolute https:// links for pages outside the article")
        return None

    def _link(self, el: etree._Element, target: etree._Element, tokens: set[str], verse: bool | str) -> None:
        href = el.get("href")
        if el.get("name") and not el.get("id"):
            el.set("id", el.get("name"))
        if tokens & NOTEREF or (local_name(el.getparent()) == "sup" and NOTEREF_SUP & semantics_of(el.getparent())
                                and (href or "").startswith("#")):
            note = urllib.parse.unquote((href or "").split("#", 1)[-1]) if href else ""
            out = etree.SubElement(target, "a", {"class": "noteref", "href": f"#{note}"})
            if el.sourceline:
                out.sourceline = el.sourceline
            self._content(el, out, verse)  # a marker becomes the note's number; words stay (cleanup.fix_notes)
            return
        out = etree.SubElement(target, "a")
        if el.sourceline:
            out.sourceline = el.sourceline
        self._attributes(el, out, ELEMENTS["a"])
        if href is not None:
            mapped = self._href(href, el.sourceline)
            if mapped:
                out.set("href", mapped)
        self._content(el, out, verse)
        if out.get("href") is None and not out.get("id"):
            out.tag = "span"
            for name in list(out.attrib):
                if name not in ("lang", "dir", "title"):
                    del out.attrib[name]

    def _image(self, el: etree._Element, target: etree._Element) -> None:
        alt = el.get("alt")
        src = (el.get("src") or "").strip()
        lazy = el.get("data-src") or el.get("data-lazy-src") or el.get("data-original")
        if lazy and (not src or src.startswith("data:")):  # lazy loading: the placeholder is not the image
            src = lazy
        src = self.assets.image(src, el.sourceline)
        if src is None:
            text = _SPACE.sub(" ", alt or "").strip()
            if text.lower() in GENERIC_ALT:
                return
            if _text_around(el):
                span = etree.SubElement(target, "span", {"class": "missing-image"})
                span.text = f"[{text}]"
            elif not self._captioned(el):
                figure = target if target.tag == "figure" else etree.SubElement(target, "figure")
                etree.SubElement(figure, "figcaption").text = text  # a picture on its own: its description stays
            return
        out = etree.SubElement(target, "img", {"src": src})
        if el.sourceline:
            out.sourceline = el.sourceline
        if alt is not None:
            out.set("alt", _SPACE.sub(" ", alt).strip())
        for name in ("width", "height"):
            value = (el.get(name) or "").strip().removesuffix("px")
            if value.isdigit():
                out.set(name, value)
        for name in ("id", "title", "lang", "dir"):
            if el.get(name):
                out.set(name, el.get(name))
        if "gaiji" in semantics_of(el) or "inline" in semantics_of(el):
            out.set("class", "inline")

    @staticmethod
    def _captioned(img: etree._Element) -> bool:
        """Whether the image's figure (HTML5 or WordPress) has a caption of its own."""
        for holder in (img.getparent(), img.getparent().getparent() if img.getparent() is not None else None):
            if holder is None:
                continue
            if any(local_name(c) == "figcaption" or "wp-caption-text" in semantics_of(c) for c in holder):
                return True
        return False

    def _note(self, el: etree._Element, verse: bool | str) -> None:
        note = etree.Element("aside", {"class": "note", "id": el.get("id")})
        if el.sourceline:
            note.sourceline = el.sourceline
        language = el.get("lang") or el.get(XML_LANG)
        if language and valid_language(language):
            note.set("lang", language)
        if el.get("dir") in ("ltr", "rtl"):
            note.set("dir", el.get("dir"))
        self._content(el, note, verse)
        self.notes.append(note)

    def _notes_container(self, el: etree._Element, target: etree._Element, verse: bool | str) -> None:
        """A footnotes/endnotes section: its items become notes; its own heading and rules go
        (writers make their own notes section); anything else in it is kept."""
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = local_name(child)
            if name in ("h1", "h2", "h3", "h4", "h5", "h6", "hr", "header", "hgroup") or (
                    semantics_of(child) & BACKLINK):
                continue
            if child.get("id") and (name == "li" or child.get("id") in self.note_targets
                                    or semantics_of(child, classes=False) & NOTE):
                self._note(child, verse)
            elif name in ("ol", "ul", "div", "section", "dl"):
                self._notes_container(child, target, verse)
            else:
                self._element(child, target, verse)


def _text_around(el: etree._Element) -> bool:
    """Whether an image sits in running text (non-blank text right before or after it)."""
    parent = el.getparent()
    before = el.getprevious()
    text_before = (before.tail if before is not None else parent.text if parent is not None else "") or ""
    return bool(text_before.strip() or (el.tail or "").strip())
