"""Configuration read from the environment, so one image serves every deployment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

DEFAULTS = {
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ("vi", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Every account, staff or not: a learner past it resumes with their code or QR card.
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    "PASSWORD_RESET_MAX_AGE": 3600,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Cầu Nối <no-reply@caunoi.local>",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
}


class ConfigError(RuntimeError):
    """The environment does not describe a runnable site."""


def load(app, overrides=None):
    """Fill app.config from defaults, the environment, then explicit overrides (tests)."""
    app.config.from_mapping(DEFAULTS)
    env = os.environ
    app.config["ENVIRONMENT"] = env.get("CAUNOI_ENV", "development")
    app.config["SQLALCHEMY_DATABASE_URI"] = env.get("DATABASE_URL") or _sqlite_url(app)
    for name in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "MAIL_SERVER"):
        if env.get(name):
            app.config[name] = env[name]
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    production = app.config["ENVIRONMENT"] == "production"
    app.config["PRODUCTION"] = production
    if production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigError("SECRET_KEY must be set when CAUNOI_ENV=production")
        app.config["SECRET_KEY"] = _development_secret(app)


def _sqlite_url(app):
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(Path(app.instance_path) / "caunoi.sqlite3")


def _development_secret(app):
    """Generate the development key once, so sessions survive a restart."""
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
