"""Courses: lessons, quizzes, attempts, progress and certificates."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The courses' pages, API routes, `flask courses` commands, tables and home block."""
    from app.api import nest
    from app.parts import add_home_block
    from app.roles import Role
    from courses import models as _models  # noqa: F401  (its tables)
    from courses.cli import courses_cli
    from courses.learners import models as _learner_models  # noqa: F401
    from courses.learners.views import bp as learners_bp
    from courses.learning import api
    from courses.learning import models as _learning_models  # noqa: F401
    from courses.learning.views import bp as learning_bp
    from courses.learning.views import learner_block
    from courses.reports import models as _report_models  # noqa: F401
    from courses.reports.views import bp as reports_bp
    from courses.views import bp

    for blueprint in (bp, learning_bp, learners_bp, reports_bp):
        app.register_blueprint(blueprint)
    nest(api.bp)
    app.cli.add_command(courses_cli)
    add_home_block(app, Role.LEARNER, learner_block)
