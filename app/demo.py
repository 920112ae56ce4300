"""`flask demo`: documented demo accounts, a service point in each of Hanoi's communes, then
each part's demo (the campaign, the assisted submissions)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from app.auth.models import RoleGrant, User
from app.auth.services import grant_role
from app.extensions import db
from app.parts import demo_loaders
from app.places.models import Commune, Province, ServicePoint
from app.places.services import import_places
from app.roles import Role

PASSWORD = "demo-pass"
VOLUNTEERS = 600
HANOI = "01"
BO_DE = "00130"
ORGANISATIONS = [
    "Đoàn phường Bồ Đề",
    "Đại học Bách khoa Hà Nội",
    "Học viện Công nghệ Bưu chính Viễn thông",
    "Đại học Quốc gia Hà Nội",
    "Đoàn thanh niên khu dân cư",
]
#: each demo volunteer's skills, in turn: a few sign their dossiers digitally or guide VNeID
SKILL_SETS = [
    ["it"],
    ["telecom", "vneid"],
    ["elderly"],
    ["it", "elderly"],
    ["legal", "digital_signature"],
    ["vneid"],
    ["it", "sign_language"],
]


def _account(session, existing, email, full_name, password_hash, **fields):
    user = existing.get(email)
    if user is None:
        user = User(email=email, full_name=full_name, password_hash=password_hash, **fields)
        session.add(user)
        existing[email] = user
    return user


def load_demo(session) -> dict[str, int]:
    """Create what is missing of the demo; running it again changes nothing."""
    if session.scalar(select(Province.id).limit(1)) is None:
        import_places(session)
    hanoi = session.scalar(select(Province).where(Province.code == HANOI))
    bo_de = session.scalar(select(Commune).where(Commune.code == BO_DE))
    hanoi_communes = session.scalars(
        select(Commune).where(Commune.province_id == hanoi.id).order_by(Commune.code)
    ).all()
    # One hash for every demo account: hashing 600 times would take a minute for nothing.
    password_hash = generate_password_hash(PASSWORD)
    existing = {
        u.email: u for u in session.scalars(select(User).where(User.email.like("%@demo.local")))
    }
    before = len(existing)

    admin = _account(session, existing, "admin@demo.local", "Quản trị viên", password_hash)
    city = _account(session, existing, "coordinator@demo.local", "Điều phối Hà Nội", password_hash)
    ward = _account(session, existing, "bode@demo.local", "Điều phối phường Bồ Đề", password_hash)
    learner = _account(
        session, existing, "learner@demo.local", "Học viên", password_hash, home_commune=bo_de
    )
    session.flush()
    grant_role(session, admin, Role.ADMIN)
    grant_role(session, city, Role.COORDINATOR, province=hanoi)
    grant_role(session, ward, Role.COORDINATOR, commune=bo_de)
    grant_role(session, learner, Role.LEARNER)

    for n in range(1, VOLUNTEERS + 1):
        email = f"volunteer{n}@demo.local"
        if email in existing:
            continue
        user = _account(
            session,
            existing,
            email,
            f"Tình nguyện viên {n:03d}",
            password_hash,
            phone=f"09{n:08d}",
            organisation=ORGANISATIONS[n % len(ORGANISATIONS)],
            home_commune=hanoi_communes[n % len(hanoi_communes)],
            skills=SKILL_SETS[n % len(SKILL_SETS)],
        )
        user.grants.append(RoleGrant(role=Role.VOLUNTEER))

    with_point = set(session.scalars(select(ServicePoint.commune_id)))
    points = 0
    for commune in hanoi_communes:
        if commune.id not in with_point:
            session.add(
                ServicePoint(
                    commune=commune,
                    name=f"Trung tâm Phục vụ hành chính công {commune.name}",
                    address=f"Trụ sở UBND {commune.name}, Hà Nội",
                    opening_hours="Thứ Hai – Thứ Sáu: 7:30–11:30, 13:30–17:30; sáng Thứ Bảy",
                )
            )
            points += 1
    session.flush()
    counts = {"accounts": len(existing) - before, "service_points": points}
    for load in demo_loaders():
        counts.update(load(session, hanoi, bo_de))
    return counts


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo accounts and data (refused in production)."""
    if current_app.config["PRODUCTION"]:
        raise click.ClickException("flask demo is refused in production (CAUNOI_ENV=production)")
    counts = load_demo(db.session)
    db.session.commit()
    click.echo(
        f"demo: {counts['accounts']} accounts, {counts['service_points']} service points created;"
        f" campaign {counts['shifts']} shifts, {counts['teams']} teams,"
        f" {counts['bookings']} bookings created; every demo password is {PASSWORD}"
    )
    click.echo(f"demo: {counts['assisted_submissions']} assisted submissions created")
