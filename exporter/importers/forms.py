"""Form controls in HTML-like sources, made text: print and e-books cannot hold them.

A part of :class:`exporter.importers.sanitize.Sanitizer`: check boxes and radio buttons
become ☐/☑ and ○/◉ (S041), a text box (``<textarea>``) keeps its text (S041), other
inputs are removed (S005)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from exporter.model.tree import append_text

__all__ = ["Forms"]


class Forms:
    """The form methods of the sanitiser (it provides ``_report``)."""

    if TYPE_CHECKING:
        def _report(self, code: str, key: str, message: str, line: int | None, hint: str) -> None: ...

    def _form_control(self, el: etree._Element, name: str, target: etree._Element) -> None:
        if name == "textarea":
            self._textarea(el, target)
        else:
            self._input(el, target)

    def _input(self, el: etree._Element, target: etree._Element) -> None:
        kind = (el.get("type") or "text").lower()
        if kind in ("checkbox", "radio"):
            checked = el.get("checked") is not None
            mark = {"checkbox": "☑" if checked else "☐", "radio": "◉" if checked else "○"}[kind]
            append_text(target, mark + " ")
            self._report("S041", "input", f"{kind} shown as the character {mark}", el.sourceline,
                         "print and e-books cannot hold form controls")
            return
        self._report("S005", "input-other", f"<input type=\"{kind}\"> removed", el.sourceline,
                     "print and e-books cannot hold form controls")

    def _textarea(self, el: etree._Element, target: etree._Element) -> None:
        """A text box shows its text: kept, as a block when it has lines of its own."""
        text = "".join(el.itertext()).strip("\n")
        self._report("S041", "textarea", "text box shown as its text; the form control removed", el.sourceline,
                     "print and e-books cannot hold form controls")
        if not text.strip():
            return
        if "\n" in text:
            pre = etree.SubElement(target, "pre")
            if el.sourceline:
                pre.sourceline = el.sourceline
            pre.text = text
        else:
            append_text(target, text)
