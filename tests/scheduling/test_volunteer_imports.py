"""Importing a class's volunteers: accounts invited by mail, existing volunteers join the team,
all or nothing, the same file twice changes nothing."""

import io
import re
from html import unescape

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.notifications.models import Delivery
from app.places.models import Province
from app.roles import Role
from app.scope import CoordinatorScope
from scheduling.imports import services
from scheduling.teams.models import Team, TeamKind, TeamMember
from tests.conftest import PASSWORD

HEADER = "full_name,email,phone,organisation,class_name,home_commune,skills,team\n"
ROWS = (
    "Nguyễn Văn An,an@example.com,0912 345 678,ĐH Bách khoa,CNTT-01,Phường Bồ Đề,"
    '"it, Sign Language",Lớp CNTT-01\n'
    "Trần Thị Bình,BINH@example.com,,ĐH Bách khoa,CNTT-01,00130,,Lớp CNTT-01\n"
)


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def team(bo_de):
    team = Team(
        name="Lớp CNTT-01",
        kind=TeamKind.UNIVERSITY_CLASS,
        province_id=bo_de.province_id,
        commune_id=bo_de.id,
    )
    db.session.add(team)
    db.session.flush()
    return team


def _upload(client, data: bytes, name="class.csv"):
    form = {"province": "01", "spreadsheet": (io.BytesIO(data), name)}
    return client.post("/imports/volunteers", data=form, content_type="multipart/form-data")


def _token(response):
    html = response.get_data(as_text=True)
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def _members(team):
    return set(db.session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id)))


def _by_email(email):
    return db.session.scalar(select(User).where(User.email == email))


def test_new_volunteers_get_accounts_an_invitation_and_their_team(
    client, login, coordinator, team, bo_de
):
    login(coordinator)
    preview = _upload(client, (HEADER + ROWS).encode())
    assert "Created: 2" in preview.get_data(as_text=True)
    assert _by_email("an@example.com") is None

    client.post("/imports/volunteers/confirm", data={"token": _token(preview)})

    an, binh = _by_email("an@example.com"), _by_email("binh@example.com")
    assert (an.full_name, an.phone, an.class_name, an.home_commune_id) == (
        "Nguyễn Văn An",
        "0912 345 678",
        "CNTT-01",
        bo_de.id,
    )
    assert an.skills == ["it", "sign_language"] and an.roles == {Role.VOLUNTEER}
    assert an.password_hash is None
    assert _members(team) == {an.id, binh.id}
    mails = db.session.scalars(
        select(Delivery).where(Delivery.channel == "mail").order_by(Delivery.id)
    ).all()
    assert [m.address for m in mails] == ["an@example.com", "binh@example.com"]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("import.volunteer_created") == 2
    assert actions.count("import.team_member_added") == 2


def test_the_invitation_lets_the_person_choose_a_password_once(client, login, coordinator, team):
    login(coordinator)
    client.post(
        "/imports/volunteers/confirm",
        data={"token": _token(_upload(client, (HEADER + ROWS).encode()))},
    )
    client.post("/logout")
    # An's invitation by its address: rows come back in no set order
    body = db.session.scalar(select(Delivery.body).where(Delivery.address == "an@example.com"))
    link = re.search(r"https://caunoi\.example\.vn(/invitation/\S+)", body).group(1)

    chosen = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    again = client.get(link)

    assert chosen.status_code == 302
    assert login(_by_email("an@example.com"))
    assert again.status_code == 400


def test_the_same_file_twice_changes_nothing(client, login, coordinator, team):
    login(coordinator)
    data = (HEADER + ROWS).encode()
    client.post("/imports/volunteers/confirm", data={"token": _token(_upload(client, data))})

    again = _upload(client, data)

    assert "Unchanged: 2" in again.get_data(as_text=True)
    assert 'name="token"' not in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Delivery.id))) == 2


def test_an_existing_volunteer_joins_the_team_and_keeps_their_profile(
    client, login, coordinator, team, volunteer
):
    login(coordinator)
    row = f"Tên khác,{volunteer.email},,,,Phường Bồ Đề,,Lớp CNTT-01\n"
    preview = _upload(client, (HEADER + row).encode())
    assert "Updated: 1" in preview.get_data(as_text=True)

    client.post("/imports/volunteers/confirm", data={"token": _token(preview)})

    assert _members(team) == {volunteer.id}
    assert db.session.get(User, volunteer.id).full_name == "Nguyễn Văn An"
    assert db.session.scalar(select(func.count(Delivery.id))) == 0


def test_mistakes_are_refused_row_by_row_and_nothing_is_written(
    client, login, coordinator, team, make_user, other_commune
):
    outsider = make_user(Role.VOLUNTEER, home_commune=other_commune)
    rows = ROWS + (
        "Lê Văn Cường,an@example.com,,,,Phường Bồ Đề,,\n"
        "Phạm Dung,dung@example.com,,,,Phường Bo Đèe,,\n"
        f"Hoàng Em,em@example.com,,,,{other_commune.code},,\n"
        f"Ngoại Vi,{outsider.email},,,,Phường Bồ Đề,,Lớp CNTT-01\n"
        "Vũ Giang,giang@example.com,=1+1,,,Phường Bồ Đề,,\n"
        "Đỗ Hà,ha@example.com,,,,Phường Bồ Đề,nấu ăn,Đội không có\n"
        ",not-an-email,,,,Phường Bồ Đề,,\n"
    )
    login(coordinator)

    response = _upload(client, (HEADER + rows).encode())

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "The same email is on line 2." in html
    assert "Closest: Phường Bồ Đề" in html
    assert f"{other_commune.name} is outside your scope." in html
    assert "No volunteer of your communes has this email." in html
    assert "A formula in phone" in html
    assert 'Unknown skill "nấu ăn"' in html and 'None of your teams is named "Đội không có"' in html
    assert "The email is missing or not valid." in html and "The name is missing." in html
    assert 'name="token"' not in html
    assert _by_email("an@example.com") is None and _members(team) == set()


def test_vietnamese_headers_and_an_xlsx_file_are_read(client, login, coordinator, team):
    book = Workbook()
    book.active.append(["Họ và tên", "Email", "Số điện thoại", "Lớp", "Xã/Phường", "Đội"])
    book.active.append(
        ["Nguyễn Văn An", "an@example.com", "0912345678", "CNTT-01", "bo de", "lớp cntt-01"]
    )
    out = io.BytesIO()
    book.save(out)
    login(coordinator)

    preview = _upload(client, out.getvalue(), "lop.xlsx")

    assert preview.status_code == 200 and "Created: 1" in preview.get_data(as_text=True)


def test_five_thousand_volunteers_are_previewed_and_imported(app, hanoi, team):
    lines = [HEADER] + [
        f"Tình nguyện viên {n},tnv{n}@example.com,,ĐH,CNTT-01,Phường Bồ Đề,it,Lớp CNTT-01\n"
        for n in range(5000)
    ]
    data = "".join(lines).encode("utf-8-sig")
    scope = CoordinatorScope(everything=True)
    province = db.session.scalar(select(Province).where(Province.code == "01"))

    with app.test_request_context():
        preview = services.plan(db.session, data, "big.csv", province, scope, None)
        assert preview.counts["created"] == 5000
        services.apply(db.session, preview, None)
    db.session.commit()

    assert db.session.scalar(select(func.count(User.id))) == 5000
    assert len(_members(team)) == 5000
    with app.test_request_context():
        again = services.plan(db.session, data, "big.csv", province, scope, None)
    assert again.counts["unchanged"] == 5000


def test_the_command_previews_then_imports(runner, tmp_path, team):
    path = tmp_path / "class.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    db.session.commit()  # the command runs in its own transaction, as from a shell

    preview = runner.invoke(args=["imports", "volunteers", str(path)])
    assert preview.exit_code == 0, preview.output
    assert _by_email("an@example.com") is None

    done = runner.invoke(args=["imports", "volunteers", str(path), "--commit"])
    assert done.exit_code == 0, done.output
    assert _by_email("an@example.com") is not None and len(_members(team)) == 2
