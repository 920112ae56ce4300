"""Service hours: a volunteer's record, a coordinator's correction, the campaign's exports."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import public, roles, signed_in
from app.csvfile import csv_response, xlsx_response
from app.database import utcnow
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.qr import qr_svg
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store
from app.urls import absolute_url
from scheduling.campaigns.services import can_view
from scheduling.models import Booking, Campaign
from scheduling.service_hours import services
from scheduling.service_hours.forms import CorrectionForm

bp = Blueprint("service_hours", __name__)

navigation.register(
    "service_hours.my_service",
    _l("My service hours"),
    navigation.Group.MY_SHIFTS,
    shown=lambda: current_user.has_role(Role.VOLUNTEER),
)


@bp.get("/me/service")
@signed_in
def my_service():
    """The reader's attended shifts and hours per campaign, corrections shown as such."""
    return render_template(
        "scheduling/service_hours/mine.html",
        campaigns=services.service_record(db.session, current_user),
    )


@bp.get("/me/service/<int:campaign_id>/certificate")
@signed_in
def certificate(campaign_id):
    """The reader's certificate of volunteer service in a campaign, laid out to print on A4,
    with a QR to its public verification page."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    found = services.service_certificate(db.session, current_user, campaign)
    if found is None:
        abort(404)
    token = services.certificate_verification_id(
        current_user, campaign, current_app.config["SECRET_KEY"]
    )
    url = absolute_url("service_hours.verify", verification=token)
    return render_template(
        "scheduling/service_hours/certificate.html",
        certificate=found,
        issued_on=utcnow(),
        verify_url=url,
        qr=qr_svg(url, _("QR code of the verification link")),
    )


@bp.get("/service/verify/<verification>")
@public
def verify(verification):
    """Anyone can check a certificate of service: the name, campaign, communes, hours, dates."""
    found = services.verify_certificate(db.session, verification, current_app.config["SECRET_KEY"])
    if found is None:
        return render_template("courses/learning/verify_invalid.html"), 404
    return render_template("scheduling/service_hours/verify.html", certificate=found)


@bp.route("/bookings/<int:booking_id>/correction", methods=["GET", "POST"])
@roles(Role.COORDINATOR)
@no_store
def correct(booking_id):
    """A coordinator sets the hours a booking counts, with a reason; the scans stay as they are."""
    booking = db.session.get(Booking, booking_id) or abort(404)
    if not services.may_correct(current_user, booking.shift):
        abort(403)
    form = CorrectionForm()
    status = 200
    if form.validate_on_submit():
        minutes = int(form.hours.data * 60)
        try:
            services.correct_attendance(
                db.session, booking, minutes, form.reason.data, current_user
            )
        except services.CorrectionError as refusal:
            db.session.rollback()
            form.hours.errors = [*form.hours.errors, refusal.page_message]
            status = refusal.status
        else:
            db.session.commit()
            flash(_("The hours of %(name)s are corrected.", name=booking.user.full_name))
            return redirect(url_for("checkin.shift_attendance", shift_id=booking.shift_id))
    elif form.is_submitted():
        status = 400
    corrections = services.latest_corrections(db.session, [booking.id])
    return (
        render_template(
            "scheduling/service_hours/correct.html",
            form=form,
            booking=booking,
            correction=corrections.get(booking.id),
        ),
        status,
    )


#: the exports' groupings and their columns
GROUPINGS = ("volunteer", "organisation", "class")


@bp.get("/attendance/campaigns/<int:campaign_id>/hours.csv")
@roles(Role.COORDINATOR)
@no_store
def hours_csv(campaign_id):
    """The campaign's served hours per volunteer, per branch or university, or per class."""
    return _hours_file(campaign_id, csv_response, "csv")


@bp.get("/attendance/campaigns/<int:campaign_id>/hours.xlsx")
@roles(Role.COORDINATOR)
@no_store
def hours_xlsx(campaign_id):
    """The same hours as a workbook, the form youth-union branches report upward in."""
    return _hours_file(campaign_id, xlsx_response, "xlsx")


def _hours_file(campaign_id, response, suffix):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not can_view(CoordinatorScope.of(current_user), campaign):
        abort(403)
    by = request.args.get("by", "volunteer")
    if by not in GROUPINGS:
        abort(400)
    rows = services.campaign_hours_rows(db.session, campaign, current_user, by, utcnow())
    if by == "volunteer":
        header = [
            _("Volunteer"),
            _("Email"),
            _("Organisation"),
            _("Class"),
            _("Shifts"),
            _("Hours"),
        ]
        lines = [
            [
                r.user.full_name,
                r.user.email or "",
                r.organisation,
                r.class_name,
                r.shifts,
                round(r.hours, 2),
            ]
            for r in rows
            if r.user is not None
        ]
    else:
        header = [_("Organisation")] + ([_("Class")] if by == "class" else [])
        header += [_("Volunteers"), _("Shifts"), _("Hours")]
        lines = [
            [r.organisation]
            + ([r.class_name] if by == "class" else [])
            + [len(r.volunteers), r.shifts, round(r.hours, 2)]
            for r in rows
        ]
    return response(header, lines, f"hours-{campaign.id}-{by}.{suffix}")
