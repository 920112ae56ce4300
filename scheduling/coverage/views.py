"""Coverage board and rosters for coordinators; calendar feeds and .ics downloads for volunteers."""

from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, format_date, format_decimal, format_time
from flask_babel import gettext as _
from flask_login import current_user

from app import navigation
from app.access import public, roles
from app.csvfile import csv_response, xlsx_response
from app.database import request_int, utcnow
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.localtime import FIRST_DAY, LAST_DAY, local_days_bounds, local_today
from app.places.models import ServicePoint
from app.roles import Role
from app.scope import CoordinatorScope
from app.security import no_store
from app.text import fold
from app.urls import absolute_url
from scheduling.campaigns.services import campaigns_in_scope
from scheduling.coverage import calendar, services
from scheduling.coverage.forms import CoverageFilterForm
from scheduling.coverage.services import CellState
from scheduling.models import Booking, BookingStatus

bp = Blueprint("coverage", __name__)

navigation.register("coverage.board", _l("Coverage"), navigation.Group.STAFFING)

STATE_LABELS = {
    CellState.UNDERSTAFFED: _l("Understaffed"),
    CellState.PARTLY_STAFFED: _l("Partly staffed"),
    CellState.FULL: _l("Full"),
}
#: understaffed shifts of the next 72 hours listed above the board; the rest are counted
SOON_SHOWN = 20
STATE_SYMBOLS = {CellState.UNDERSTAFFED: "⚠", CellState.PARTLY_STAFFED: "◐", CellState.FULL: "✓"}


@bp.get("/coverage")
@roles(Role.COORDINATOR)
def board():
    """Communes × days × shifts of a campaign in the coordinator's scope, the shortest first."""
    campaigns = campaigns_in_scope(db.session, CoordinatorScope.of(current_user))
    today = local_today()
    form = CoverageFilterForm(request.args)
    form.campaign.choices = [(c.id, c.name) for c in campaigns]
    if not campaigns:
        return render_template(
            "scheduling/coverage/board.html", form=form, campaign=None, board=None
        )
    valid = form.validate()
    if form.campaign.data is None or form.campaign.errors:
        campaign = services.current_campaign(campaigns, today)
    else:
        campaign = next(c for c in campaigns if c.id == form.campaign.data)
    form.campaign.data = campaign.id
    if not valid:
        html = render_template(
            "scheduling/coverage/board.html", form=form, campaign=campaign, board=None
        )
        return html, 400
    first, last = services.default_range(today)
    # one end given: the week from or to it, within the days the site accepts
    if form.last.data and not form.first.data:
        first = max(form.last.data - timedelta(days=6), FIRST_DAY)
    first = form.first.data or first
    last = form.last.data or min(first + timedelta(days=6), LAST_DAY)
    form.first.data, form.last.data = first, last
    query = form.commune.data or ""
    starts_from, starts_before = local_days_bounds(first, last)
    counts = services.shift_counts(
        db.session,
        campaign,
        current_user,
        starts_from=starts_from,
        starts_before=starts_before,
        commune_query=query,
    )
    board = services.build_board(counts, first, last, bool(form.only_understaffed.data))
    page = max(request.args.get("page", 1, type=request_int), 1)
    size = services.ROWS_PER_PAGE
    pages = max((len(board.rows) + size - 1) // size, 1)
    page = min(page, pages)
    soon = services.understaffed_soon(
        db.session,
        campaign,
        current_user,
        commune_query=query,
        counted=services.Counted(starts_from, starts_before, counts),
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    tomorrow = today + timedelta(days=1)
    ranges = [
        (_("Today"), today, today),
        (_("Tomorrow"), tomorrow, tomorrow),
        (_("The next 7 days"), today, today + timedelta(days=6)),
    ]
    return render_template(
        "scheduling/coverage/board.html",
        ranges=ranges,
        form=form,
        campaign=campaign,
        board=board,
        rows=board.rows[(page - 1) * size : page * size],
        page=page,
        pages=pages,
        args=args,
        soon=soon,
        soon_shown=SOON_SHOWN,
        hours=format_decimal(round(board.volunteer_hours, 1)),
        labels=STATE_LABELS,
        symbols=STATE_SYMBOLS,
        CellState=CellState,
    )


def _point_in_scope(point_id) -> ServicePoint:
    point = db.session.get(ServicePoint, point_id)
    # another commune's point answers like a missing one: its id leaks nothing
    if point is None or not CoordinatorScope.of(current_user).covers_point(point):
        abort(404)
    return point


def _roster_day() -> date | None:
    """The ?date= of a roster (today when absent), or None when it is not a YYYY-MM-DD date."""
    raw = request.args.get("date", "").strip()
    if not raw:
        return local_today()
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def _bad_date():
    message = _("Give the date as YYYY-MM-DD, for example 2030-01-07.")
    return render_template("app/errors/error.html", status=400, message=message), 400


@bp.get("/service-points/<int:point_id>/roster")
@roles(Role.COORDINATOR)
@no_store
def roster(point_id):
    """The printable roster of a service point on one day: each shift's people and waitlist."""
    point = _point_in_scope(point_id)
    day = _roster_day()
    if day is None:
        return _bad_date()
    return render_template(
        "scheduling/coverage/roster.html",
        point=point,
        day=day,
        shifts=services.roster(db.session, point, day),
        prev_day=day - timedelta(days=1),
        next_day=day + timedelta(days=1),
        BookingStatus=BookingStatus,
    )


def _roster_rows(entries):
    rows = []
    for entry in entries:
        shift = entry.shift
        times = f"{format_time(shift.starts_at, 'short')}–{format_time(shift.ends_at, 'short')}"
        for status, bookings in (
            (_("Confirmed"), entry.confirmed),
            (_("Waitlisted"), entry.waitlisted),
        ):
            for number, booking in enumerate(bookings, start=1):
                user = booking.user
                rows.append(
                    [
                        times,
                        status,
                        number,
                        user.full_name,
                        user.phone,
                        user.organisation,
                        user.class_name,
                        "",
                    ]
                )
    return rows


@bp.get("/service-points/<int:point_id>/roster.csv")
@roles(Role.COORDINATOR)
@no_store
def roster_csv(point_id):
    """The roster as CSV for Excel: UTF-8 with BOM, translated header, formulas disarmed."""
    return _roster_file(point_id, csv_response, "csv")


@bp.get("/service-points/<int:point_id>/roster.xlsx")
@roles(Role.COORDINATOR)
@no_store
def roster_xlsx(point_id):
    """The roster as a workbook: phone numbers keep their leading zero in any spreadsheet."""
    return _roster_file(point_id, xlsx_response, "xlsx")


def _roster_file(point_id, response, suffix):
    point = _point_in_scope(point_id)
    day = _roster_day()
    if day is None:
        return _bad_date()
    header = [
        _("Shift"),
        _("Status"),
        _("No."),
        _("Full name"),
        _("Phone"),
        _("Youth-union branch or university"),
        _("Class"),
        _("Signature"),
    ]
    rows = _roster_rows(services.roster(db.session, point, day))
    label = _("roster")
    name = f"{label}-{point.commune.name}-{day.isoformat()}.{suffix}".replace(" ", "-")
    ascii_name = f"roster-{fold(point.commune.name).replace(' ', '-')}-{day.isoformat()}.{suffix}"
    return response(header, rows, name, fallback=ascii_name)


# --- calendar -----------------------------------------------------------------------------------


def _ics(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.mimetype_params["charset"] = "utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/calendar/<token>.ics")
@public
def feed(token):
    """The volunteer's shifts as iCalendar; the secret URL is the only key (see calendar.py)."""
    user = calendar.user_from_feed_token(db.session, current_app.config["SECRET_KEY"], token)
    if user is None:
        abort(404)
    bookings = calendar.feed_bookings(db.session, user.id)
    with force_locale(user.locale or "vi"):
        body = calendar.calendar_of(
            bookings,
            name=_("Cầu Nối shifts of %(name)s", name=user.full_name),
            my_shifts_url=absolute_url("scheduling.my_shifts"),
        )
    response = _ics(body)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/me/calendar")
@roles(Role.VOLUNTEER)
@no_store
def my_calendar():
    """The volunteer's secret feed URL, how to subscribe, and a button to reset it."""
    token = calendar.feed_token(db.session, current_app.config["SECRET_KEY"], current_user)
    url = absolute_url("coverage.feed", token=token)
    webcal = "webcal://" + url.split("://", 1)[1]
    return render_template("scheduling/coverage/my_calendar.html", feed_url=url, webcal_url=webcal)


@bp.post("/me/calendar/reset")
@roles(Role.VOLUNTEER)
def reset_calendar():
    """Replace the feed URL: calendars subscribed to the old one stop updating."""
    calendar.reset_feed(db.session, current_user)
    db.session.commit()
    flash(
        _(
            "Your calendar link is new: the old one no longer works. "
            "Subscribe again with the link below."
        )
    )
    return redirect(url_for("coverage.my_calendar"))


@bp.get("/bookings/<int:booking_id>.ics")
@roles(Role.VOLUNTEER)
def booking_ics(booking_id):
    """One of the volunteer's own bookings as an .ics file to open in a calendar app."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != current_user.id:
        abort(404)
    body = calendar.calendar_of(
        [booking],
        name=_("Cầu Nối shifts of %(name)s", name=current_user.full_name),
        my_shifts_url=absolute_url("scheduling.my_shifts"),
        now=utcnow(),
    )
    day = format_date(booking.shift.starts_at, "yyyy-MM-dd")
    return _ics(body, filename=f"shift-{day}-{booking.id}.ics")
