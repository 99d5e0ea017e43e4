"""What an EPUB's accessibility metadata claims holds: the conformance claim
(``dcterms:conformsTo``) only when every rule exporter can check passes — the rules
the writer checked before making it (:mod:`exporter.writers.epub.conformance`), run
again on the documents read back from the EPUB — and each declared feature, access
mode and hazard true of the content.

An EPUB that claims conformance and breaks a rule fails (``claim-unmet``), as does a
feature that the content does not have (``feature-unmet``); an EPUB that claims nothing
gets the reasons as information, which never fails.
"""

from __future__ import annotations

import io
import posixpath
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from exporter.diagnostics import Severity
from exporter.model import EPUB_NS, MATHML_NS, XHTML_NS
from exporter.safety.xml import parse_xml
from exporter.safety.zip import SafeZip
from exporter.writers.epub.conformance import Publication, shortfalls

from .result import Finding

__all__ = ["check", "read"]

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
X = f"{{{XHTML_NS}}}"
_NS = {"opf": OPF, "dc": DC}


class Package:
    """An EPUB read back: its metadata properties and the publication the rules look at."""

    def __init__(self, properties: dict[str, list[str]], publication: Publication, animated: bool) -> None:
        self.properties, self.publication, self.animated = properties, publication, animated

    def values(self, name: str) -> list[str]:
        return self.properties.get(name, [])


def read(path: Path) -> Package:
    """The package document's properties, the spine's documents and the navigation document."""
    from PIL import Image

    with SafeZip(path) as book:
        container = parse_xml(book.read("META-INF/container.xml"), "META-INF/container.xml").getroot()
        opf_name = container.xpath("string(//*[local-name()='rootfile']/@full-path)")
        opf = parse_xml(book.read(opf_name), opf_name).getroot()
        base = posixpath.dirname(opf_name)
        properties: dict[str, list[str]] = {}
        for meta in opf.iterfind("opf:metadata/opf:meta[@property]", _NS):
            properties.setdefault(meta.get("property", ""), []).append((meta.text or "").strip())
        language = opf.findtext("opf:metadata/dc:language", "", _NS).strip()
        items = {item.get("id"): item for item in opf.iterfind("opf:manifest/opf:item", _NS)}

        def href(item: etree._Element) -> str:
            return posixpath.normpath(unquote(item.get("href", "")))

        def document(name: str) -> etree._Element:
            full = posixpath.join(base, name) if base else name
            return parse_xml(book.read(full), full).getroot()

        documents = [(href(items[ref]), document(href(items[ref])))
                     for ref in opf.xpath("opf:spine/opf:itemref/@idref", namespaces=_NS) if ref in items]
        nav_item = next((i for i in items.values() if "nav" in (i.get("properties") or "").split()), None)
        nav_href = href(nav_item) if nav_item is not None else ""
        nav = document(nav_href) if nav_item is not None else etree.Element(f"{X}html")
        animated = False
        for item in items.values():
            if item.get("media-type") in ("image/gif", "image/png", "image/webp"):
                name = posixpath.join(base, href(item)) if base else href(item)
                try:
                    with Image.open(io.BytesIO(book.read(name))) as image:
                        animated = animated or bool(getattr(image, "is_animated", False))
                except (OSError, ValueError, Image.DecompressionBombError):
                    continue
    publication = Publication(language, documents, nav_href, nav,
                              page_break_source=bool(properties.get("pageBreakSource")))
    return Package(properties, publication, animated)


def check(path: Path) -> list[Finding]:
    """Findings about the accessibility claims of the EPUB at ``path``."""
    package = read(path)
    pub = package.publication
    found: list[Finding] = []
    broken = shortfalls(pub)
    if package.animated and "none" in package.values("schema:accessibilityHazard"):
        found.append(Finding(Severity.ERROR, "the hazard 'none' is declared, but there are animated images",
                             "feature-unmet", "content.opf"))
        broken.append("animated images not checked for flashing")
    claims = package.values("dcterms:conformsTo")
    if claims:
        found += [Finding(Severity.ERROR, f"conformance is claimed ({claims[0]}), but {reason}", "claim-unmet",
                          "content.opf") for reason in broken]
    elif broken:
        found.append(Finding(Severity.INFO, "no accessibility conformance claimed: " + "; ".join(broken),
                             "no-claim", "content.opf"))
    features = set(package.values("schema:accessibilityFeature"))
    for feature, holds in _features(pub).items():
        if feature in features and not holds:
            found.append(Finding(Severity.ERROR, f"the feature {feature} is declared, but the content does not "
                                 "have it", "feature-unmet", "content.opf"))
    if "printPageNumbers" in features:
        found.append(Finding(Severity.WARNING, "printPageNumbers is deprecated: declare pageBreakMarkers and "
                             "pageNavigation", "deprecated-feature", "content.opf"))
    if "textual" in package.values("schema:accessModeSufficient") and any(
            "image" in reason and "alternative" in reason for reason in broken):
        found.append(Finding(Severity.ERROR, "textual is declared a sufficient access mode, but images have no "
                             "alternative text", "feature-unmet", "content.opf"))
    return found


def _features(pub: Publication) -> dict[str, bool]:
    """Whether the content has each feature that can be checked."""
    content = [root for _, root in pub.documents]
    imgs = [img for root in content for img in root.iter(f"{X}img") if img.get("alt") != ""]
    maths = [m for root in content for m in root.iter(f"{{{MATHML_NS}}}math")]
    navs = {kind: len(nav.findall(f".//{X}a")) for nav in pub.nav.iter(f"{X}nav")
            for kind in (nav.get(f"{{{EPUB_NS}}}type") or "").split()}
    pagebreaks = any(el.get("role") == "doc-pagebreak" or "pagebreak" in (el.get(f"{{{EPUB_NS}}}type") or "").split()
                     for root in content for el in root.iter(etree.Element))
    return {
        "alternativeText": bool(imgs) and all((img.get("alt") or "").strip() for img in imgs),
        "pageBreakMarkers": pagebreaks,
        "printPageNumbers": pagebreaks,
        "pageNavigation": navs.get("page-list", 0) > 0,
        "tableOfContents": navs.get("toc", 0) > 0,
        "MathML": bool(maths),
        "describedMath": bool(maths) and all((m.get("alttext") or "").strip()
                                             or m.find(f".//{{{MATHML_NS}}}annotation") is not None for m in maths),
        "structuralNavigation": any(True for root in content
                                    for _ in root.iter(*(f"{X}h{n}" for n in range(1, 7)))),
    }
