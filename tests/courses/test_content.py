"""The content test: every real course in courses/content is complete in both languages."""

import pytest

from courses.content import (
    AUDIENCES,
    LANGUAGES,
    MIN_LESSONS,
    MIN_QUESTIONS,
    course_folders,
    load_course,
)
from courses.services import CONTENT_ROOT

FOLDERS = course_folders(CONTENT_ROOT)


def _texts(value):
    """Every {vi, en} text inside a question, however deeply nested."""
    if isinstance(value, dict):
        if set(value) == set(LANGUAGES):
            yield value
        else:
            for item in value.values():
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


@pytest.fixture(scope="module", params=FOLDERS, ids=[f.name for f in FOLDERS])
def course(request):
    errors = []
    course = load_course(request.param, errors)
    assert errors == [], "\n".join(str(e) for e in errors)
    return course


def test_there_are_at_least_nine_courses_for_every_audience():
    assert len(FOLDERS) >= 9
    audiences = set()
    for folder in FOLDERS:
        errors = []
        course = load_course(folder, errors)
        if course:
            audiences.add(course.audience)
    assert audiences == set(AUDIENCES)


def test_course_has_both_languages_everywhere(course):
    for text in (course.title, course.summary, course.basis):
        assert all(text[language].strip() for language in LANGUAGES)
    for question in course.questions:
        for text in _texts(question.data):
            assert all(isinstance(text[lang], str) and text[lang].strip() for lang in LANGUAGES)


def test_course_has_enough_lessons_and_none_is_empty(course):
    assert len(course.lessons) >= MIN_LESSONS
    assert [lesson.position for lesson in course.lessons] == sorted(
        lesson.position for lesson in course.lessons
    )
    for lesson in course.lessons:
        for language in LANGUAGES:
            assert lesson.title[language].strip(), (lesson.slug, language)
            assert len(lesson.body[language].split()) >= 30, (lesson.slug, language)


def test_quiz_bank_is_large_enough_with_unique_ids(course):
    assert len(course.questions) >= MIN_QUESTIONS
    keys = [question.key for question in course.questions]
    assert len(keys) == len(set(keys))
    assert course.quiz_size <= len(course.questions)


def test_every_question_has_an_explanation_and_a_valid_answer_key(course):
    for question in course.questions:
        data = question.data
        assert set(data["explanation"]) == set(LANGUAGES), question.key
        choices = [choice["id"] for choice in data.get("choices", [])]
        if question.type == "single":
            assert data["answer"] in choices, question.key
        elif question.type == "multiple":
            assert set(data["answer"]) <= set(choices), question.key
        elif question.type == "ordering":
            assert sorted(data["answer"]) == sorted(choices), question.key
        elif question.type == "true_false":
            assert isinstance(data["answer"], bool), question.key
        elif question.type == "scam_drill":
            assert data["answer"] in ("scam", "safe") and data["red_flags"], question.key
        elif question.type == "walkthrough":
            for step in data["steps"]:
                assert step["answer"] in [e["id"] for e in step["elements"]], question.key
                assert set(step["explanation"]) == set(LANGUAGES), question.key
