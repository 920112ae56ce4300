"""Check-in pages: posters and live QR codes, the volunteer's one button, badges, the scanner,
and the coordinators' attendance lists."""

import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_time
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import roles
from app.api import error
from app.auth.models import User
from app.database import utcnow, write_apart
from app.extensions import csrf, db
from app.localtime import local_day_bounds, local_today
from app.places.models import ServicePoint
from app.qr import qr_svg
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store
from app.urls import absolute_url
from scheduling.campaigns.services import can_view
from scheduling.checkin import reports, services, tokens
from scheduling.checkin.forms import CheckinForm, ConfirmForm, ScanForm, parse_moment
from scheduling.checkin.messages import STATUS, result_message
from scheduling.checkin.models import Attendance, Scan, ScanMethod, ScanResult
from scheduling.models import Campaign, Shift, ShiftStatus

bp = Blueprint("checkin", __name__)

TOKEN_REFUSALS = {ScanResult.INVALID_TOKEN, ScanResult.EXPIRED_TOKEN, ScanResult.ROTATED_TOKEN}
SYNC_HEADER = "X-Sync-Token"


def _queue_data(point_id=None) -> dict:
    """What the pages' offline queue (app/static/js/checkin-queue.js) needs to send later."""
    return {
        "sync_url": url_for("checkin.sync"),
        "sync_token": services.sync_token(current_app.config["SECRET_KEY"], current_user),
        "point_id": point_id or "",
    }


def _point(point_id) -> ServicePoint:
    """The service point, if the current user may run check-in there (404 / 403 otherwise)."""
    point = db.session.get(ServicePoint, point_id) or abort(404)
    if not services.may_scan_at(current_user, point):
        abort(403)
    return point


def _fresh_form(form_class, **data):
    """A form carrying a new nonce and the moment the page was drawn."""
    return form_class(
        formdata=None,
        nonce=secrets.token_urlsafe(16),
        scanned_at=utcnow().isoformat(),
        **data,
    )


# --- coordinator: the check-in desk of a service point, its poster and live QR ----------------


@bp.get("/service-points/<int:point_id>/checkin")
@roles(Role.COORDINATOR, Role.VOLUNTEER)
def desk(point_id):
    """A point's check-in tools: poster, live QR, scanner, and today's shifts' attendance."""
    point = _point(point_id)
    day = local_today()
    start, _ = local_day_bounds(day)
    shifts = db.session.scalars(
        select(Shift)
        .where(
            Shift.service_point_id == point.id,
            Shift.starts_at >= start - timedelta(days=7),
            Shift.starts_at < start + timedelta(days=2),
            Shift.status == ShiftStatus.ACTIVE,
        )
        .order_by(Shift.starts_at.desc())
    ).all()
    return render_template("scheduling/checkin/desk.html", point=point, shifts=shifts)


def _poster_texts():
    """The poster's instructions in Vietnamese and in English, both printed on every poster."""
    texts = {}
    for language in ("vi", "en"):
        with force_locale(language):
            texts[language] = {
                "title": _("Volunteer check-in"),
                "steps": [
                    _("Open your phone's camera and point it at the QR code."),
                    _("Tap the link, log in if asked, then tap “Check in”."),
                    _("When you leave, tap “Check out” on the same page."),
                ],
                "no_data": _("No data on your phone? Show your badge to the coordinator."),
            }
    return texts


@bp.get("/service-points/<int:point_id>/poster")
@roles(Role.COORDINATOR)
def poster(point_id):
    """The printable A4 poster: the point's QR, instructions in Vietnamese and English."""
    point = _point(point_id)
    token = tokens.poster_token(db.session, point)
    url = absolute_url("checkin.check_in", token=token)
    return render_template(
        "scheduling/checkin/poster.html",
        point=point,
        url=url,
        qr=qr_svg(url, _("QR code for check-in at %(point)s", point=point.name)),
        texts=_poster_texts(),
        version=tokens.key_version(db.session, point.id),
    )


@bp.post("/service-points/<int:point_id>/poster/rotate")
@roles(Role.COORDINATOR)
def rotate(point_id):
    """Replace the point's poster: every printed poster and live QR before it stops working."""
    point = _point(point_id)
    version = services.rotate_key(db.session, point, current_user)
    db.session.commit()
    flash(
        _(
            "The check-in code is replaced (poster no. %(version)d). Print the new poster: "
            "the old one no longer works.",
            version=version,
        )
    )
    return redirect(url_for("checkin.poster", point_id=point.id))


@bp.get("/service-points/<int:point_id>/live-qr")
@roles(Role.COORDINATOR, Role.VOLUNTEER)
def live_qr(point_id):
    """A QR for the counter screen or a coordinator's phone, changing every 30 seconds."""
    point = _point(point_id)
    now = utcnow()
    titles = {}
    for language in ("vi", "en"):
        with force_locale(language):
            titles[language] = _("Check in here")
    return render_template(
        "scheduling/checkin/live_qr.html",
        titles=titles,
        point=point,
        qr=_live_svg(point, now),
        next_ms=int(tokens.seconds_to_next_window(now) * 1000) + 500,
        window_ms=tokens.LIVE_WINDOW_SECONDS * 1000,
    )


def _live_svg(point, now):
    token = tokens.live_token(db.session, point, now)
    url = absolute_url("checkin.check_in", token=token)
    return qr_svg(url, _("QR code for check-in at %(point)s", point=point.name))


@bp.get("/service-points/<int:point_id>/live-qr.svg")
@roles(Role.COORDINATOR, Role.VOLUNTEER)
def live_qr_svg(point_id):
    """The live QR alone, fetched again by app/static/js/live-qr.js every 30 seconds."""
    point = _point(point_id)
    response = make_response(str(_live_svg(point, utcnow())))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the volunteer: scan, check in, check out ---------------------------------------------------


def _log_refused_token(token):
    """Opening a forged, expired or replaced QR is logged as a scan, like pressing the button."""
    user_id = current_user.id

    def log(session):
        actor = session.get(User, user_id)
        services.check_in(session, actor, token, secrets.token_urlsafe(16), scanned_at=utcnow())

    write_apart(log)  # a GET reads; the scan is written in a writer transaction of its own


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def check_in(token):
    """The page a poster's or live QR's URL opens: what will happen, and one big button."""
    if request.method == "POST":
        form = CheckinForm()
        if not form.validate():
            return _check_in_page(token, status=400, stale=True)
        try:
            scan, _created = services.commit_scan(
                db.session,
                current_user,
                lambda: services.check_in(
                    db.session,
                    current_user,
                    token,
                    form.nonce.data,
                    scanned_at=parse_moment(form.scanned_at.data) or utcnow(),
                ),
                form.nonce.data,
            )
        except services.NonceTaken:
            db.session.rollback()
            abort(400)
        if scan.result in (ScanResult.OK, ScanResult.ALREADY_CHECKED_IN):
            flash(result_message(scan.result))
            return redirect(url_for("checkin.attendance", attendance_id=scan.attendance_id))
        return _check_in_page(token, result=scan.result, status=STATUS[scan.result])
    reading, decision = services.preview(db.session, token, current_user)
    if decision.result in TOKEN_REFUSALS:
        _log_refused_token(token)
        return _check_in_page(token, result=decision.result, status=STATUS[decision.result])
    return _check_in_page(token, reading=reading, decision=decision)


def _check_in_page(token, result=None, status=200, stale=False, reading=None, decision=None):
    if decision is None and result not in TOKEN_REFUSALS:
        reading, decision = services.preview(db.session, token, current_user)
    point = (
        db.session.get(ServicePoint, reading.service_point_id)
        if reading and reading.service_point_id
        else None
    )
    return (
        render_template(
            "scheduling/checkin/check_in.html",
            token=token,
            point=point,
            decision=decision,
            result=result,
            message=result_message(result) if result else None,
            result_message=result_message,
            form=_fresh_form(CheckinForm),
            stale=stale,
            ScanResult=ScanResult,
            queue=_queue_data(),
        ),
        status,
    )


def _visible_attendance(attendance_id) -> Attendance:
    attendance = db.session.get(Attendance, attendance_id)
    if attendance is None or not services.may_see(current_user, attendance):
        abort(404)
    return attendance


@bp.get("/check-ins/<int:attendance_id>")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def attendance(attendance_id):
    """One check-in: when, where, hours so far, and the check-out button."""
    attendance = _visible_attendance(attendance_id)
    now = utcnow()
    return render_template(
        "scheduling/checkin/attendance.html",
        attendance=attendance,
        shift=attendance.shift,
        now=now,
        is_open=attendance.is_open(now),
    )


@bp.post("/check-ins/<int:attendance_id>/checkout")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
def checkout(attendance_id):
    """One tap check-out (the volunteer, or a coordinator of the point)."""
    attendance = _visible_attendance(attendance_id)
    attendance = services.check_out(db.session, attendance, current_user)
    db.session.commit()
    flash(_("You are checked out. Thank you for your help today!"))
    if attendance.booking.user_id != current_user.id:
        return redirect(url_for("checkin.shift_attendance", shift_id=attendance.shift.id))
    return redirect(url_for("checkin.attendance", attendance_id=attendance.id))


@bp.get("/me/badge")
@roles(Role.VOLUNTEER)
@no_store
def badge():
    """The volunteer's personal QR and short code, for a coordinator's scanner."""
    now = utcnow()
    token = tokens.badge_token(current_user)
    return render_template(
        "scheduling/checkin/badge.html",
        qr=qr_svg(token, _("Your personal check-in QR code")),
        code=tokens.badge_code(current_user.id, now),
        open_attendances=services.open_attendances(db.session, current_user.id, now),
    )


# --- coordinator: the scanner -------------------------------------------------------------------


@bp.route("/service-points/<int:point_id>/scan", methods=["GET", "POST"])
@roles(Role.COORDINATOR, Role.VOLUNTEER)
def scan(point_id):
    """Scan volunteers' badges with the browser's camera, or type their short code."""
    point = _point(point_id)
    last = None
    status = 200
    if request.method == "POST":
        form = ScanForm()
        if not form.validate():
            return _scan_page(point, form, None, 400)
        try:
            last, _created = services.commit_scan(
                db.session,
                current_user,
                lambda: services.check_in(
                    db.session,
                    current_user,
                    form.code.data,
                    form.nonce.data,
                    scanned_at=parse_moment(form.scanned_at.data) or utcnow(),
                    at_point=point,
                ),
                form.nonce.data,
            )
        except services.NonceTaken:
            db.session.rollback()
            abort(400)
        status = 200 if last.result in (ScanResult.OK,) else STATUS[last.result]
    return _scan_page(point, _fresh_form(ScanForm), last, status)


def _scan_page(point, form, last, status):
    recent = db.session.scalars(
        select(Scan)
        .where(Scan.service_point_id == point.id, Scan.method == ScanMethod.BADGE)
        .order_by(Scan.received_at.desc(), Scan.id.desc())
        .limit(10)
    ).all()
    return (
        render_template(
            "scheduling/checkin/scan.html",
            point=point,
            form=form,
            last=last,
            message=result_message(last.result, badge=True) if last else None,
            recent=recent,
            result_message=result_message,
            ScanResult=ScanResult,
            queue=_queue_data(point.id),
        ),
        status,
    )


@bp.post("/check-in/sync")
@roles(Role.VOLUNTEER, Role.COORDINATOR)
@csrf.exempt
def sync():
    """Receive one scan from a check-in page's offline queue: JSON {token, nonce, scanned_at,
    service_point}, the nonce and the time made by the phone when the scan happened.

    Authenticated as the assist log's queue is (impact/assists/views.py): the session cookie and
    the page's sync token together, since a CSRF token may expire while the phone is offline.
    The scan is marked offline, so the late-scan rules apply (stored and flagged, credited once
    vouched for or confirmed). Answers 200 with the result whenever the scan was logged."""
    token = request.headers.get(SYNC_HEADER, "")
    user_id = services.sync_token_user_id(current_app.config["SECRET_KEY"], token)
    if user_id is None or user_id != current_user.id:
        return error(403, "forbidden", _("Open the check-in page again to send waiting scans."))
    body = request.get_json(silent=True)
    fields = body if isinstance(body, dict) else {}
    scanned, nonce = fields.get("token"), fields.get("nonce")
    scanned_at = parse_moment(fields.get("scanned_at"))
    if (
        not isinstance(scanned, str)
        or not scanned
        or not isinstance(nonce, str)
        or not services.NONCE_PATTERN.match(nonce)
        or scanned_at is None
    ):
        return error(400, "bad_request", _("This scan cannot be read: scan again."))
    point = None
    if fields.get("service_point") not in (None, ""):
        try:
            point = db.session.get(ServicePoint, int(fields["service_point"]))
        except (TypeError, ValueError, OverflowError):
            point = None
        if point is None or not services.may_scan_at(current_user, point):
            return error(403, "forbidden", _("You may not scan badges at this service point."))
    try:
        scan, _created = services.commit_scan(
            db.session,
            current_user,
            lambda: services.check_in(
                db.session,
                current_user,
                scanned,
                nonce,
                scanned_at=scanned_at,
                offline=True,
                at_point=point,
            ),
            nonce,
        )
    except services.NonceTaken as refusal:
        db.session.rollback()
        return error(refusal.status, refusal.code, refusal.message)
    return jsonify(
        result=str(scan.result),
        message=result_message(scan.result, badge=point is not None),
        volunteer=scan.user.full_name if point is not None and scan.user else None,
    )


# --- coordinator: attendance ---------------------------------------------------------------------


@bp.get("/shifts/<int:shift_id>/attendance")
@roles(Role.COORDINATOR)
def shift_attendance(shift_id):
    """Who checked in and out of a shift, their hours, and who booked but never came."""
    shift = db.session.get(Shift, shift_id) or abort(404)
    if not services.may_scan_at(current_user, shift.service_point):
        abort(403)
    now = utcnow()
    rows = reports.shift_attendance(db.session, shift, now)
    return render_template(
        "scheduling/checkin/shift_attendance.html",
        shift=shift,
        rows=rows,
        scans=reports.shift_scans(db.session, shift),
        ended=shift.ends_at <= now,
        now=now,
        total_hours=sum(r.hours for r in rows),
        result_message=result_message,
        confirm_form=ConfirmForm(),
        may_confirm=services.may_confirm(current_user, shift),
    )


@bp.post("/check-ins/<int:attendance_id>/confirm")
@roles(Role.COORDINATOR)
def confirm(attendance_id):
    """Confirm the time an offline scan says it was made: its hours then count from it."""
    attendance = db.session.get(Attendance, attendance_id) or abort(404)
    if not services.may_confirm(current_user, attendance.shift):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.confirm(db.session, attendance, current_user)
    except services.NothingToConfirm:
        db.session.rollback()
        flash(_("This check-in has nothing to confirm."), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Confirmed: %(volunteer)s's hours now count from %(time)s.",
                volunteer=attendance.booking.user.full_name,
                time=format_time(attendance.checked_in_at, "short"),
            )
        )
    return redirect(url_for("checkin.shift_attendance", shift_id=attendance.shift.id))


@bp.get("/attendance/campaigns/<int:campaign_id>")
@roles(Role.COORDINATOR)
def campaign_attendance(campaign_id):
    """Per volunteer, the hours attended over a campaign at the points the reader coordinates."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not can_view(CoordinatorScope.of(current_user), campaign):
        abort(403)
    rows = reports.campaign_hours(db.session, campaign, current_user)
    return render_template(
        "scheduling/checkin/campaign_attendance.html", campaign=campaign, rows=rows
    )
