"""A course's quiz bank as Moodle XML, for trainers who run Moodle.

Built with ElementTree, so every text is escaped by the serialiser. Question texts are HTML
(``format="html"``) made from the plain text of quiz.yaml, escaped with markupsafe first.

How each type of the bank maps to a standard Moodle question type:

- single, multiple: ``multichoice`` (``single`` true/false). In a multiple-answer question each
  right choice carries 100/n percent and each wrong one -100/m, so ticking everything scores 0.
- true_false: ``truefalse``, the right one of "true"/"false" with fraction 100.
- ordering: ``ordering`` (qtype_ordering, standard since Moodle 4.4): the items are written in
  the right order, the fraction of each being its position, as Moodle's own export does; graded
  by absolute position.
- walkthrough: one ``multichoice`` per step ("<id>-step-<n>"): the screen and instruction are the
  text, the screen's elements the choices, the step's explanation the general feedback.
- scam_drill: one ``multichoice`` with the two choices "Safe" and "Scam"; the explanation and
  the red flags are the general feedback.

Penalties are 0: retries are never penalised in Cầu Nối, and the export keeps that.
"""

import xml.etree.ElementTree as ET

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape

from courses.simulators import tappable_ids

# Moodle accepts only these fractions (question/format.php: get_grade_options).
_FRACTIONS = (
    100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
    16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0,
)  # fmt: skip


def _fraction(share: float) -> str:
    """The Moodle fraction nearest to share (a percent, negative for a wrong choice)."""
    nearest = min(_FRACTIONS, key=lambda f: abs(f - abs(share)))
    value = nearest if share >= 0 else -nearest
    return f"{value:.7f}".rstrip("0").rstrip(".") or "0"


def _pick(text, language):
    if isinstance(text, dict):
        return text.get(language) or text.get("vi") or ""
    return str(text or "")


def _html(*paragraphs) -> str:
    """Paragraphs of plain text as HTML; a line break inside one stays a line break."""
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in p.strip().split("\n")) + "</p>"
        for p in paragraphs
        if p
    )


def _text(parent, tag, value, html=True):
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = value
    return element


def _question(quiz, qtype, name, idnumber, question_html, feedback_html):
    question = ET.SubElement(quiz, "question", {"type": qtype})
    _text(question, "name", name, html=False)
    _text(question, "questiontext", question_html)
    _text(question, "generalfeedback", feedback_html)
    ET.SubElement(question, "defaultgrade").text = "1"
    ET.SubElement(question, "penalty").text = "0"
    ET.SubElement(question, "hidden").text = "0"
    ET.SubElement(question, "idnumber").text = idnumber
    return question


def _answer(question, fraction, html, feedback="", text_format="html"):
    answer = ET.SubElement(question, "answer", {"fraction": fraction, "format": text_format})
    ET.SubElement(answer, "text").text = html
    _text(answer, "feedback", feedback)
    return answer


def _multichoice(quiz, name, idnumber, question_html, feedback_html, choices, right, single):
    """choices: [(id, label)]; right: the ids that are right."""
    question = _question(quiz, "multichoice", name, idnumber, question_html, feedback_html)
    ET.SubElement(question, "single").text = "true" if single else "false"
    ET.SubElement(question, "shuffleanswers").text = "true"
    ET.SubElement(question, "answernumbering").text = "abc"
    wrong = len(choices) - len(right)
    for choice_id, label in choices:
        if choice_id in right:
            share = 100 / len(right)
        else:
            share = 0 if single or not wrong else -100 / wrong
        _answer(question, _fraction(share), _html(label))
    return question


def _add(quiz, course, question, language):
    item, kind, key = question.data, question.type, question.key
    name = f"{course.slug}/{key}"
    idnumber = f"{course.slug}-{key}"
    prompt = _pick(item.get("prompt"), language)
    explanation = _pick(item.get("explanation"), language)
    if kind in ("single", "multiple"):
        answer = item["answer"]
        right = {answer} if kind == "single" else set(answer)
        choices = [(c["id"], _pick(c["text"], language)) for c in item["choices"]]
        _multichoice(
            quiz, name, idnumber, _html(prompt), _html(explanation), choices, right,
            single=kind == "single",
        )  # fmt: skip
    elif kind == "true_false":
        question = _question(quiz, "truefalse", name, idnumber, _html(prompt), _html(explanation))
        for value in (True, False):
            fraction = "100" if item["answer"] is value else "0"
            label = "true" if value else "false"  # Moodle reads these two words, in English
            _answer(question, fraction, label, text_format="moodle_auto_format")
    elif kind == "ordering":
        question = _question(quiz, "ordering", name, idnumber, _html(prompt), _html(explanation))
        for tag, value in (
            ("layouttype", "VERTICAL"),
            ("selecttype", "ALL"),
            ("selectcount", "0"),
            ("gradingtype", "ABSOLUTE_POSITION"),
            ("showgrading", "SHOW"),
            ("numberingstyle", "none"),
        ):
            ET.SubElement(question, tag).text = value
        labels = {c["id"]: _pick(c["text"], language) for c in item["choices"]}
        for position, choice_id in enumerate(item["answer"], start=1):
            _answer(question, str(position), _html(labels[choice_id]))
    elif kind == "walkthrough":
        for number, step in enumerate(item["steps"], start=1):
            _multichoice(
                quiz,
                f"{name} ({_('step %(number)d', number=number)})",
                f"{idnumber}-step-{number}",
                _html(
                    prompt,
                    _pick(step["screen"], language),
                    _pick(step["instruction"], language),
                ),
                _html(_pick(step["explanation"], language), explanation),
                [
                    (e["id"], _pick(e["label"], language))
                    for e in step["elements"]
                    if e["id"] in tappable_ids(step)
                ],
                {step["answer"]},
                single=True,
            )
    elif kind == "scam_drill":
        flags = [_pick(flag, language) for flag in item.get("red_flags", [])]
        feedback = _html(explanation)
        if flags:
            feedback += "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in flags) + "</ul>"
        _multichoice(
            quiz,
            name,
            idnumber,
            _html(prompt) + f"<blockquote>{_html(_pick(item['message'], language))}</blockquote>",
            feedback,
            [("safe", _("Safe")), ("scam", _("Scam"))],
            {item["answer"]},
            single=True,
        )


def moodle_xml(course, language: str) -> bytes:
    """The course's question bank in Moodle XML (UTF-8), its texts in the given language."""
    quiz = ET.Element("quiz")
    with force_locale(language):
        category = ET.SubElement(quiz, "question", {"type": "category"})
        _text(category, "category", f"$course$/top/{_pick(course.title, language)}", html=False)
        for question in sorted(course.questions, key=lambda q: q.position):
            _add(quiz, course, question, language)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"
