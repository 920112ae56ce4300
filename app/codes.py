"""Personal codes read aloud and typed from a card: learners' codes (courses) and residents'
cards (impact) share one alphabet and one shape, so a learner code can serve as a resident card.

The alphabet has no look-alikes (no 0/O, 1/I/L); a code is shown as "K7PM-3QXA". At 8 characters
a code is one of 31⁸ ≈ 2³⁹·⁶: never guessed on a rate-limited form, and never stored as typed.
"""

import secrets

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def new_code() -> str:
    """A fresh random code, without its dash."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """'K7PM3QXA' -> 'K7PM-3QXA', easier to read aloud and copy."""
    return f"{code[:4]}-{code[4:]}"


def normalise_code(typed: str) -> str | None:
    """The code a person typed, upper-case without separators; None if it cannot be a code."""
    # Forgiving: lower case, spaces and dashes are fine.
    code = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code
