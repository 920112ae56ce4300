"""The learning part's API shapes: courses with the caller's progress."""

from typing import Literal

from pydantic import Field

from app.api.schemas import Shape
from courses.content import AUDIENCES

Audience = Literal[AUDIENCES]


class CourseProgress(Shape):
    lessons_done: int = Field(ge=0)
    mastered: bool = Field(description="An attempt at the quiz reached the course's pass mark.")
    best_score: int | None = Field(
        ge=0, le=100, description="Best finished attempt, percent; null before any."
    )


class Course(Shape):
    slug: str
    title: str = Field(description="In the request's language.")
    summary: str = Field(description="In the request's language.")
    audience: Audience
    minutes: int = Field(description="Estimated time to finish.")
    lessons_count: int = Field(ge=0)
    progress: CourseProgress


class Lesson(Shape):
    slug: str
    title: str
    done: bool = Field(description="Marked done by the caller.")


class CourseDetail(Course):
    lessons: list[Lesson]
