"""The admin's roles page: find a user, grant a role with its scope, take it back."""

import pytest
from sqlalchemy import select

from app.auth.models import RoleGrant
from app.extensions import db
from app.roles import Role


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def _grants(user):
    return db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).all()


def test_admin_finds_a_user_by_name_or_email(client, login, admin, volunteer, learner):
    login(admin)

    by_name = client.get("/admin/roles", query_string={"q": "văn an"}).get_data(as_text=True)
    by_email = client.get("/admin/roles", query_string={"q": learner.email}).get_data(as_text=True)

    assert "Nguyễn Văn An" in by_name and learner.full_name not in by_name
    assert learner.full_name in by_email and "Nguyễn Văn An" not in by_email


def test_the_header_links_the_roles_page_for_an_admin_only(client, login, admin, volunteer):
    login(volunteer)
    assert 'href="/admin/roles"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(admin)
    assert 'href="/admin/roles"' in client.get("/").get_data(as_text=True)


def test_admin_grants_a_coordinator_of_bo_de_then_removes_it(
    client, login, admin, volunteer, bo_de
):
    login(admin)
    url = f"/admin/roles/{volunteer.id}"

    response = client.post(
        url,
        data={"role": "coordinator", "province": "01", "commune": "bo de"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert "Phường Bồ Đề" in response.get_data(as_text=True)
    grant = next(g for g in _grants(volunteer) if g.role == Role.COORDINATOR)
    assert (grant.commune_id, grant.province_id) == (bo_de.id, None)

    response = client.post(f"{url}/grants/{grant.id}/remove", follow_redirects=True)

    assert "no longer holds the role Coordinator" in response.get_data(as_text=True)
    assert [g.role for g in _grants(volunteer)] == [Role.VOLUNTEER]


def test_admin_grants_a_coordinator_of_a_whole_province(client, login, admin, volunteer, hanoi):
    login(admin)

    client.post(f"/admin/roles/{volunteer.id}", data={"role": "coordinator", "province": "01"})

    grant = next(g for g in _grants(volunteer) if g.role == Role.COORDINATOR)
    assert (grant.province_id, grant.commune_id) == (hanoi.id, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "coordinator", "province": ""}, "Choose the province a coordinator works in."),
        (
            {"role": "coordinator", "province": "01", "commune": "Atlantis"},
            "No commune or ward of that name in this province.",
        ),
        (
            {"role": "learner", "province": "01"},
            "Only a coordinator is given a province or a commune.",
        ),
        ({"role": "emperor"}, "Not a valid choice"),
    ],
)
def test_a_bad_grant_is_explained_and_writes_nothing(
    client, login, admin, volunteer, data, message
):
    login(admin)

    response = client.post(f"/admin/roles/{volunteer.id}", data=data)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert [g.role for g in _grants(volunteer)] == [Role.VOLUNTEER]


def test_granting_the_same_role_twice_keeps_one_grant(client, login, admin, volunteer):
    login(admin)

    for _ in range(2):
        client.post(f"/admin/roles/{volunteer.id}", data={"role": "learner"})

    assert sorted(g.role for g in _grants(volunteer)) == [Role.LEARNER, Role.VOLUNTEER]


def test_an_admin_cannot_remove_their_own_last_admin_grant(client, login, admin):
    login(admin)
    (grant,) = _grants(admin)

    response = client.post(
        f"/admin/roles/{admin.id}/grants/{grant.id}/remove", follow_redirects=True
    )

    assert "You cannot remove your own last administrator role" in response.get_data(as_text=True)
    assert _grants(admin) == [grant]
    assert client.get("/admin/roles").status_code == 200


def test_an_admin_may_remove_another_admin(client, login, admin, make_user):
    other = make_user(Role.ADMIN)
    login(admin)
    (grant,) = _grants(other)

    client.post(f"/admin/roles/{other.id}/grants/{grant.id}/remove")

    assert _grants(other) == []


def test_a_grant_of_another_user_is_not_found(client, login, admin, volunteer):
    login(admin)
    (grant,) = _grants(volunteer)

    response = client.post(f"/admin/roles/{admin.id}/grants/{grant.id}/remove")

    assert response.status_code == 404
    assert _grants(volunteer) == [grant]


@pytest.mark.parametrize("who", ["volunteer", "coordinator"])
def test_only_an_admin_opens_the_roles_page(client, login, request, who, volunteer):
    user = request.getfixturevalue(who)
    login(user)

    assert client.get("/admin/roles").status_code == 403
    assert client.get(f"/admin/roles/{volunteer.id}").status_code == 403
    refused = client.post(f"/admin/roles/{volunteer.id}", data={"role": "admin"})
    assert refused.status_code == 403
    assert Role.ADMIN not in volunteer.roles


def test_removing_a_role_needs_the_csrf_token(app, client, login, admin, volunteer):
    login(admin)
    (grant,) = _grants(volunteer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/admin/roles/{volunteer.id}/grants/{grant.id}/remove")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert response.status_code == 400
    assert _grants(volunteer) == [grant]
