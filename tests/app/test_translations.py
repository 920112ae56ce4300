"""Both catalogues are complete: every string the code and templates show has vi and en."""

import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from app import ROOT
from app.cli import EXTRACT_ARGS

TRANSLATIONS = ROOT / "app" / "translations"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "--quiet",
            *EXTRACT_ARGS,
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_translated(extracted, language):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for message in extracted:
        translated = catalogue.get(message.id, context=message.context)
        strings = translated.string if translated else None
        complete = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not complete or (translated and translated.fuzzy):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{len(missing)} messages lack a {language} translation"


def test_vietnamese_catalogue_is_really_vietnamese():
    with (TRANSLATIONS / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    vietnamese = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    texts = [m.string for m in catalogue if m.id and isinstance(m.string, str)]
    with_accents = [t for t in texts if any(c in vietnamese for c in t.lower())]
    assert len(with_accents) >= 0.8 * len(texts)
