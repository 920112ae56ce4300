"""Simulators: a course's walkthrough questions, run as practice outside the quiz.

A simulator is a walkthrough question of quiz.yaml; the same data is drawn in quizzes and run
here as often as wanted. A practice run keeps no state on the server: the right taps made so far
travel in the query string, and only a right tap moves on (a wrong one earns the step's hint).
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from courses.content import NARROW_KINDS, TAPPABLE_KINDS
from courses.models import Course, Lesson, Question


def laid_out(step: dict) -> bool:
    """Whether the step describes a mock screen (elements with kinds) or plain buttons."""
    return any("kind" in element for element in step["elements"])


def tappable_ids(step: dict) -> list[str]:
    """The ids a learner can tap on this step, in the order written."""
    return [
        element["id"]
        for element in step["elements"]
        if element.get("kind", "button") in TAPPABLE_KINDS
    ]


@dataclass
class Placed:
    """An element of a mock screen with its place on the grid (1-based rows and columns)."""

    element: dict
    kind: str
    row: int
    col: int
    span: int

    @property
    def tappable(self) -> bool:
        return self.kind in TAPPABLE_KINDS


def placed(step: dict) -> list[Placed]:
    """A laid-out step's elements in reading order, each with its row, column and span."""
    columns = step.get("columns", 1)
    items = []
    for element in step["elements"]:
        kind, col = element["kind"], element.get("col", 1)
        default_span = 1 if kind in NARROW_KINDS else columns - col + 1
        items.append(Placed(element, kind, element["row"], col, element.get("span", default_span)))
    return sorted(items, key=lambda item: (item.row, item.col))


def target_row(step: dict) -> int | None:
    """The row of the step's answer: the region a hint points to after a wrong tap."""
    for element in step["elements"]:
        if element["id"] == step["answer"]:
            return element.get("row")
    return None


@dataclass
class PracticeRun:
    """Where a practice run stands after the taps in the query string."""

    #: the right taps made so far, one per finished step
    taps: list[str] = field(default_factory=list)
    #: the element just tapped when it was wrong (the step stays, with its hint)
    missed: str | None = None
    #: the step just finished by a right tap, whose explanation is shown
    finished_step: dict | None = None

    def current(self, data: dict) -> dict | None:
        steps = data["steps"]
        return steps[len(self.taps)] if len(self.taps) < len(steps) else None


def practise(data: dict, taps: list[str], tap: str | None) -> PracticeRun:
    """Replay the right taps so far, then judge the new tap; nonsense starts again from step 1."""
    steps = data["steps"]
    if len(taps) > len(steps) or any(t != s["answer"] for t, s in zip(taps, steps, strict=False)):
        taps = []  # an edited or stale link: start again rather than fail
    run = PracticeRun(taps=list(taps))
    step = run.current(data)
    if step is None or not tap:
        return run
    if tap == step["answer"]:
        run.taps.append(tap)
        run.finished_step = step
    elif tap in tappable_ids(step):
        run.missed = tap
    return run


def simulators(session: Session, course: Course) -> list[Question]:
    """The course's walkthrough questions, in the order of its quiz file."""
    return list(
        session.scalars(
            select(Question)
            .where(Question.course_id == course.id, Question.type == "walkthrough")
            .order_by(Question.position)
        )
    )


def get_simulator(session: Session, course: Course, key: str) -> Question | None:
    return session.scalar(
        select(Question).where(
            Question.course_id == course.id, Question.type == "walkthrough", Question.key == key
        )
    )


def lesson_slugs(data: dict) -> list[str]:
    """The lessons a simulator practises: its `lesson`, one name or a list of names."""
    named = data.get("lesson")
    if named is None:
        return []
    return [named] if isinstance(named, str) else list(named)


def for_lesson(session: Session, lesson: Lesson) -> list[Question]:
    """The simulators that practise what this lesson teaches (their `lesson` names it)."""
    return [q for q in simulators(session, lesson.course) if lesson.slug in lesson_slugs(q.data)]
