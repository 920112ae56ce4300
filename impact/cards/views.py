"""The resident-card page: volunteers and coordinators issue, register and replace cards; a card's
QR opens the log screen with its code filled in."""

from flask import Blueprint, abort, render_template, url_for
from flask import redirect as go
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import public, roles
from app.codes import format_code
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.qr import qr_svg
from app.roles import Role
from app.security import no_store
from impact.cards import services
from impact.cards.forms import IssueForm, LearnerCodeForm, ReplaceForm

bp = Blueprint("cards", __name__)

# Offered only to those the page admits: a resident learner would otherwise follow it to a 403.
navigation.register(
    "cards.index",
    _l("Resident cards"),
    navigation.Group.CHECKIN,
    shown=lambda: services.may_issue(db.session, current_user),
)

#: who may open the card pages: volunteers, coordinators, and learners, of whom only officers
#: pass services.may_issue
ISSUERS = (Role.VOLUNTEER, Role.COORDINATOR, Role.LEARNER)
#: whose phone a card's QR takes to the log screen
LOGGERS = (Role.VOLUNTEER, Role.COORDINATOR)


def _issuer_only():
    if not services.may_issue(db.session, current_user):
        abort(403)


def _page(issue=None, learner=None, replace=None, status=200):
    return (
        render_template(
            "impact/cards/index.html",
            issue_form=issue or IssueForm(),
            learner_form=learner or LearnerCodeForm(),
            replace_form=replace or ReplaceForm(),
        ),
        status,
    )


def _card(code: str, replaced: bool = False):
    """The printable card: its code and QR, shown this once, and no name."""
    return render_template(
        "impact/cards/card.html",
        code=format_code(code),
        qr=qr_svg(services.card_url(code), _("QR code of the resident card")),
        replaced=replaced,
    )


@bp.get("/cards")
@roles(*ISSUERS)
def index():
    """Issue a resident card, take a learner code as one, or replace a lost one."""
    _issuer_only()
    return _page()


@bp.post("/cards/issue")
@roles(*ISSUERS)
@no_store
def issue():
    """A new resident and their card, shown once to print."""
    _issuer_only()
    form = IssueForm()
    if not form.validate_on_submit():
        return _page(issue=form, status=400)
    _card_row, code = services.issue_card(db.session, current_user)
    page = _card(code)
    db.session.commit()
    return page


@bp.post("/cards/learner-code")
@roles(*ISSUERS)
@no_store
def learner_code():
    """A resident's learner code becomes their resident card."""
    _issuer_only()
    form = LearnerCodeForm()
    if not form.validate_on_submit():
        return _page(learner=form, status=400)
    try:
        services.card_from_learner_code(db.session, current_user, form.learner_code.data)
    except services.CardError as refusal:
        db.session.rollback()
        form.learner_code.errors = [refusal.message]
        return _page(learner=form, status=400)
    db.session.commit()
    return render_template("impact/cards/learner_code.html")


@bp.post("/cards/replace")
@roles(*ISSUERS)
@no_store
def replace():
    """A new card for the resident of a lost one; the old code stops working."""
    _issuer_only()
    form = ReplaceForm()
    if not form.validate_on_submit():
        return _page(replace=form, status=400)
    try:
        _card_row, code = services.replace_card(db.session, current_user, form.old_code.data)
    except services.CardError as refusal:
        db.session.rollback()
        form.old_code.errors = [refusal.message]
        return _page(replace=form, status=400)
    page = _card(code, replaced=True)
    db.session.commit()
    return page


@bp.get("/c/<code>")
@public
@no_store
def scan(code):
    """Where a card's QR leads: a volunteer's or coordinator's phone goes to the log screen with
    the card filled in; anyone else reads what the card is for."""
    if current_user.is_authenticated and any(current_user.has_role(r) for r in LOGGERS):
        return go(url_for("assists.new", resident_card=code))
    return render_template("impact/cards/scanned.html")
