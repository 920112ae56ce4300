"""Text helpers for Vietnamese."""

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, so "BỒ ĐỀ" and "bo de" compare equal."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


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
