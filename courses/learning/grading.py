"""Drawing, reading and grading quiz answers, for every question type; pure Python.

A question is the dict written in quiz.yaml (``Question.data``). An answer is plain JSON:

- single: a choice id; multiple: the sorted list of chosen ids (right when the set is exact);
- true_false: true or false; scam_drill: "scam" or "safe";
- ordering: the list of choice ids in the order given (right only in the exact order);
- walkthrough: the element id tapped at each step (right when every step is right).
"""

import random

from app.errors import DomainError
from app.i18n import lazy_gettext as _l
from courses.simulators import tappable_ids

CHOICE_TYPES = ("single", "multiple", "ordering")
VERDICTS = ("scam", "safe")


class InvalidAnswer(DomainError, ValueError):
    """The form does not hold a complete answer to the question; the code says what is missing."""

    status = 422
    sentence = _l("Choose one answer.")
    sentences = {
        "choose_one": _l("Choose one answer."),
        "choose_some": _l("Choose at least one answer."),
        "order_all": _l("Put a step in every place."),
        "order_once": _l("Use each step only once."),
        "tap_one": _l("Tap one of the buttons on the screen."),
    }


def draw_entry(question_id: int, question_type: str, data: dict, rng: random.Random) -> dict:
    """One drawn question with its choices (or each step's elements) in a shuffled order."""
    entry: dict = {"id": question_id}
    if question_type in CHOICE_TYPES:
        ids = [choice["id"] for choice in data["choices"]]
        rng.shuffle(ids)
        if question_type == "ordering" and ids == list(data["answer"]) and len(ids) > 1:
            ids = ids[1:] + ids[:1]  # never show the right order as the starting order
        entry["choices"] = ids
    elif question_type == "walkthrough":
        steps = []
        for step in data["steps"]:
            # a mock screen keeps its layout; the plain buttons of an older step are shuffled
            ids = tappable_ids(step)
            rng.shuffle(ids)
            steps.append(ids)
        entry["steps"] = steps
    return entry


def draw(questions, size: int, rng: random.Random) -> list[dict]:
    """`size` questions picked at random from the bank (all of them when it is smaller)."""
    picked = rng.sample(list(questions), min(size, len(questions)))
    return [draw_entry(q.id, q.type, q.data, rng) for q in picked]


def _ids(data):
    return [choice["id"] for choice in data.get("choices", [])]


def read_answer(question_type: str, data: dict, form) -> str | bool | list:
    """The answer held by a submitted form (a MultiDict); raises InvalidAnswer."""
    if question_type == "single":
        choice = form.get("choice")
        if choice not in _ids(data):
            raise InvalidAnswer("choose_one")
        return choice
    if question_type == "multiple":
        chosen = form.getlist("choice")
        if not chosen:
            raise InvalidAnswer("choose_some")
        if any(c not in _ids(data) for c in chosen):
            raise InvalidAnswer("choose_some")
        return sorted(set(chosen))
    if question_type == "true_false":
        choice = form.get("choice")
        if choice not in ("true", "false"):
            raise InvalidAnswer("choose_one")
        return choice == "true"
    if question_type == "scam_drill":
        choice = form.get("choice")
        if choice not in VERDICTS:
            raise InvalidAnswer("choose_one")
        return choice
    if question_type == "ordering":
        ids = _ids(data)
        order = [form.get(f"position-{n}") for n in range(1, len(ids) + 1)]
        if any(item not in ids for item in order):
            raise InvalidAnswer("order_all")
        if len(set(order)) != len(order):
            raise InvalidAnswer("order_once")
        return order
    if question_type == "walkthrough":
        taps = read_taps(data, form.getlist("taps") + [form.get("tap", "")])
        if taps is None or len(taps) != len(data["steps"]):
            raise InvalidAnswer("tap_one")
        return taps
    raise InvalidAnswer("unknown_type")


def read_taps(data: dict, taps: list) -> list[str] | None:
    """The walkthrough taps so far when each names an element of its step, else None."""
    steps = data["steps"]
    if len(taps) > len(steps):
        return None
    for tap, step in zip(taps, steps, strict=False):
        if tap not in tappable_ids(step):
            return None
    return list(taps)


def step_results(data: dict, taps: list) -> list[bool]:
    """For each walkthrough step, whether the element tapped was the step's answer."""
    return [tap == step["answer"] for tap, step in zip(taps, data["steps"], strict=False)]


def is_right(question_type: str, data: dict, answer) -> bool:
    """Grade an answer read by read_answer."""
    expected = data.get("answer")
    if question_type in ("single", "scam_drill"):
        return answer == expected
    if question_type == "true_false":
        return answer is expected
    if question_type == "multiple":
        return isinstance(answer, list) and set(answer) == set(expected)
    if question_type == "ordering":
        return list(answer) == list(expected)
    if question_type == "walkthrough":
        return len(answer) == len(data["steps"]) and all(step_results(data, answer))
    return False
