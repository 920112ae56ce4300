"""Text helpers for Vietnamese."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, so "BỒ ĐỀ" and "bo de" compare equal."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
