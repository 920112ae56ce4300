"""The templates' translation and form-token helpers (app/i18n.py): looked up once per request,
yet never stale when the locale changes within the request."""

import re
from pathlib import Path

from flask import render_template_string
from flask_babel import force_locale
from flask_wtf.csrf import generate_csrf

from app.i18n import language, lazy_gettext


def test_a_template_follows_a_forced_locale_and_comes_back(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        before = render_template_string('{{ _("Log out") }}')
        with force_locale("vi"):  # a mail worded in its reader's language, inside a request
            forced = render_template_string('{{ _("Log out") }}')
        after = render_template_string('{{ _("Log out") }}')

    assert before == after == "Log out"
    assert forced == "Đăng xuất"


def test_a_lazy_label_is_worded_when_shown_in_the_locale_then_in_force(app):
    label = lazy_gettext("Log out")  # made once, at import, like a form's label
    sentence = lazy_gettext("Hello %(name)s,", name="Lan")
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        before = (str(label), render_template_string("{{ label }}", label=label))
        with force_locale("vi"):
            forced = (str(label), str(sentence))
        after = str(label)
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=vi"}):
        vietnamese = str(label)  # another request (its own g), in Vietnamese

    assert before == ("Log out", "Log out") and after == "Log out"
    assert forced == ("Đăng xuất", "Chào Lan,")
    assert vietnamese == "Đăng xuất"


def test_the_language_of_a_text_kept_in_both_follows_the_reader(app, make_user):
    """A skill's name or a course's title is shown in the request's language, in the language
    forced for a mail, and in Vietnamese where no request chose one."""
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        chosen = language()
        with force_locale("vi"):
            forced = language()
    with (
        app.app_context(),
        app.test_request_context("/api/v1/me", headers={"Accept-Language": "en"}),
    ):
        asked_by_phone = language()
    with app.app_context():
        without_request = language()

    assert (chosen, forced, asked_by_phone, without_request) == ("en", "vi", "en", "vi")


def test_a_plural_is_translated_with_its_number(app):
    template = '{{ ngettext("%(num)s lesson", "%(num)s lessons", n) }}'
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert render_template_string(template, n=1) == "1 lesson"
        assert render_template_string(template, n=3) == "3 lessons"


def test_a_templates_text_escapes_its_variables_only_where_the_template_escapes(app):
    page = (
        '{{ _("Hello %(name)s,", name=who) }}|{{ _("100%% of <b>%(string)s</b>", string=who) }}'
        '|{{ ngettext("%(num)s lesson for %(name)s", "%(num)s lessons for %(name)s", 2, '
        'name=who) }}|{{ _("100%% of shifts") }}'
    )
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        escaped = render_template_string(page, who="<i>Lan</i>")
        plain = render_template_string(
            "{% autoescape false %}" + page + "{% endautoescape %}", who="<i>Lan</i>"
        )
        with force_locale("vi"):
            vietnamese = render_template_string('{{ _("Hello %(name)s,", name="Lan") }}')

    # the catalogue's own markup is kept, the variables' is escaped; %% reads % in both shapes
    assert escaped == (
        "Hello &lt;i&gt;Lan&lt;/i&gt;,|100% of <b>&lt;i&gt;Lan&lt;/i&gt;</b>"
        "|2 lessons for &lt;i&gt;Lan&lt;/i&gt;|100% of shifts"
    )
    # a text template (a mail's plain part) takes the values as they are
    assert (
        plain
        == "Hello <i>Lan</i>,|100% of <b><i>Lan</i></b>|2 lessons for <i>Lan</i>|100% of shifts"
    )
    assert vietnamese == "Chào Lan,"


def test_every_form_of_a_page_carries_the_requests_one_token(app):
    with app.test_request_context("/"):
        tokens = render_template_string("{{ csrf_token() }} {{ csrf_token() }}").split()
        assert tokens[0] == tokens[1] == generate_csrf()


def test_every_lazy_string_comes_from_app_i18n():
    """Flask-Babel's own lazy_gettext finds the translations anew at each use (eight lookups of
    its context); a module that imports it slows every page showing its labels."""
    root = Path(__file__).resolve().parents[2]
    flask_babels = re.compile(r"from flask_babel import (\([^)]*\)|[^\n]*)")
    offenders = [
        str(path.relative_to(root))
        for part in ("app", "scheduling", "courses", "impact")
        for path in sorted((root / part).rglob("*.py"))
        for names in flask_babels.findall(path.read_text(encoding="utf-8"))
        if re.search(r"\blazy_gettext\b", names)
    ]
    assert offenders == []
