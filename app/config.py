"""Configuration read from the environment, so one image serves every deployment."""

import hashlib
import hmac
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from app.localtime import LOCAL_ZONE
from app.tokens import PURPOSES

DEFAULTS = {
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": LOCAL_ZONE.key,
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
    #: failed sign-ins per account from one address, and per address on any account
    "LOGIN_RATE_LIMIT": "10 per minute",
    #: failed sign-ins per account from every address: stops many addresses, rarely the owner
    "LOGIN_ACCOUNT_RATE_LIMIT": "100 per hour",
    #: wrong learner codes from one address
    "LEARNER_CODE_RATE_LIMIT": "10 per minute",
    #: wrong learner codes from every address together: the code space is shared by all learners
    "LEARNER_CODE_GLOBAL_RATE_LIMIT": "300 per hour",
    "PASSWORD_RESET_MAX_AGE": PURPOSES["password-reset"].max_age,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "Cầu Nối <no-reply@caunoi.local>",
    #: the task queue: empty, a SQLite file in instance/; redis://… in production
    "TASK_QUEUE_URL": None,
    #: run each task inside the call that enqueues it (tests, a site without a worker)
    "TASK_QUEUE_IMMEDIATE": False,
    #: a delivery failing with transient errors is retried with back-off for this long
    "DELIVERY_GIVE_UP_AFTER": timedelta(hours=24),
    #: the first retry's wait; each next one waits twice as long, up to an hour
    "DELIVERY_RETRY_DELAY": timedelta(minutes=1),
    #: messages one coordinator may broadcast in an hour (scheduling.broadcasts)
    "BROADCASTS_PER_HOUR": 5,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    #: where vulnerability reports go (docs/SECURITY.md), published in /.well-known/security.txt;
    #: a placeholder until the deployment sets its own
    "SECURITY_CONTACT": "mailto:security@caunoi.example.vn",
    #: local days after a home visit (or its planned day) when the address is erased anyway
    "HOME_SUPPORT_RETENTION_DAYS": 30,
    #: proxies in front whose X-Forwarded-For is trusted (ProxyFix); 0: the connection's address
    "PROXY_FIX_X_FOR": 0,
    # Compression (Flask-Compress), chosen for 3-15 KB pages on a 400 kbit/s link, where a byte
    # costs a reader 0.02 ms (docs/PERFORMANCE.md, "Compression levels"): Brotli first, since its
    # built-in dictionary of HTML words makes these pages smaller at level 5 than zstd at any
    # level; level 7 is the last before its CPU jumps tenfold, zstd's 5 and gzip's 6 the last
    # whose next level still saves 1 %.
    "COMPRESS_ALGORITHM": ["br", "zstd", "gzip", "deflate"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "zstd", "deflate"],
    "COMPRESS_BR_LEVEL": 7,
    "COMPRESS_ZSTD_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
}

#: settings read from the environment as whole numbers (0 or more)
COUNTS = ("HOME_SUPPORT_RETENTION_DAYS", "PROXY_FIX_X_FOR", "BROADCASTS_PER_HOUR")

#: Web Push and SMS (README "Notices: push and SMS"); each channel is off until configured
CHANNEL_SETTINGS = (
    "VAPID_PRIVATE_KEY",
    "VAPID_PUBLIC_KEY",
    "VAPID_SUBJECT",
    "SMS_PROVIDER",
    "SMS_GATEWAY_URL",
    "SMS_API_KEY",
    "SMS_USERNAME",
    "SMS_PASSWORD",
    "SMS_SENDER",
)

#: where links point when SITE_URL is not set, outside production: `make run`'s address
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable site."""


def load(app, overrides=None):
    """Fill app.config from defaults, the environment, then explicit overrides (tests)."""
    app.config.from_mapping(DEFAULTS)
    env = os.environ
    app.config["ENVIRONMENT"] = env.get("CAUNOI_ENV", "development")
    app.config["SQLALCHEMY_DATABASE_URI"] = env.get("DATABASE_URL") or _sqlite_url(app)
    names = (
        "SECRET_KEY",
        "RESIDENT_CARD_KEY",
        "RATELIMIT_STORAGE_URI",
        "RATELIMIT_ALLOW_MEMORY",
        "MAIL_SERVER",
        "MAIL_USERNAME",
        "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER",
        "TASK_QUEUE_URL",
        "SITE_URL",
        "SECURITY_CONTACT",
    )
    for name in names + CHANNEL_SETTINGS:
        if env.get(name):
            app.config[name] = env[name]
    for name in COUNTS:
        if env.get(name):
            app.config[name] = env[name]
    if env.get("MAIL_PORT"):
        app.config["MAIL_PORT"] = int(env["MAIL_PORT"])
    for flag in ("MAIL_USE_TLS", "TASK_QUEUE_IMMEDIATE"):
        if env.get(flag):
            app.config[flag] = _truthy(env[flag])
    if env.get("DELIVERY_GIVE_UP_HOURS"):
        app.config["DELIVERY_GIVE_UP_AFTER"] = timedelta(hours=float(env["DELIVERY_GIVE_UP_HOURS"]))
    if env.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in env["TRUSTED_HOSTS"].split(",") if h]
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)
    for name in COUNTS:
        app.config[name] = _count(name, app.config[name])
    production = app.config["ENVIRONMENT"] == "production"
    app.config["PRODUCTION"] = production
    if production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigError("SECRET_KEY must be set when CAUNOI_ENV=production")
        app.config["SECRET_KEY"] = _development_secret(app)
    _resident_card_key(app.config, production)
    _site(app.config, production)
    if production:
        _check_rate_limit_storage(app.config)


def _resident_card_key(config, production):
    """RESIDENT_CARD_KEY keys the digest of resident cards (impact/cards/services.py): required in
    production, where it must stay apart from SECRET_KEY (rotating SECRET_KEY signs everyone out;
    rotating this key would cut every resident from their card). Elsewhere it is derived from
    SECRET_KEY, so development and tests need nothing more."""
    if config.get("RESIDENT_CARD_KEY"):
        return
    if production:
        raise ConfigError(
            "RESIDENT_CARD_KEY must be set when CAUNOI_ENV=production: the key of resident "
            "cards' digests, e.g. from python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    config["RESIDENT_CARD_KEY"] = hmac.new(
        config["SECRET_KEY"].encode(), b"resident-card-key", hashlib.sha256
    ).hexdigest()


def _count(name, value):
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 0:
        raise ConfigError(f"{name} must be a whole number, 0 or more, not {value!r}")
    return count


def _site(config, production):
    """SITE_URL, the one origin of every absolute URL (app/urls.py absolute_url), and in
    production the hosts a request may name: any other Host header gets 400 (Flask's
    TRUSTED_HOSTS), so nothing the site builds or answers depends on a forged Host."""
    if not config.get("SITE_URL"):
        if production:
            raise ConfigError(
                "SITE_URL must be set when CAUNOI_ENV=production, e.g. SITE_URL="
                "https://caunoi.example.vn: every link in mails and QR codes starts with it"
            )
        config["SITE_URL"] = DEVELOPMENT_SITE_URL
    site = urlsplit(config["SITE_URL"])
    if site.scheme not in ("http", "https") or not site.hostname or site.query or site.fragment:
        raise ConfigError(f"SITE_URL must be an http(s) address, not {config['SITE_URL']!r}")
    if production and site.scheme != "https":
        raise ConfigError("SITE_URL must start with https:// when CAUNOI_ENV=production")
    config["SITE_URL"] = config["SITE_URL"].rstrip("/")
    if production and not config.get("TRUSTED_HOSTS"):
        config["TRUSTED_HOSTS"] = [site.hostname]


def _check_rate_limit_storage(config):
    """Production counts rate limits in a store every process shares, or says it runs one.

    With memory:// each gunicorn worker counts on its own: two workers let through twice the
    documented number of password guesses, and every further worker or server adds as many.
    """
    if not config.get("RATELIMIT_ENABLED", True):
        return
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        return
    if _truthy(str(config.get("RATELIMIT_ALLOW_MEMORY", ""))):
        return
    raise ConfigError(
        "RATELIMIT_STORAGE_URI is memory:// (each process counts on its own) when "
        "CAUNOI_ENV=production: set it to a store every process shares, e.g. "
        "redis://127.0.0.1:6379/0, or set RATELIMIT_ALLOW_MEMORY=1 if exactly one process serves "
        "the site."
    )


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


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
