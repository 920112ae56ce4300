"""The skill list admins keep (/admin/skills), and the forms and imports that read it."""

import pytest
from sqlalchemy import inspect, select, text

from app.extensions import db
from app.skills import services
from app.skills.models import Skill, UserSkill
from scheduling.skills.services import require_skill


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def _skill(code):
    db.session.expire_all()
    return db.session.get(Skill, code)


def test_the_list_shows_every_skill_in_the_readers_language_and_alphabetical_order(
    client, login, admin, make_volunteer
):
    make_volunteer(skills=["it"])
    make_volunteer(skills=["it", "vneid"])
    signed_in = login(admin)

    english = signed_in.get("/admin/skills").get_data(as_text=True)
    signed_in.set_cookie("lang", "vi")
    vietnamese = signed_in.get("/admin/skills").get_data(as_text=True)

    positions = [
        english.index(name)
        for name in (
            "Administrative procedures",
            "Digital signature",
            "Information technology",
            "VNeID help",
        )
    ]
    assert positions == sorted(positions)
    # Vietnamese order: "Chữ ký số" < "Công nghệ thông tin" (ư after ô), "Hỗ trợ" < "Hướng dẫn"
    positions = [
        vietnamese.index(name)
        for name in (
            "Chữ ký số",
            "Công nghệ thông tin",
            "Hỗ trợ người cao tuổi",
            "Hướng dẫn dùng VNeID",
        )
    ]
    assert positions == sorted(positions)
    it = english.split("<code>it</code>")[1].split("</li>")[0]
    assert "2 volunteers have it" in it


def test_an_admin_adds_a_skill_and_it_is_offered_on_the_profile(client, login, admin, volunteer):
    added = login(admin).post(
        "/admin/skills", data={"name_vi": "Tiếng dân tộc Mông", "name_en": "Hmong language"}
    )

    assert added.status_code == 302
    assert (_skill("hmong_language").name_vi, _skill("hmong_language").active) == (
        "Tiếng dân tộc Mông",
        True,
    )
    profile = login(volunteer).get("/profile").get_data(as_text=True)
    assert 'value="hmong_language"' in profile


def test_a_code_or_a_name_already_used_is_refused(client, login, admin):
    signed_in = login(admin)

    taken = signed_in.post(
        "/admin/skills", data={"code": "it", "name_vi": "Tin học", "name_en": "Computing"}
    )
    same_name = signed_in.post(
        "/admin/skills", data={"name_vi": "chu ky so", "name_en": "E-signature"}
    )
    bad = signed_in.post(
        "/admin/skills", data={"code": "Bad Code!", "name_vi": "A", "name_en": "B"}
    )

    assert taken.status_code == 409 and "Another skill already has this code." in taken.get_data(
        as_text=True
    )
    assert same_name.status_code == 409
    assert "Another skill already has this name." in same_name.get_data(as_text=True)
    assert bad.status_code == 409
    assert (
        db.session.scalar(select(Skill).where(Skill.name_en.in_(["Computing", "E-signature", "B"])))
        is None
    )


def test_renaming_keeps_who_has_it(client, login, admin, make_volunteer):
    person = make_volunteer(skills=["telecom"])
    db.session.commit()

    login(admin).post(
        "/admin/skills/telecom/edit",
        data={"name_vi": "Viễn thông và mạng", "name_en": "Telecoms and networks"},
    )

    assert _skill("telecom").name_en == "Telecoms and networks"
    assert db.session.get(type(person), person.id).skills == ["telecom"]


def test_a_deactivated_skill_is_not_offered_but_those_who_have_it_keep_it(
    client, login, admin, make_volunteer, volunteer
):
    holder = make_volunteer(skills=["legal", "it"])
    db.session.commit()

    login(admin).post("/admin/skills/legal/deactivate")

    assert _skill("legal").active is False
    assert 'value="legal"' not in login(volunteer).get("/profile").get_data(as_text=True)
    holders_form = login(holder).get("/profile").get_data(as_text=True)
    assert 'value="legal"' in holders_form  # their own, so saving the profile keeps it
    login(admin).post("/admin/skills/legal/activate")
    assert _skill("legal").active is True


def test_a_skill_in_use_is_never_deleted_but_an_unused_one_is(
    client, login, admin, make_volunteer, campaign, coordinator
):
    make_volunteer(skills=["it"])
    require_skill(db.session, campaign, "vneid", 1, coordinator)
    db.session.commit()
    signed_in = login(admin)

    for code in ("it", "vneid"):
        signed_in.post(f"/admin/skills/{code}/delete")
        assert _skill(code) is not None
    page = signed_in.get("/admin/skills").get_data(as_text=True)
    assert "deactivate it instead" in page
    signed_in.post("/admin/skills/disability/delete")

    assert _skill("disability") is None


def test_only_admins_keep_the_list(client, login, coordinator):
    assert login(coordinator).get("/admin/skills").status_code == 403
    assert login(coordinator).post("/admin/skills/it/deactivate").status_code == 403
    assert _skill("it").active is True


def test_volunteers_with_a_skill_are_found_through_an_index(make_volunteer):
    signer = make_volunteer(skills=["digital_signature"])
    make_volunteer(skills=["it"])

    holders = db.session.scalars(
        select(UserSkill.user_id).where(UserSkill.skill_code == "digital_signature")
    ).all()

    assert holders == [signer.id]
    indexes = inspect(db.engine).get_indexes("user_skills")
    assert ["skill_code", "user_id"] in [ix["column_names"] for ix in indexes]
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(
            text("EXPLAIN QUERY PLAN SELECT user_id FROM user_skills WHERE skill_code = 'it'")
        ).all()
        assert "ix_user_skills_skill_code_user_id" in str(plan)


def test_the_import_reads_skills_by_their_names_in_either_language(app):
    with app.test_request_context():
        skills = services.SkillFinder(db.session)
        assert skills.code("Chữ ký số") == skills.code("chu ky so") == "digital_signature"
        assert skills.code("Digital signature") == skills.code("digital_signature")
        assert skills.code("sign language") == "sign_language"
        assert skills.code("cooking") is None
        # a near miss gets the names to choose from, closest first, in the reader's language
        assert skills.closest("Hỗ trợ VNeID")[0] == "Hướng dẫn dùng VNeID"
        assert skills.closest("zzzz") == []


def test_the_admins_home_links_the_skill_list(client, login, admin):
    assert 'href="/admin/skills"' in login(admin).get("/").get_data(as_text=True)
