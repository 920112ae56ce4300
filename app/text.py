"""Text helpers for Vietnamese: folding for search, the alphabetical order, control characters."""

import re
import unicodedata
from functools import lru_cache

#: the name of the collation that sorts Vietnamese in SQL: registered on every SQLite connection
#: (app/database.py) and made from ICU's "vi" on PostgreSQL by a migration
COLLATION = "vi"

#: the Vietnamese alphabet, with the Latin letters it borrows (f, j, w, z) in their Latin places
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
#: a base letter and the mark that make a letter of its own
_OWN_LETTERS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
#: the tones in dictionary order after the level tone: huyền, hỏi, ngã, sắc, nặng (CLDR "vi")
TONES = "\u0300\u0309\u0303\u0301\u0323"
_PRIMARY = {letter: index for index, letter in enumerate(ALPHABET)}


def fold(text: str) -> str:
    """Lower-case text without diacritics, so "BỒ ĐỀ" and "bo de" compare equal."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple:
    """The key that sorts text as a Vietnamese dictionary does (CLDR's Vietnamese collation, the
    order of PostgreSQL's ICU "vi"): letters a ă â b c d đ e ê … u ư v x y first, then tones
    (level, huyền, hỏi, ngã, sắc, nặng) from the first letter on, then lower case before upper
    case. Spaces and punctuation come before digits, digits before letters; the text itself
    breaks the last ties, so equal keys mean equal text."""
    primary: list[tuple[int, int]] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    for char, marks in _letters(text):
        lower = char.lower()
        upper = char != lower
        for mark in [m for m in marks if (lower, m) in _OWN_LETTERS][:1]:
            lower = _OWN_LETTERS[(lower, mark)]
            marks = marks.replace(mark, "", 1)
        if lower in _PRIMARY:
            primary.append((3, _PRIMARY[lower]))
        elif lower.isdigit():
            primary.append((2, unicodedata.digit(lower, 0)))
        elif lower.isalpha():
            primary.append((4, ord(lower)))
        else:
            primary.append((1, ord(lower)))
        secondary.append(sum(TONES.find(m) + 1 or 6 + ord(m) for m in marks))
        tertiary.append(int(upper))
    return (tuple(primary), tuple(secondary), tuple(tertiary), text)


def _letters(text: str):
    """Each base character of the text with the combining marks that follow it."""
    decomposed = unicodedata.normalize("NFD", text)
    index = 0
    while index < len(decomposed):
        char = decomposed[index]
        index += 1
        start = index
        while index < len(decomposed) and unicodedata.combining(decomposed[index]):
            index += 1
        yield char, decomposed[start:index]


def compare(left: str, right: str) -> int:
    """-1, 0 or 1 as `left` sorts before, with or after `right` (for SQLite's collation)."""
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


#: control characters (Unicode category Cc: C0, DEL and C1), line breaks and tabs included
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
#: the same but line breaks and tabs, which a text area may hold
CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_RUN = re.compile(CONTROL.pattern + "+")


def one_line(text: str) -> str:
    """The text with each run of control characters (line breaks included) made one space: for
    a line that must stay one line (a calendar's name, a header), whatever was stored before
    forms refused control characters (app/forms.py)."""
    return _CONTROL_RUN.sub(" ", text).strip()
