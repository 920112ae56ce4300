"""The header's menu: one line on a phone, grouped by task, short, each label distinct."""

import re

import pytest

from app import navigation
from app.notifications import services as notifications
from app.roles import Role


def _english(client):
    client.set_cookie("lang", "en")


def _menu(html):
    """(group labels, entry labels) of the header's menu, in order."""
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    groups = re.findall(r'<summary(?: class="current")?>([^<]+?)(?: <span|</summary>)', header)
    entries = re.findall(
        r'<li><a href="[^"]+"(?: aria-current="page")?>([^<]+?)(?: <span|</a>)', header
    )
    return [g.strip() for g in groups], [e.strip() for e in entries]


def test_the_header_is_a_menu_button_and_one_language_button(client):
    _english(client)
    html = client.get("/").get_data(as_text=True)
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert '<details class="menu">' in header
    assert "<summary>Menu" in header
    # one language button: the other language, named in that language
    assert re.findall(r'<button name="language"[^>]*>([^<]+)</button>', header) == ["Tiếng Việt"]


def test_a_visitor_sees_courses_places_and_how_to_sign_in(client):
    _english(client)
    groups, entries = _menu(client.get("/").get_data(as_text=True))
    assert groups[1:] == ["Learning", "Reports", "Account"]
    assert entries == ["Courses", "Places", "Log in", "Register"]


@pytest.mark.parametrize(
    "roles",
    [
        (Role.VOLUNTEER,),
        (Role.COORDINATOR,),
        (Role.LEARNER,),
        (Role.ADMIN,),
        (Role.VOLUNTEER, Role.COORDINATOR),
        (Role.VOLUNTEER, Role.COORDINATOR, Role.ADMIN),
    ],
)
def test_every_role_gets_at_most_six_groups_of_at_most_six_distinct_entries(
    client, login, make_user, bo_de, roles
):
    user = make_user(*roles, commune=bo_de, home_commune=bo_de)
    login(user)
    _english(client)
    html = client.get("/courses").get_data(as_text=True)
    groups, entries = _menu(html)
    menu_groups = re.findall(r'<details class="menu-group"', html)
    assert len(menu_groups) == len(groups) - 1 <= 6  # the first summary is the menu button
    for group in html.split('<details class="menu-group"')[1:]:
        assert group.count("<li>") <= 6 + 2  # the account group adds text size and log out
    labels = groups[1:] + entries
    assert len(labels) == len(set(labels)), labels


def test_the_assist_pages_have_labels_that_do_not_look_alike(client, login, make_user, bo_de):
    login(make_user(Role.VOLUNTEER, Role.COORDINATOR, commune=bo_de))
    _english(client)
    groups, entries = _menu(client.get("/courses").get_data(as_text=True))
    assert "Check-in and assists" in groups
    assert {"Log an assist", "Past assists", "Home visit requests"} <= set(entries)
    assert "Assists" not in entries and "Home support" not in entries


def test_the_current_page_is_marked_and_its_group_too(client, login, volunteer):
    login(volunteer)
    html = client.get("/me/shifts").get_data(as_text=True)
    assert 'href="/me/shifts" aria-current="page"' in html
    assert html.count('<summary class="current">') == 1


def test_the_menu_is_computed_once_per_request_its_rules_once_per_set_of_roles(
    app, client, login, volunteer, monkeypatch
):
    login(volunteer)
    app.extensions.pop("menu_entries", None)  # as a freshly started worker
    rules, unread = [], []
    real_rule, real_unread = navigation.rule_for, notifications.unread_count
    monkeypatch.setattr(
        navigation, "rule_for", lambda endpoint: rules.append(endpoint) or real_rule(endpoint)
    )
    monkeypatch.setattr(
        notifications, "unread_count", lambda *args: unread.append(args) or real_unread(*args)
    )

    first = client.get("/me/shifts")
    checked = len(rules)
    second = client.get("/courses")

    assert first.status_code == second.status_code == 200
    # which pages the volunteer's roles may open: checked once for the first page, then reused
    assert checked == len(rules) == len(set(rules)) > 0
    # the badge's count: once per page, however often the header asks for the menu
    assert len(unread) == 2


def test_my_code_is_in_the_menu_only_for_a_learner_with_a_code(client, login, make_user):
    _english(client)
    login(make_user(Role.LEARNER))  # joined by email: no code to keep
    assert "My code" not in _menu(client.get("/courses").get_data(as_text=True))[1]
    client.post("/logout")

    response = client.post(
        "/learn/join", data={"full_name": "Bà Lan", "home_province": "01", "home_commune": "bo de"}
    )
    assert response.status_code == 302
    assert "My code" in _menu(client.get("/courses").get_data(as_text=True))[1]


def test_every_page_has_a_meta_description(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<meta name="description" content="[^"]{40,}">', html)


def test_a_learner_with_a_code_is_reminded_to_keep_it_before_logging_out(client, login, make_user):
    _english(client)
    login(make_user(Role.LEARNER))
    assert "keep your personal code" not in client.get("/courses").get_data(as_text=True)
    client.post("/logout")

    client.post(
        "/learn/join", data={"full_name": "Bà Lan", "home_province": "01", "home_commune": "bo de"}
    )
    html = client.get("/courses").get_data(as_text=True)
    note = html.index("keep your personal code")
    assert note < html.index(">Log out</button>")
