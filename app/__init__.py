"""The Cầu Nối site: create_app builds one configured application from the kernel and its parts."""

from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config as app_config
from app import database
from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    """The kernel, then each part's init_app (blueprints, API routes, commands, models, kinds)."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    from app.urls import IdConverter, absolute_url

    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.jinja_env.globals["absolute_url"] = absolute_url
    app_config.load(app, config)
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind nginx every connection comes from nginx: trust the last N X-Forwarded-For
        # entries (those the proxies added), so the per-address limits see the visitor. Never by
        # default: a client connecting directly would write the header itself.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]

    db.init_app(app)
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        # after Flask-SQLAlchemy's own teardown, so it runs before it (teardowns run in reverse)
        app.teardown_appcontext(database.end_reading)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app import access, errors, i18n, navigation, security, tasks

    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    navigation.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    tasks.init_app(app)  # before the parts: they register their tasks and periodic jobs
    from app.api.views import authenticate as authenticate_api

    # A bearer token, never a cookie, names the user of an API request: before access.enforce.
    app.before_request(authenticate_api)
    app.before_request(access.enforce)

    _init_kernel(app)
    # The factory's list of parts: the one place the kernel names them. Order matters only for
    # the demo, whose later parts build on the earlier ones' data.
    import courses
    import impact
    import scheduling

    for part in (scheduling, courses, impact):
        part.init_app(app)

    from app.api import bp as api_bp

    app.register_blueprint(api_bp)  # last: the parts have nested their API blueprints in it
    return app


def _init_kernel(app: Flask) -> None:
    """The kernel's own pages, models and commands."""
    from app import cli
    from app.admin.views import admin_home_block
    from app.admin.views import bp as admin_bp
    from app.api import models as api_models  # noqa: F401  (its table)
    from app.audit.views import bp as audit_bp
    from app.auth.views import bp as auth_bp
    from app.main.views import bp as main_bp
    from app.notifications import init_channels
    from app.notifications import jobs as notification_jobs
    from app.notifications import models as notification_models  # noqa: F401  (its table)
    from app.notifications.views import bp as notifications_bp
    from app.parts import add_home_block
    from app.places.views import bp as places_bp
    from app.roles import Role
    from app.skills.views import bp as skills_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(places_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    init_channels(app)
    notification_jobs.init_app(app)
    add_home_block(app, Role.ADMIN, admin_home_block)
    app.register_blueprint(audit_bp)
    app.register_blueprint(skills_bp)
    cli.init_app(app)
