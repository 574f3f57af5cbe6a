"""Text the platform can store, show and export: one rule for every door.

PostgreSQL refuses NUL in text, spreadsheets refuse most C0 control
characters, and bidi overrides (U+202E) or ANSI escapes make a name display
as something it is not. So text from devices, files, forms and API bodies is
checked here before anything is written: refused with an error naming the
field and the character, never silently altered. Text already stored that
predates the rule is made printable by `printable` for exports and pages.
Pure: no I/O.
"""

from __future__ import annotations

import re

from ecozone.errors import Invalid

# C0 controls except TAB, LF, CR; DEL; C1 controls; lone surrogates (not encodable as UTF-8).
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
# Bidi embeddings, overrides and isolates (Unicode TR9): they reorder what a reader sees.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_MULTI_LINE_BAD = re.compile(f"[{_CONTROL}{_BIDI}]")
_SINGLE_LINE_BAD = re.compile(f"[\t\n\r{_CONTROL}{_BIDI}]")
_EXPORT_BAD = re.compile(f"[{_CONTROL}]")


class UnstorableText(Invalid):
    """Text holding a character the platform does not store (NUL, a control, a bidi override)."""


def describe(char: str) -> str:
    """A character as a reader can name it: U+0000 (NUL), U+202E."""
    names = {"\x00": " (NUL)", "\x1b": " (ESC)", "\t": " (TAB)", "\n": " (LF)", "\r": " (CR)"}
    return f"U+{ord(char):04X}{names.get(char, '')}"


def find_unstorable(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first refused character of `text` and its position, or None when all is storable.

    Line breaks and tabs are allowed only in multi-line text (narratives, reasons)."""
    match = (_MULTI_LINE_BAD if multiline else _SINGLE_LINE_BAD).search(text)
    return None if match is None else (match.start(), match.group())


def check_text(text: str, field: str, *, multiline: bool = False) -> str:
    """`text` unchanged when it can be stored; otherwise UnstorableText naming field and char."""
    found = find_unstorable(text, multiline=multiline)
    if found is not None:
        position, char = found
        raise UnstorableText(
            f"{field}: character {describe(char)} at position {position + 1} is not allowed"
        )
    return text


def check_optional(text: str | None, field: str, *, multiline: bool = False) -> str | None:
    """check_text for a value that may be absent."""
    return None if text is None else check_text(text, field, multiline=multiline)


def printable(text: str) -> str:
    """Stored text made safe for a spreadsheet or a log: each control character becomes
    U+FFFD, so an export never fails on old rows (tabs and line breaks stay)."""
    return _EXPORT_BAD.sub("\ufffd", text)
