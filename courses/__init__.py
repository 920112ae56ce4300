"""Courses: lessons, quizzes, attempts, progress and certificates."""
