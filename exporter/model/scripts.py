"""Writing systems of text and languages: which script a character is in, which scripts
a language is written in, and which scripts belong to one language only.

Shared by the transform that marks passages in another script (:mod:`exporter.transforms`)
and the accessibility rules that check them (:mod:`exporter.writers.epub.conformance`).
"""

from __future__ import annotations

import bisect

__all__ = ["script_of", "runs", "scripts_of", "language_of_script", "RTL_SCRIPTS", "Run", "CJK_FAMILY"]

#: (first code point, last code point, script); characters outside are "Common" (digits,
#: punctuation, symbols, spaces) and belong to no script
_RANGES: list[tuple[int, int, str]] = sorted([
    (0x41, 0x5A, "Latin"), (0x61, 0x7A, "Latin"), (0xAA, 0xAA, "Latin"), (0xBA, 0xBA, "Latin"),
    (0xC0, 0xD6, "Latin"), (0xD8, 0xF6, "Latin"), (0xF8, 0x24F, "Latin"), (0x1E00, 0x1EFF, "Latin"),
    (0xFF21, 0xFF3A, "Latin"), (0xFF41, 0xFF5A, "Latin"),
    (0x370, 0x3FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
    (0x400, 0x52F, "Cyrillic"), (0x531, 0x58F, "Armenian"), (0x591, 0x5F4, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"),
    (0x600, 0x6FF, "Arabic"), (0x750, 0x77F, "Arabic"), (0x8A0, 0x8FF, "Arabic"), (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"), (0x700, 0x74F, "Syriac"), (0x780, 0x7BF, "Thaana"),
    (0x900, 0x97F, "Devanagari"), (0x980, 0x9FF, "Bengali"), (0xA00, 0xA7F, "Gurmukhi"), (0xA80, 0xAFF, "Gujarati"),
    (0xB00, 0xB7F, "Oriya"), (0xB80, 0xBFF, "Tamil"), (0xC00, 0xC7F, "Telugu"), (0xC80, 0xCFF, "Kannada"),
    (0xD00, 0xD7F, "Malayalam"), (0xD80, 0xDFF, "Sinhala"), (0xE00, 0xE7F, "Thai"), (0xE80, 0xEFF, "Lao"),
    (0xF00, 0xFFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"), (0x10A0, 0x10FF, "Georgian"),
    (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
    (0x1200, 0x139F, "Ethiopic"), (0x1780, 0x17FF, "Khmer"),
    (0x3041, 0x3096, "Hiragana"), (0x309D, 0x309F, "Hiragana"), (0x30A1, 0x30FA, "Katakana"),
    (0x30FD, 0x30FF, "Katakana"), (0x31F0, 0x31FF, "Katakana"), (0xFF66, 0xFF9D, "Katakana"),
    (0x3005, 0x3007, "Han"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"),
    (0x20000, 0x2FFFF, "Han"), (0x3100, 0x312F, "Bopomofo"),
])
_STARTS = [r[0] for r in _RANGES]

#: scripts written right to left
RTL_SCRIPTS = frozenset({"Hebrew", "Arabic", "Syriac", "Thaana"})

_CJK = ("Han", "Hiragana", "Katakana", "Bopomofo", "Hangul")
#: the scripts a language is written in (its primary subtag); languages not listed here
#: and not in :data:`_LATIN` are not judged
_LANGUAGE_SCRIPTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "sd", "ug", "ckb"), ("Arabic",)),
    **dict.fromkeys(("he", "iw", "yi", "lad"), ("Hebrew",)),
    "ja": ("Han", "Hiragana", "Katakana"), "zh": ("Han", "Bopomofo"), "ko": ("Hangul", "Han"),
    **dict.fromkeys(("ru", "uk", "bg", "be", "mk", "kk", "ky", "mn", "tg", "sr"), ("Cyrillic",)),
    "el": ("Greek",), "grc": ("Greek",), "hy": ("Armenian",), "ka": ("Georgian",), "th": ("Thai",), "lo": ("Lao",),
    "km": ("Khmer",), "my": ("Myanmar",), "bo": ("Tibetan",), "dz": ("Tibetan",), "si": ("Sinhala",),
    **dict.fromkeys(("hi", "mr", "ne", "sa", "mai", "kok"), ("Devanagari",)),
    **dict.fromkeys(("bn", "as"), ("Bengali",)), "pa": ("Gurmukhi",), "gu": ("Gujarati",), "or": ("Oriya",),
    "ta": ("Tamil",), "te": ("Telugu",), "kn": ("Kannada",), "ml": ("Malayalam",),
    **dict.fromkeys(("am", "ti"), ("Ethiopic",)), "dv": ("Thaana",), "syr": ("Syriac",),
}
_LATIN = frozenset("""en fr de es it pt nl sv da no nb nn fi pl cs sk sl hr bs hu ro tr az id ms vi ca eu gl et lv
lt is ga gd cy br sq sw af la tl fil eo mt lb fy oc rm ha yo ig zu xh so qu gn mi sm to haw""".split())
_SCRIPT_SUBTAGS = {"latn": "Latin", "cyrl": "Cyrillic", "arab": "Arabic", "hebr": "Hebrew", "grek": "Greek",
                   "hans": "Han", "hant": "Han", "jpan": "Han", "kore": "Hangul", "deva": "Devanagari"}

#: scripts that, in running text, are written for one language only (Hebrew script is
#: also Yiddish and Ladino, Arabic script Persian and Urdu, Han Chinese and Japanese,
#: Cyrillic a dozen languages: those are never guessed)
_ONE_LANGUAGE = {"Hangul": "ko", "Hiragana": "ja", "Katakana": "ja", "Thai": "th", "Lao": "lo", "Khmer": "km",
                 "Georgian": "ka", "Armenian": "hy", "Sinhala": "si", "Tamil": "ta", "Telugu": "te",
                 "Kannada": "kn", "Malayalam": "ml", "Gujarati": "gu", "Gurmukhi": "pa", "Oriya": "or",
                 "Thaana": "dv"}


def script_of(char: str) -> str | None:
    """The script of one character, or None for digits, punctuation, spaces and symbols."""
    code = ord(char)
    i = bisect.bisect_right(_STARTS, code) - 1
    if i >= 0 and _RANGES[i][0] <= code <= _RANGES[i][1]:
        return _RANGES[i][2]
    return None


def scripts_of(language: str | None) -> frozenset[str] | None:
    """The scripts a BCP 47 language tag is written in (Latin letters are allowed in
    every language: names, technical terms and code are written in them), or None when
    exporter does not know the language."""
    if not language:
        return None
    subtags = language.lower().replace("_", "-").split("-")
    for subtag in subtags[1:]:
        if subtag in _SCRIPT_SUBTAGS:
            script = _SCRIPT_SUBTAGS[subtag]
            extra = _CJK if script in ("Han", "Hangul") else ()
            return frozenset({script, "Latin", *extra})
    if subtags[0] in _LANGUAGE_SCRIPTS:
        return frozenset({*_LANGUAGE_SCRIPTS[subtags[0]], "Latin"})
    if subtags[0] in _LATIN:
        return frozenset({"Latin"})
    return None


def language_of_script(scripts: set[str]) -> str | None:
    """The one language a passage in these scripts can be in (Hangul: ko; kana, with or
    without Han: ja; Thai: th…), or None when the scripts are shared by several."""
    if scripts & {"Hiragana", "Katakana"} and scripts <= {"Hiragana", "Katakana", "Han"}:
        return "ja"
    if scripts & {"Hangul"} and scripts <= {"Hangul", "Han"}:
        return "ko"
    if len(scripts) == 1:
        return _ONE_LANGUAGE.get(next(iter(scripts)))
    return None


class Run:
    """A passage of text in one script (with the spaces and punctuation between its letters)."""

    __slots__ = ("start", "end", "scripts", "letters")

    def __init__(self, start: int, end: int, scripts: set[str], letters: int) -> None:
        self.start, self.end, self.scripts, self.letters = start, end, scripts, letters


def runs(text: str, family: dict[str, str] | None = None) -> list[Run]:
    """The passages of ``text`` in the scripts of one family (by default each script its
    own family; Han and kana are one family for Japanese), from the first letter to the
    last, neutral characters between letters of the same family included."""
    family = family or {}
    found: list[Run] = []
    current: Run | None = None
    for i, char in enumerate(text):
        script = script_of(char)
        if script is None:
            continue
        key = family.get(script, script)
        if current is not None and family.get(next(iter(current.scripts)), next(iter(current.scripts))) == key:
            current.end = i + 1
            current.scripts.add(script)
            current.letters += 1
        else:
            current = Run(i, i + 1, {script}, 1)
            found.append(current)
    return found


#: Japanese text mixes Han, hiragana and katakana in one passage (Chinese Han and bopomofo)
CJK_FAMILY = {"Hiragana": "CJK", "Katakana": "CJK", "Han": "CJK", "Bopomofo": "CJK"}
