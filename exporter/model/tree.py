"""Small lxml helpers for moving mixed content, used by importers, transforms and writers.

In lxml a run of text belongs either to the parent (``parent.text``, before the first child) or to
the element before it (``previous.tail``). Code that removes, unwraps or appends to elements has to
pick the right one each time; these helpers are the one place where that choice is made.
"""

from __future__ import annotations

from lxml import etree


def append_text(parent: etree._Element, text: str | None) -> None:
    """Add ``text`` at the end of ``parent``'s content (after its last child)."""
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def text_before(el: etree._Element, text: str | None) -> None:
    """Add ``text`` right before ``el`` (to the previous sibling's tail or the parent's text)."""
    if not text:
        return
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = el.getparent()
        parent.text = (parent.text or "") + text


def remove_keep_tail(el: etree._Element, keep_blank: bool = True) -> None:
    """Remove ``el`` and its content; the text after it stays where it was.

    With ``keep_blank=False`` a tail of whitespace only is dropped with the element (used where the
    removed element stood on a line of its own, so its tail is only indentation)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and (keep_blank or el.tail.strip()):
        text_before(el, el.tail)
    parent.remove(el)


def unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content: its text, children and tail stay in place, in order."""
    parent = el.getparent()
    index = parent.index(el)
    text_before(el, el.text)
    for offset, child in enumerate(list(el)):
        parent.insert(index + offset, child)
    remove_keep_tail(el)
