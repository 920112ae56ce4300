"""/shifts for a volunteer with skills: shifts short of a skill they have come first, marked,
in the same statements as before."""

from datetime import timedelta

from app.extensions import db
from scheduling.skills.services import require_skill
from tests.harness import MORNING
from tests.scheduling.test_booking_statements import recorded, statements

DAY = "2030-01-08"


def test_a_shift_short_of_my_skill_comes_first_and_is_marked(
    client, login, make_volunteer, make_shift, campaign, coordinator
):
    me = make_volunteer(skills=["sign_language"])
    early = make_shift()
    late = make_shift(MORNING + timedelta(hours=6))
    other_skill = make_shift(MORNING + timedelta(hours=3))
    require_skill(db.session, campaign, "sign_language", 1, coordinator, shift=late)
    require_skill(db.session, campaign, "digital_signature", 1, coordinator, shift=other_skill)
    db.session.commit()
    signed_in = login(me)
    signed_in.set_cookie("lang", "en")

    html = signed_in.get(f"/shifts?commune=bo+de&day={DAY}").get_data(as_text=True)

    order = [html.index(f"/shifts/{s.id}/book") for s in (late, early, other_skill)]
    assert order == sorted(order)
    first = html.split(f"/shifts/{late.id}/book")[0]
    assert "Needs your skill: Sign language" in first
    assert html.count("Needs your skill") == 1  # not the shift asking for a skill I lack
    assert "Digital signature: 0 of 1" in html


def test_the_skill_i_have_stops_ranking_a_shift_first_once_it_is_met(
    client, login, make_volunteer, make_shift, campaign, coordinator
):
    me = make_volunteer(skills=["it"])
    early = make_shift()
    late = make_shift(MORNING + timedelta(hours=6), booked=[make_volunteer(skills=["it"])])
    require_skill(db.session, campaign, "it", 1, coordinator, shift=late)
    db.session.commit()

    html = login(me).get(f"/shifts?commune=bo+de&day={DAY}").get_data(as_text=True)

    assert html.index(f"/shifts/{early.id}/book") < html.index(f"/shifts/{late.id}/book")


def test_skills_asked_for_on_every_shift_add_no_statement(
    client, login, make_volunteer, make_shift, campaign, coordinator, service_point
):
    me = make_volunteer(skills=["it", "vneid"])
    shifts = [make_shift(MORNING + timedelta(hours=h)) for h in range(0, 12, 2)]
    require_skill(db.session, campaign, "it", 2, coordinator)
    require_skill(db.session, campaign, "vneid", 1, coordinator, point=service_point)
    require_skill(db.session, campaign, "elderly", 1, coordinator, shift=shifts[3])
    db.session.commit()
    signed_in = login(me)

    with recorded() as log:
        page = signed_in.get(f"/shifts?commune=bo+de&day={DAY}")

    assert page.status_code == 200 and page.get_data(as_text=True).count("★") == 6
    assert len(statements(log)) <= 4, log["statements"]
