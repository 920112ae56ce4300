"""Grading every question type, right and wrong, and reading answers from the posted form."""

import random

import pytest
from werkzeug.datastructures import MultiDict

from courses.learning.grading import InvalidAnswer, draw_entry, is_right, read_answer, step_results

CHOICES = [{"id": i, "text": {"vi": i, "en": i}} for i in ("a", "b", "c", "d")]
SINGLE = {"choices": CHOICES, "answer": "b"}
MULTIPLE = {"choices": CHOICES, "answer": ["a", "c"]}
ORDERING = {"choices": CHOICES, "answer": ["c", "a", "d", "b"]}
WALKTHROUGH = {
    "steps": [
        {"elements": [{"id": "login"}, {"id": "ad"}], "answer": "login"},
        {"elements": [{"id": "vneid"}, {"id": "borrowed"}], "answer": "vneid"},
        {"elements": [{"id": "search"}, {"id": "logout"}], "answer": "search"},
    ]
}


def test_single_is_right_only_with_its_answer():
    assert is_right("single", SINGLE, "b")
    assert not is_right("single", SINGLE, "a")


def test_multiple_needs_the_exact_set():
    assert is_right("multiple", MULTIPLE, ["a", "c"])
    assert is_right("multiple", MULTIPLE, ["c", "a"])
    assert not is_right("multiple", MULTIPLE, ["a"])  # partly right is wrong
    assert not is_right("multiple", MULTIPLE, ["a", "b", "c"])  # one too many


def test_true_false():
    assert is_right("true_false", {"answer": False}, False)
    assert not is_right("true_false", {"answer": False}, True)


def test_ordering_needs_the_exact_order():
    assert is_right("ordering", ORDERING, ["c", "a", "d", "b"])
    assert not is_right("ordering", ORDERING, ["a", "c", "d", "b"])


def test_scam_drill_verdict():
    assert is_right("scam_drill", {"answer": "scam"}, "scam")
    assert not is_right("scam_drill", {"answer": "scam"}, "safe")


def test_walkthrough_is_right_only_when_every_step_is():
    assert is_right("walkthrough", WALKTHROUGH, ["login", "vneid", "search"])
    assert not is_right("walkthrough", WALKTHROUGH, ["login", "borrowed", "search"])
    assert step_results(WALKTHROUGH, ["login", "borrowed", "search"]) == [True, False, True]


@pytest.mark.parametrize(
    ("kind", "data", "form", "expected"),
    [
        ("single", SINGLE, {"choice": "b"}, "b"),
        ("multiple", MULTIPLE, {"choice": ["c", "a"]}, ["a", "c"]),
        ("true_false", {"answer": True}, {"choice": "false"}, False),
        ("scam_drill", {"answer": "safe"}, {"choice": "scam"}, "scam"),
        (
            "ordering",
            ORDERING,
            {"position-1": "c", "position-2": "a", "position-3": "d", "position-4": "b"},
            ["c", "a", "d", "b"],
        ),
        (
            "walkthrough",
            WALKTHROUGH,
            {"taps": ["ad", "vneid"], "tap": "search"},
            ["ad", "vneid", "search"],
        ),
    ],
)
def test_the_posted_form_is_read_as_an_answer(kind, data, form, expected):
    assert read_answer(kind, data, MultiDict(form)) == expected


@pytest.mark.parametrize(
    ("kind", "data", "form", "code"),
    [
        ("single", SINGLE, {}, "choose_one"),
        ("single", SINGLE, {"choice": "z"}, "choose_one"),
        ("multiple", MULTIPLE, {}, "choose_some"),
        ("true_false", {"answer": True}, {"choice": "maybe"}, "choose_one"),
        ("ordering", ORDERING, {"position-1": "c", "position-2": "a"}, "order_all"),
        (
            "ordering",
            ORDERING,
            {"position-1": "c", "position-2": "c", "position-3": "d", "position-4": "b"},
            "order_once",
        ),
        ("walkthrough", WALKTHROUGH, {"taps": ["login"], "tap": "search"}, "tap_one"),
        ("walkthrough", WALKTHROUGH, {"taps": ["login", "vneid"], "tap": "other"}, "tap_one"),
    ],
)
def test_an_incomplete_form_is_refused(kind, data, form, code):
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(kind, data, MultiDict(form))
    assert refused.value.code == code


def test_ordering_never_starts_in_the_right_order():
    data = {"choices": CHOICES[:2], "answer": ["a", "b"]}
    for seed in range(20):
        assert draw_entry(1, "ordering", data, random.Random(seed))["choices"] == ["b", "a"]
