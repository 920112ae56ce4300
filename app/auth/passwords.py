"""The password policy for a password a person chooses (NIST SP 800-63B, 3.1.1.2).

Long enough and not a common one; no rules on character classes, which make passwords harder to
remember and no harder to guess. Applied where a form sets a password (registration, officer
registration, password reset) and by `flask users create-admin`; not to the demo loader, whose
accounts keep `demo-pass`, nor at sign-in, so older passwords go on working.

The common passwords are the 30,000 most frequent ones in leaked password sets that zxcvbn ships
(`zxcvbn.frequency_lists.FREQUENCY_LISTS["passwords"]`, from Dropbox's zxcvbn, MIT licence),
lower-case, plus the words of this site that a guesser tries first; a common password or a site
word with digits or symbols around it is common too ("Password2025!", "Mật khẩu 123").
"""

from functools import cache

from app.text import fold

MIN_LENGTH = 10
MAX_LENGTH = 128

#: words of this site and of its users' language that a guesser tries first, folded, no spaces
CONTEXT_WORDS = frozenset(
    {
        "caunoi",  # the site
        "matkhau",  # "mật khẩu", password
        "tinhnguyen",  # "tình nguyện", volunteer
        "tinhnguyenvien",
        "doanthanhnien",  # "đoàn thanh niên", the youth union
        "binhdanhocvuso",  # the digital-literacy campaign
        "chuyendoiso",  # "chuyển đổi số", digital transformation
        "vneid",
        "dichvucong",  # "dịch vụ công", public services
    }
)


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords, lower-case (loaded once, on first use)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """True for a common password in any case, one that is a common password or a site word once
    its digits, spaces and symbols are taken out ("Password2025!", "caunoi 123"), or one of fewer
    than four different characters."""
    lowered = password.strip().lower()
    letters = "".join(ch for ch in fold(lowered) if ch.isalpha())
    common = common_passwords()
    repetitive = len(set(lowered)) < 4  # "xxxxxxxxxx", "ababababab", "1212121212"
    return repetitive or lowered in common or letters in common or letters in CONTEXT_WORDS


def problem(password: str) -> str | None:
    """Why this password may not be chosen ("length", "common"), or None when it may."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return "length"
    if is_common(password):
        return "common"
    return None
