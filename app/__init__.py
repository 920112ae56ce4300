"""The Cầu Nối site: create_app builds one configured application."""

from pathlib import Path

from flask import Flask

from app import config as app_config
from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    from app.urls import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    app_config.load(app, config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app import access, errors, i18n, navigation, security

    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    from app.api import models as api_models  # noqa: F401
    from app.api.views import authenticate as authenticate_api

    # A bearer token, never a cookie, names the user of an API request: before access.enforce.
    app.before_request(authenticate_api)
    app.before_request(access.enforce)

    import courses.learners.models  # noqa: F401
    import courses.learning.models  # noqa: F401
    import courses.models  # noqa: F401
    import courses.reports.models  # noqa: F401
    import scheduling.checkin.models  # noqa: F401
    import scheduling.coverage.models  # noqa: F401
    import scheduling.models  # noqa: F401
    import scheduling.reminders.models  # noqa: F401
    import scheduling.teams.models  # noqa: F401
    from app.assists import models as assist_models  # noqa: F401
    from app.home_support import models as home_support_models  # noqa: F401
    from app.impact import models as impact_models  # noqa: F401
    from app.notifications import models as notification_models  # noqa: F401

    _register_blueprints(app)
    _register_cli(app)
    return app


def _register_blueprints(app):
    import courses.learning.api  # noqa: F401  (its routes join the API blueprint)
    import scheduling.api  # noqa: F401  (its routes join the API blueprint)
    import scheduling.checkin.api  # noqa: F401
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.assists import api as assists_api  # noqa: F401  (routes join the API blueprint)
    from app.assists import bp as assists_bp
    from app.assists.procedures import bp as procedures_bp
    from app.auth import bp as auth_bp
    from app.home_support import bp as home_support_bp
    from app.impact import bp as impact_bp
    from app.main import bp as main_bp
    from app.notifications import bp as notifications_bp
    from app.places import bp as places_bp
    from courses import bp as courses_bp
    from courses.learners import bp as learners_bp
    from courses.learning import bp as learning_bp
    from courses.reports import bp as course_reports_bp
    from scheduling import bp as scheduling_bp
    from scheduling.campaigns import bp as campaigns_bp
    from scheduling.checkin import bp as checkin_bp
    from scheduling.coverage import bp as coverage_bp
    from scheduling.teams import bp as teams_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(scheduling_bp)
    app.register_blueprint(coverage_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(courses_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(learners_bp)
    app.register_blueprint(course_reports_bp)
    app.register_blueprint(assists_bp)
    app.register_blueprint(procedures_bp, url_prefix="/admin")
    app.register_blueprint(home_support_bp)
    app.register_blueprint(impact_bp)


def _register_cli(app):
    from app import cli

    cli.init_app(app)
