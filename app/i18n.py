"""Language choice (API: Accept-Language; then cookie, profile, Vietnamese) and formatting."""

from functools import lru_cache, wraps

from babel.core import Locale
from babel.support import NullTranslations
from flask import current_app, g, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
)
from flask_babel.speaklater import LazyString
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

LANGUAGE_COOKIE = "lang"
#: how long a device remembers a preference (language, text size)
PREFERENCE_MAX_AGE = 365 * 24 * 3600


def remember_preference(response, name: str, value: str):
    """Set a preference cookie (language, text size): read by the server only, so HttpOnly;
    SameSite=Lax; Secure in production. The one way such a cookie is set."""
    response.set_cookie(
        name,
        value,
        max_age=PREFERENCE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["PRODUCTION"],
    )
    return response


def forget_preference(response, name: str):
    """Drop a preference cookie, with the same flags it was set with."""
    response.delete_cookie(
        name, samesite="Lax", httponly=True, secure=current_app.config["PRODUCTION"]
    )
    return response


def select_locale() -> Locale:
    """Flask-Babel's locale selector: the reader's language as a Babel Locale.

    The Locale itself, made once per language: Flask-Babel hands a Locale back unchanged
    (`Locale.parse` returns one as it is), and parsing "vi" or "en" again cost each request
    about 10 µs."""
    return _locale(_chosen_language())


def _chosen_language() -> str:
    languages = current_app.config["LANGUAGES"]
    # A phone states its language per request; a browser's choice lives in the cookie.
    if request.path.startswith("/api/"):
        asked = _best_language(request.headers.get("Accept-Language", ""), tuple(languages))
        if asked:
            return asked
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=256)
def _best_language(header: str, languages: tuple[str, ...]) -> str | None:
    """Of `languages`, the best for an Accept-Language header; None when it names none of them.
    Remembered by the header's text: a phone sends the same header with every request, and
    parsing it cost each API request about 15 µs. At most 256 headers, each no longer than
    gunicorn's 8 KB limit on a header line."""
    return parse_accept_header(header, LanguageAccept).best_match(languages) if header else None


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def remembered(formatter):
    """The Babel formatter, remembering its answers for the request: a list of 50 shifts formats
    the same few times over and over, and each call costs Babel tens of microseconds."""

    @wraps(formatter)
    def format_once(value, *args, **kwargs):
        found = _globals()
        memo = found.setdefault("formatted", {}) if found is not None else {}
        # the locale itself, not its name: Locale hashes its parts, str() builds the identifier
        key = (formatter, _locale_in_force(found), value, args, *kwargs.items())
        if key not in memo:
            memo[key] = formatter(value, *args, **kwargs)
        return memo[key]

    return format_once


def _globals():
    """The app context's ``g`` itself, or None outside one: looked up once, then read as a plain
    object. Each use of the ``g`` proxy looks the context up again, and a page asks for its
    translations and formats over a hundred times."""
    try:
        return g._get_current_object()
    except RuntimeError:
        return None


def _locale_in_force(found=None) -> Locale | None:
    """`get_locale()` once it has been chosen for the request: read where Flask-Babel keeps it
    (``force_locale`` replaces it there), from ``g`` as `_globals` found it; before the choice,
    or outside a request, Flask-Babel's own answer."""
    if found is None:
        found = _globals()
    state = getattr(found, "_flask_babel", None)
    return getattr(state, "babel_locale", None) or get_locale()


def language() -> str:
    """The reader's language in force, "vi" or "en": which of a text kept in both languages to
    show (a skill's name, a course's title). Read through `_locale_in_force`, as cheaply as a
    translation; Vietnamese outside a request."""
    try:
        locale = _locale_in_force()
    except RuntimeError:  # an app context without a request, and no language forced
        return "vi"
    return locale.language if locale is not None else "vi"


def translations():
    """Babel's translations for the locale in force, looked up once per request and locale
    (``force_locale`` changes the locale for a mail worded in its reader's language): a page's
    every ``_()`` and lazy label asked Flask-Babel again, through eight lookups of its context,
    about a tenth of a page's time."""
    found = _globals()
    if found is None:  # outside any app context: Flask-Babel's answer (no translation)
        return get_translations()
    locale = _locale_in_force(found)
    memo = getattr(found, "_translations", None)
    if memo is None or memo[0] is not locale:
        memo = found._translations = (locale, get_translations())
    return memo[1]


def _gettext_now(string: str, **variables) -> str:
    """Flask-Babel's ``gettext``, through the translations of `translations`."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's ``lazy_gettext`` (the same lazy string), worded through `translations`: a
    form's labels and the enums' names are lazy, and a page shows dozens of them."""
    return LazyString(_gettext_now, string, **variables)


@pass_eval_context
def template_gettext(eval_ctx, string: str, /, **variables) -> str:
    """A template's ``_()`` and ``gettext()``, as Jinja's newstyle gettext answers: the
    translation, made Markup where the template escapes, then always formatted with the
    (escaped) variables, so ``%%`` reads ``%`` with or without them.

    Called straight from the template: Jinja's own wrapper goes through two more of its
    ``Context.call``, about two thirds of a ``_()``'s cost, and a page says ``_()`` fifty
    times. A text without variables is looked up once per catalogue (`_template_text`)."""
    if not variables:
        return _template_text(translations(), string, eval_ctx.autoescape)
    return _worded(translations().ugettext(string), eval_ctx.autoescape, variables)


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    """A template's ``ngettext()``, as Jinja's newstyle one: ``num`` is a variable too."""
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    return _worded(text, eval_ctx.autoescape, variables)


@pass_eval_context
def template_pgettext(eval_ctx, context: str, string: str, /, **variables) -> str:
    """A template's ``pgettext()`` (a text whose meaning depends on its context)."""
    return _worded(translations().upgettext(context, string), eval_ctx.autoescape, variables)


@pass_eval_context
def template_npgettext(
    eval_ctx, context: str, singular: str, plural: str, num: int, /, **variables
) -> str:
    """A template's ``npgettext()``: ``num`` is a variable too."""
    variables.setdefault("num", num)
    text = translations().unpgettext(context, singular, plural, num)
    return _worded(text, eval_ctx.autoescape, variables)


@lru_cache(maxsize=4096)
def _template_text(catalogue: NullTranslations, string: str, autoescape: bool) -> str:
    """One catalogue's translation of a template's literal text, as `template_gettext` gives
    it without variables. Keyed by the catalogue itself (Flask-Babel keeps one per language
    for the process), so a language never answers for another."""
    return _worded(catalogue.ugettext(string), autoescape, {})


def _worded(text: str, autoescape: bool, variables: dict) -> str:
    """Jinja's newstyle meaning of a translated text: Markup where the template escapes (so the
    variables are escaped), always formatted."""
    return (Markup(text) if autoescape else text) % variables


def csrf_token() -> str:
    """The form token, as Flask-WTF's ``csrf_token()``: made once per request, then read from
    ``g`` where Flask-WTF keeps it (a page with a form per row asks for it on every row)."""
    return g.get(current_app.config["WTF_CSRF_FIELD_NAME"]) or generate_csrf()


def init_app(app):
    app.jinja_env.filters.update(
        date=remembered(format_date),
        datetime=remembered(format_datetime),
        time=remembered(format_time),
        number=remembered(format_decimal),
    )
    # Jinja's i18n extension (Flask-Babel adds it), with the callables of this module
    app.jinja_env.extend(newstyle_gettext=True)
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
    )
    app.jinja_env.globals["csrf_token"] = csrf_token
