"""Dates: the one parser for every date that enters exporter, and how dates are shown.

Every place a date comes from — ``--date``, a sidecar's ``date``/``modified``, a book's
``exporter.toml``, Markdown and HTML front matter, a Jekyll file name
(``2014-09-08-title.md``), an HTML page's ``<meta>`` tags and ``<time datetime>``, a
JATS ``pub-date``, an EPUB's ``dc:date``, a model file's ``<meta name="date">`` — reads
it with :func:`parse_date`. The model keeps only :meth:`Date.iso`, a W3CDTF / ISO 8601
value that the EPUB package, the PDF's XMP and HTML's ``datetime`` all take::

    2017   2017-01   2017-01-19   2017-01-19T10:30Z   2017-01-19T10:30:00.250+01:00

What is read (besides :mod:`datetime` dates and date-times, as TOML and YAML give them):

* ISO 8601 / W3CDTF as above; also with ``/`` (``2017/01/19``), one-digit months and
  days, a space before the time or the zone, a zone without its colon (``-0400``) or
  named ``UTC``/``GMT`` (and the North American ``EST``…``PDT`` of RFC 822), lower-case
  ``t`` and ``z``; fractions of a second are kept to the millisecond;
* RFC 2822 and English month names: ``Thu, 19 Jan 2017 10:30:00 +0000``,
  ``19 January 2017``, ``January 19, 2017``, ``Jan. 19th 2017``, ``January 2017``.

A value in none of these forms is :class:`DateError` "… is not an ISO 8601 date"; an
impossible one (``2025-13``, ``2025-02-30``, ``2025-00``, ``25:00``) is a
:class:`DateError` that says what is wrong ("there is no month 13"). Each caller turns
that into an error with its file and line, or (where a date is incidental to the source)
a warning with the date dropped — see ``docs/model.md``.

:func:`format_date` shows a date in the article's language with Babel (CLDR), never in
the locale of the machine: "19 January 2017", "19 janvier 2017", "19. Januar 2017",
"2017年1月19日"; a month alone as "janvier 2017", a year alone as "2017".
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import sys
import types
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

__all__ = ["Date", "DateError", "parse_date", "iso_date", "valid_date", "html_datetime", "format_date", "HINT"]

#: what every date error suggests
HINT = "write YYYY-MM-DD, YYYY-MM or YYYY, or a date and time such as 2017-01-19T10:30:00Z"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH_NUMBERS = {name.lower(): n for n, name in enumerate(MONTHS, 1)} | {
    name[:3].lower(): n for n, name in enumerate(MONTHS, 1)} | {"sept": 9}
_NAMED_ZONES = {"z": "Z", "utc": "Z", "gmt": "Z", "ut": "Z", "est": "-05:00", "edt": "-04:00", "cst": "-06:00",
                "cdt": "-05:00", "mst": "-07:00", "mdt": "-06:00", "pst": "-08:00", "pdt": "-07:00"}

_TIME = r"(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
_ZONE = r"(?:\s*(?P<zone>[+-]\d{2}(?::?\d{2})?|[A-Za-z]{1,3}))?"
_ISO = re.compile(r"(?P<y>\d{4})(?:(?P<sep>[-/])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2})"
                  rf"(?:(?:[Tt]|\s+){_TIME}{_ZONE})?)?)?")
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_CLOCK = rf"(?:,?\s+{_TIME}{_ZONE})?"
_TEXT = [re.compile(_WEEKDAY + _DAY + r"\s+(?P<mon>[a-z]+)\.?,?\s+(?P<y>\d{4})" + _CLOCK, re.I),  # 19 Jan 2017
         re.compile(_WEEKDAY + r"(?P<mon>[a-z]+)\.?\s+" + _DAY + r",?\s+(?P<y>\d{4})" + _CLOCK, re.I),  # Jan 19, 2017
         re.compile(r"(?P<mon>[a-z]+)\.?,?\s+(?P<y>\d{4})", re.I)]  # January 2017


class DateError(ValueError):
    """A value that is not a date exporter reads, or (``impossible``) a date in a form
    it reads that cannot be: 2025-13, 2025-02-30."""

    def __init__(self, message: str, hint: str = HINT, *, impossible: bool = False) -> None:
        super().__init__(message)
        self.message, self.hint, self.impossible = message, hint, impossible


@dataclass(frozen=True)
class Date:
    """A checked date: a year, a month of it, a day, or a day with a time (and zone)."""

    year: int
    month: int | None = None
    day: int | None = None
    #: "hh:mm", "hh:mm:ss" or "hh:mm:ss.sss"
    time: str | None = None
    #: "Z" or "+hh:mm" / "-hh:mm"; only with a time
    zone: str | None = None

    def iso(self) -> str:
        """The model's form (W3CDTF; a time without a zone is kept as a local time)."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        if self.time is not None:
            text += f"T{self.time}{self.zone or ''}"
        return text

    def w3c(self) -> str:
        """For the EPUB package's ``dc:date``: W3CDTF, which has no local times (a time
        without a zone is left out)."""
        return self.iso() if self.zone is not None or self.time is None else self.iso()[:10]

    def first_day(self) -> _dt.date:
        return _dt.date(self.year, self.month or 1, self.day or 1)


def parse_date(value: str | int | _dt.date, what: str = "date") -> Date:
    """The date ``value`` stands for; :class:`DateError` naming ``what`` when it is not one."""
    if isinstance(value, _dt.datetime):
        return _from_datetime(value)
    if isinstance(value, _dt.date):
        return Date(value.year, value.month, value.day)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        kind = "a time of day" if isinstance(value, _dt.time) else type(value).__name__
        raise DateError(f"{what} must be a date, not {kind}")
    text = " ".join(str(value).split())
    for pattern in (_ISO, *_TEXT):
        match = pattern.fullmatch(text)
        if match is not None:
            return _checked(match, text, what)
    raise DateError(f"{what} '{text}' is not an ISO 8601 date")


def iso_date(value: str | int | _dt.date, what: str = "date") -> str:
    """``parse_date(value).iso()``."""
    return parse_date(value, what).iso()


def valid_date(value: str) -> bool:
    """True for a date in the model's form (what :meth:`Date.iso` gives)."""
    try:
        return parse_date(value).iso() == value
    except DateError:
        return False


def _from_datetime(value: _dt.datetime) -> Date:
    time = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        time += f".{value.microsecond // 1000:03d}"
    zone = None
    offset = value.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        zone = "Z" if minutes == 0 else f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return Date(value.year, value.month, value.day, time, zone)


def _checked(match: re.Match[str], text: str, what: str) -> Date:
    parts = match.groupdict()
    year = int(parts["y"])
    month: int | None = None
    if parts.get("mon") is not None:
        month = _MONTH_NUMBERS.get(parts["mon"].lower())
        if month is None:
            raise DateError(f"{what} '{text}' is not an ISO 8601 date")
    elif parts.get("m") is not None:
        month = int(parts["m"])
    day = int(parts["d"]) if parts.get("d") is not None else None

    def impossible(reason: str) -> DateError:
        return DateError(f"{what} '{text}' is not a valid date: {reason}", impossible=True)

    if year == 0:
        raise impossible("there is no year 0")
    if month is not None and not 1 <= month <= 12:
        raise impossible(f"there is no month {month}")
    if month is not None and day is not None:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            raise impossible(f"{MONTHS[month - 1]} {year} has {days} days" if day else "there is no day 0")
    time = zone = None
    if parts.get("time") is not None:
        clock, _, fraction = parts["time"].replace(",", ".").partition(".")
        numbers = [int(n) for n in clock.split(":")]
        for number, limit, unit in zip(numbers, (23, 59, 59), ("hour", "minute", "second")):
            if number > limit:
                raise impossible(f"there is no {unit} {number}")
        time = ":".join(f"{n:02d}" for n in numbers) + (f".{fraction[:3].ljust(3, '0')}" if fraction else "")
        zone = _zone(parts.get("zone"), text, what)
    return Date(year, month, day, time, zone)


def _zone(value: str | None, text: str, what: str) -> str | None:
    if value is None:
        return None
    if value[0] not in "+-":
        if value.lower() not in _NAMED_ZONES:
            raise DateError(f"{what} '{text}': the time zone '{value}' is not one exporter knows",
                            "write the offset from UTC, e.g. +01:00, or Z for UTC")
        return _NAMED_ZONES[value.lower()]
    hours, minutes = int(value[1:3]), int(value[3:].lstrip(":") or 0)
    if hours > 23 or minutes > 59:
        raise DateError(f"{what} '{text}' is not a valid date: there is no time zone {value}",
                        "write the offset from UTC as +hh:mm, e.g. +01:00", impossible=True)
    return f"{value[0]}{hours:02d}:{minutes:02d}"


# -- HTML datetime attributes ---------------------------------------------------------------

#: the other values HTML allows in ``datetime`` (time, yearless date, week, duration),
#: as EPUBCheck's schema lists them
_HTML_OTHER = re.compile(
    r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?"
    r"|(?:--)?(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    r"|\d{4,}-W(?:0[1-9]|[1-4]\d|5[0-3])"
    r"|P\d+D|P(?:\d+D)?T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,3})?S)?"
    r"|(?: *(?:\d+ *[WDHM]|\d+(?:\.\d{1,3})? *S) *)+")


def html_datetime(value: str) -> str | None:
    """A ``datetime`` attribute's value made valid HTML: a date in the model's form, a
    time, week or duration as written; None when it is neither (or an impossible date)."""
    value = value.strip()
    if _HTML_OTHER.fullmatch(value):
        return value
    try:
        return parse_date(value).iso()
    except DateError:
        return None


# -- showing a date ---------------------------------------------------------------------------

def format_date(value: str, language: str) -> str:
    """A date for readers, in ``language`` (a BCP 47 tag): Babel's long form for a day,
    month and year for a month, the year alone for a year. English without a region
    is written as in most of the English-speaking world ("19 January 2017"); ``en-US``
    gets "January 19, 2017". A language Babel does not know gets the ISO date."""
    try:
        date = parse_date(value)
    except DateError:
        return value
    locale = _locale(language)
    if locale is None:
        return date.iso()[:10]
    _fixed_local_zone()
    from babel.dates import format_date as babel_date
    from babel.dates import format_skeleton

    day = date.first_day()
    if date.day is not None:
        return str(babel_date(day, "long", locale=locale))
    return str(format_skeleton("yMMMM" if date.month is not None else "y", day, locale=locale))


def _fixed_local_zone() -> None:
    """Babel asks the machine for its time zone (``TZ``, ``/etc/localtime``, the zoneinfo
    files) when ``babel.dates`` is first imported. exporter shows dates, never the time
    now, so that zone is never used; it is fixed to UTC before that import, so that
    showing a date reads nothing of the machine's settings (and a sandboxed build reads
    no file outside its own)."""
    if "babel.localtime" in sys.modules:
        return
    fixed = types.ModuleType("babel.localtime", "the local time zone, fixed to UTC by exporter.model.dates")
    fixed.LOCALTZ = _dt.UTC  # type: ignore[attr-defined]  # what babel.dates reads
    fixed.get_localzone = lambda: _dt.UTC  # type: ignore[attr-defined]
    sys.modules["babel.localtime"] = fixed


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale | None:
    """The CLDR locale for a language tag: the longest known prefix of it (``pt-BR-x-a``
    → pt_BR), bare ``en`` as international English (en_001)."""
    _fixed_local_zone()
    from babel import Locale, UnknownLocaleError

    parts = language.replace("_", "-").split("-")
    if "x" in parts:
        parts = parts[:parts.index("x")]
    if [p.lower() for p in parts] == ["en"]:
        parts = ["en", "001"]
    while parts and parts[0]:
        try:
            return Locale.parse("_".join(parts))
        except (UnknownLocaleError, ValueError, TypeError):
            parts = parts[:-1]
    return None
