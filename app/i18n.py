"""Language choice (API: Accept-Language; then cookie, profile, Vietnamese) and formatting."""

from flask import current_app, request
from flask_babel import format_date, format_datetime, format_decimal, format_time
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def select_locale():
    languages = current_app.config["LANGUAGES"]
    # A phone states its language per request; a browser's choice lives in the cookie.
    if request.path.startswith("/api/") and request.accept_languages:
        asked = request.accept_languages.best_match(languages)
        if asked:
            return asked
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app):
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, time=format_time, number=format_decimal
    )
