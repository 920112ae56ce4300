"""The templates' translation and form-token helpers (app/i18n.py): looked up once per request,
yet never stale when the locale changes within the request."""

from flask import render_template_string
from flask_babel import force_locale
from flask_wtf.csrf import generate_csrf


def test_a_template_follows_a_forced_locale_and_comes_back(app):
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        before = render_template_string('{{ _("Log out") }}')
        with force_locale("vi"):  # a mail worded in its reader's language, inside a request
            forced = render_template_string('{{ _("Log out") }}')
        after = render_template_string('{{ _("Log out") }}')

    assert before == after == "Log out"
    assert forced == "Đăng xuất"


def test_a_plural_is_translated_with_its_number(app):
    template = '{{ ngettext("%(num)s lesson", "%(num)s lessons", n) }}'
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert render_template_string(template, n=1) == "1 lesson"
        assert render_template_string(template, n=3) == "3 lessons"


def test_every_form_of_a_page_carries_the_requests_one_token(app):
    with app.test_request_context("/"):
        tokens = render_template_string("{{ csrf_token() }} {{ csrf_token() }}").split()
        assert tokens[0] == tokens[1] == generate_csrf()
