"""Teams: coordinators create and edit teams in their scope, add and remove members, a leader."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.roles import Role
from scheduling.teams import services
from scheduling.teams.models import Team, TeamKind, TeamMember


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def make_team(bo_de):
    def make(name="Chi đoàn phường Bồ Đề", commune=None, members=(), **fields):
        commune = commune or bo_de
        team = Team(
            name=name,
            kind=fields.pop("kind", TeamKind.YOUTH_BRANCH),
            province_id=commune.province_id,
            commune_id=commune.id,
            **fields,
        )
        db.session.add(team)
        db.session.flush()
        for person in members:
            db.session.add(TeamMember(team_id=team.id, user_id=person.id))
        db.session.flush()
        return team

    return make


def _members(team):
    return set(db.session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id)))


def test_coordinator_creates_a_team_of_their_ward(english, login, coordinator, bo_de):
    login(coordinator, on=english)
    form = english.get("/teams/new").get_data(as_text=True)
    assert "Phường Bồ Đề" in form
    response = english.post(
        "/teams/new",
        data={"name": "Chi đoàn khu dân cư số 3", "kind": "youth_branch", "scope": f"c:{bo_de.id}"},
    )
    assert response.status_code == 302
    team = db.session.scalar(select(Team))
    assert (team.name, team.kind, team.commune_id) == (
        "Chi đoàn khu dân cư số 3",
        TeamKind.YOUTH_BRANCH,
        bo_de.id,
    )
    assert "Chi đoàn khu dân cư số 3" in english.get("/teams").get_data(as_text=True)


def test_ward_coordinator_cannot_give_a_team_another_commune(
    english, login, coordinator, other_commune
):
    login(coordinator, on=english)
    response = english.post(
        "/teams/new", data={"name": "Đội", "kind": "other", "scope": f"c:{other_commune.id}"}
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalar(select(Team)) is None


def test_team_without_a_name_is_refused_and_nothing_is_written(english, login, coordinator, bo_de):
    login(coordinator, on=english)
    response = english.post(
        "/teams/new", data={"name": " ", "kind": "other", "scope": f"c:{bo_de.id}"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(select(Team)) is None


def test_province_coordinator_creates_a_university_class_of_the_city(
    english, login, province_coordinator, hanoi
):
    login(province_coordinator, on=english)
    english.post(
        "/teams/new",
        data={
            "name": "Lớp K67 CNTT, Đại học Bách khoa Hà Nội",
            "kind": "university_class",
            "scope": f"p:{hanoi.id}",
        },
    )
    team = db.session.scalar(select(Team))
    assert (team.province_id, team.commune_id) == (hanoi.id, None)


def test_coordinator_edits_a_team(english, login, coordinator, make_team, bo_de):
    team = make_team()
    login(coordinator, on=english)
    assert "Chi đoàn phường Bồ Đề" in english.get(f"/teams/{team.id}/edit").get_data(as_text=True)
    english.post(
        f"/teams/{team.id}/edit",
        data={"name": "Đội hình tình nguyện Bồ Đề", "kind": "other", "scope": f"c:{bo_de.id}"},
    )
    db.session.refresh(team)
    assert (team.name, team.kind) == ("Đội hình tình nguyện Bồ Đề", TeamKind.OTHER)


def test_members_are_added_by_email_and_removed(
    english, login, coordinator, make_team, make_volunteer
):
    team = make_team()
    an = make_volunteer(full_name="Nguyễn Văn An", email="an@example.com")
    login(coordinator, on=english)
    english.post(f"/teams/{team.id}/members", data={"email": " AN@example.com "})
    assert _members(team) == {an.id}
    page = english.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "1 member" in page
    english.post(f"/teams/{team.id}/members/{an.id}/remove")
    assert _members(team) == set()


def test_an_unknown_email_and_a_non_volunteers_email_get_the_same_answer(
    english, login, coordinator, make_team, learner
):
    """Saying "not a volunteer" would tell that the email has an account."""
    team = make_team()
    login(coordinator, on=english)
    pages = [
        english.post(
            f"/teams/{team.id}/members", data={"email": email}, follow_redirects=True
        ).get_data(as_text=True)
        for email in ("nobody@example.com", learner.email)
    ]
    assert all("No volunteer of your communes has this email." in page for page in pages)
    assert not any("only volunteers join teams" in page for page in pages)
    assert _members(team) == set()


def test_search_ignores_diacritics_and_stays_in_the_coordinators_communes(
    english, login, coordinator, make_team, make_volunteer, make_user, other_commune
):
    team = make_team()
    mine = make_volunteer(full_name="Trần Thị Đào")
    elsewhere = make_user(Role.VOLUNTEER, home_commune=other_commune, full_name="Trần Thị Đông")
    login(coordinator, on=english)
    page = english.get(f"/teams/{team.id}?q=tran+thi+d").get_data(as_text=True)
    assert "Trần Thị Đào" in page
    assert "Trần Thị Đông" not in page
    english.post(f"/teams/{team.id}/members", data={"user_id": mine.id, "q": "tran thi d"})
    assert _members(team) == {mine.id}
    # a volunteer outside the scope cannot be added by forging the search's form
    english.post(f"/teams/{team.id}/members", data={"user_id": elsewhere.id, "q": "tran thi d"})
    assert _members(team) == {mine.id}


def test_a_volunteers_phone_shows_only_once_they_are_in_the_team(
    english, login, coordinator, make_team, make_volunteer
):
    team = make_team()
    an = make_volunteer(full_name="Nguyễn Văn An", email="an@example.com", phone="0912 345 678")
    login(coordinator, on=english)
    looked_up = english.get(f"/teams/{team.id}?q=an@example.com").get_data(as_text=True)
    assert "Nguyễn Văn An" in looked_up and "0912 345 678" not in looked_up

    english.post(f"/teams/{team.id}/members", data={"email": "an@example.com"})

    assert _members(team) == {an.id}
    assert "0912 345 678" in english.get(f"/teams/{team.id}").get_data(as_text=True)


def test_an_email_of_a_volunteer_living_elsewhere_adds_nobody_and_shows_no_phone(
    english, login, coordinator, make_team, make_user, other_commune
):
    """A ward coordinator typing the email of a volunteer of another ward does not make them a
    member (whose phone the team page shows), and is told what an unknown email is told."""
    team = make_team()
    make_user(
        Role.VOLUNTEER, home_commune=other_commune, email="dong@example.com", phone="0987 654 321"
    )
    login(coordinator, on=english)

    response = english.post(
        f"/teams/{team.id}/members", data={"email": "dong@example.com"}, follow_redirects=True
    )

    page = response.get_data(as_text=True)
    assert "No volunteer of your communes has this email." in page
    assert "0987 654 321" not in page
    assert _members(team) == set()


def test_a_province_coordinator_adds_a_volunteer_of_any_ward_of_the_city_by_email(
    english, login, province_coordinator, make_team, make_user, other_commune
):
    team = make_team()
    dong = make_user(Role.VOLUNTEER, home_commune=other_commune, email="dong@example.com")
    login(province_coordinator, on=english)
    english.post(f"/teams/{team.id}/members", data={"email": "dong@example.com"})
    assert _members(team) == {dong.id}


def test_leader_is_one_of_the_members(english, login, coordinator, make_team, make_volunteer):
    an, binh = make_volunteer(), make_volunteer()
    team = make_team(members=[an])
    login(coordinator, on=english)
    english.post(f"/teams/{team.id}/members/{an.id}/lead")
    db.session.refresh(team)
    assert team.leader_id == an.id
    assert english.post(f"/teams/{team.id}/members/{binh.id}/lead").status_code == 404
    english.post(f"/teams/{team.id}/members/{an.id}/remove")
    db.session.refresh(team)
    assert team.leader_id is None


def test_another_communes_coordinator_cannot_open_or_change_the_team(
    english, login, other_coordinator, make_team, make_volunteer
):
    an = make_volunteer(email="an@example.com")
    team = make_team(members=[an])
    login(other_coordinator, on=english)
    assert "Chi đoàn phường Bồ Đề" not in english.get("/teams").get_data(as_text=True)
    for url in (f"/teams/{team.id}", f"/teams/{team.id}/edit", f"/teams/{team.id}/place"):
        assert english.get(url).status_code == 404, url
    for url, data in (
        (f"/teams/{team.id}/members", {"email": "an@example.com"}),
        (f"/teams/{team.id}/members/{an.id}/remove", {}),
        (f"/teams/{team.id}/members/{an.id}/lead", {}),
        (f"/teams/{team.id}/edit", {"name": "x", "kind": "other", "scope": "c:1"}),
    ):
        assert english.post(url, data=data).status_code == 404, url
    assert _members(team) == {an.id}
    db.session.refresh(team)
    assert team.leader_id is None and team.name == "Chi đoàn phường Bồ Đề"


def test_province_coordinator_keeps_the_teams_of_every_ward_of_the_city(
    english, login, province_coordinator, make_team, other_commune
):
    team = make_team(commune=other_commune, name="Chi đoàn phường khác")
    login(province_coordinator, on=english)
    assert english.get(f"/teams/{team.id}").status_code == 200
    assert "Chi đoàn phường khác" in english.get("/teams").get_data(as_text=True)


def test_volunteers_cannot_open_team_pages(english, login, volunteer, make_team):
    team = make_team()
    login(volunteer, on=english)
    assert english.get("/teams").status_code == 403
    assert english.get(f"/teams/{team.id}").status_code == 403


def test_volunteer_sees_their_own_teams(english, login, volunteer, make_team):
    make_team(members=[volunteer], leader_id=volunteer.id)
    make_team(name="Lớp khác")
    login(volunteer, on=english)
    page = english.get("/me/teams").get_data(as_text=True)
    assert "Chi đoàn phường Bồ Đề" in page
    assert "Lớp khác" not in page


def test_teams_in_scope_counts_members(coordinator, make_team, make_volunteer):
    make_team(members=[make_volunteer(), make_volunteer()])
    (team,) = services.teams_in_scope(db.session, coordinator)
    assert team.member_count == 2
