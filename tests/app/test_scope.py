"""A coordinator's scope (app.scope): built once from the grants, asked by every page and query.

An admin covers everything, a province coordinator every commune of their province, a ward
coordinator their ward; a volunteer or a visitor nothing. The SQL clause keeps exactly the rows
the Python answers cover.
"""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.auth.models import RoleGrant
from app.extensions import db
from app.places.models import Commune, ServicePoint
from app.roles import Role
from app.scope import CoordinatorScope
from scheduling.campaigns.services import campaigns_in_scope, can_edit, can_view


@pytest.fixture
def far_commune(hanoi):
    """A commune of another province than Hanoi."""
    return db.session.scalar(select(Commune).where(Commune.province_id != hanoi.id).limit(1))


@pytest.fixture
def users(make_user, admin, coordinator, province_coordinator, volunteer):
    return {
        "admin": admin,
        "province": province_coordinator,
        "ward": coordinator,
        "volunteer": volunteer,
        "visitor": AnonymousUserMixin(),
    }


#: who covers Bồ Đề, another Hanoi ward, and a commune of another province
COVERS = {
    "admin": (True, True, True),
    "province": (True, True, False),
    "ward": (True, False, False),
    "volunteer": (False, False, False),
    "visitor": (False, False, False),
}


@pytest.mark.parametrize("who", list(COVERS))
def test_each_role_covers_its_communes(users, who, bo_de, other_commune, far_commune):
    scope = CoordinatorScope.of(users[who])
    covered = tuple(scope.covers_commune(c) for c in (bo_de, other_commune, far_commune))
    assert covered == COVERS[who]


@pytest.mark.parametrize("who", list(COVERS))
def test_the_sql_clause_keeps_the_communes_python_covers(
    users, who, bo_de, other_commune, far_commune
):
    scope = CoordinatorScope.of(users[who])
    asked = [bo_de.id, other_commune.id, far_commune.id]
    for clause in (
        scope.communes_clause(Commune.id),
        scope.communes_clause(Commune.id, Commune.province_id),
    ):
        kept = set(db.session.scalars(select(Commune.id).where(Commune.id.in_(asked), clause)))
        assert kept == {c for c, yes in zip(asked, COVERS[who], strict=True) if yes}


@pytest.mark.parametrize("who", list(COVERS))
def test_a_service_point_is_covered_with_its_commune(users, who, bo_de, other_commune):
    points = [ServicePoint(commune=c, name="Điểm", address="") for c in (bo_de, other_commune)]
    db.session.add_all(points)
    db.session.flush()
    scope = CoordinatorScope.of(users[who])
    assert [scope.covers_point(p) for p in points] == list(COVERS[who][:2])
    kept = db.session.scalars(
        select(ServicePoint.id).where(
            ServicePoint.id.in_([p.id for p in points]),
            scope.communes_clause(ServicePoint.commune_id),
        )
    )
    assert set(kept) == {p.id for p, yes in zip(points, COVERS[who][:2], strict=True) if yes}


def test_only_the_province_grant_covers_the_province_whole(users, hanoi):
    assert CoordinatorScope.of(users["admin"]).covers_province(hanoi.id)
    assert CoordinatorScope.of(users["province"]).covers_province(hanoi.id)
    assert not CoordinatorScope.of(users["ward"]).covers_province(hanoi.id)


def test_the_covered_commune_ids_are_read_once_none_for_an_admin(users, bo_de, hanoi):
    assert CoordinatorScope.of(users["admin"]).covered_commune_ids(db.session) is None
    assert CoordinatorScope.of(users["ward"]).covered_commune_ids(db.session) == {bo_de.id}
    in_hanoi = set(db.session.scalars(select(Commune.id).where(Commune.province_id == hanoi.id)))
    assert CoordinatorScope.of(users["province"]).covered_commune_ids(db.session) == in_hanoi
    assert CoordinatorScope.of(users["volunteer"]).covered_commune_ids(db.session) == set()


def test_a_coordinator_of_two_wards_covers_both_and_no_third(
    make_user, bo_de, other_commune, far_commune
):
    user = make_user(Role.COORDINATOR, commune=bo_de)
    user.grants.append(RoleGrant(role=Role.COORDINATOR, commune=far_commune))
    db.session.flush()
    scope = CoordinatorScope.of(user)
    assert scope.covers_commune(bo_de) and scope.covers_commune(far_commune)
    assert not scope.covers_commune(other_commune)


# --- a campaign: seen when one of its communes is covered, edited when all are ---------------


@pytest.mark.parametrize(
    "who, sees, edits",
    [
        ("admin", True, True),
        ("province", True, True),
        ("ward", True, False),
        ("volunteer", False, False),
        ("visitor", False, False),
    ],
)
def test_a_campaign_of_two_wards_is_seen_by_one_wards_coordinator_but_not_edited(
    users, who, sees, edits, make_campaign, bo_de, other_commune
):
    campaign = make_campaign(communes=[bo_de, other_commune])
    scope = CoordinatorScope.of(users[who])
    assert can_view(scope, campaign) is sees
    assert can_edit(scope, campaign) is edits
    assert (campaign in campaigns_in_scope(db.session, scope)) is sees


def test_another_wards_campaign_is_out_of_a_ward_coordinators_scope(
    users, make_campaign, other_commune
):
    campaign = make_campaign(communes=[other_commune])
    scope = CoordinatorScope.of(users["ward"])
    assert not can_view(scope, campaign)
    assert campaign not in campaigns_in_scope(db.session, scope)
