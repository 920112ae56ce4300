"""The impact dashboard for coordinators, its CSV files, and the public page of a province."""

import functools

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, bindparam, false, select, true

from app import navigation
from app.access import public, roles
from app.csvfile import csv_response, xlsx_response
from app.database import alphabetical
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.localtime import local_today
from app.places.models import Commune, Province
from app.roles import Role
from app.scope import CoordinatorScope
from impact.dashboard import services, tables, weekly
from impact.dashboard.forms import ImpactFilterForm, WeekForm
from scheduling.campaigns.services import campaigns_in_scope
from scheduling.models import Campaign

bp = Blueprint("impact", __name__)

navigation.register("impact.dashboard", _l("Impact"), navigation.Group.REPORTS)


@functools.cache
def _by_code_statement(model) -> Select:
    return select(model).where(model.code == bindparam("code"))


def _by_code(model, code):
    return db.session.scalar(_by_code_statement(model), {"code": code}) if code else None


@functools.cache
def _communes_statement(scope_shape: str, by_province: bool) -> Select:
    """The communes the filter offers, built once per scope shape (values bound at execution)."""
    stmt = select(Commune).order_by(alphabetical(Commune.name))
    stmt = stmt.where(
        CoordinatorScope.bound_communes_clause(scope_shape, Commune.id, Commune.province_id)
    )
    if by_province:
        stmt = stmt.where(Commune.province_id == bindparam("province_id"))
    elif scope_shape == "everything":
        stmt = stmt.where(false())  # an admin picks a province first
    return stmt


@functools.cache
def _provinces_statement(everything: bool) -> Select:
    """The provinces the filter offers: every one to an admin, else those of the communes."""
    where = true() if everything else Province.id.in_(bindparam("ids", expanding=True))
    return select(Province).where(where).order_by(alphabetical(Province.name))


def _filters():
    """The dashboard's form with the choices this coordinator may make, and what was chosen."""
    form = ImpactFilterForm(request.args)
    scope = CoordinatorScope.of(current_user)
    campaigns = campaigns_in_scope(db.session, scope)
    province = _by_code(Province, form.province.data)
    values: dict[str, object] = dict(scope.bound_values())
    if province is not None:
        values["province_id"] = province.id
    communes = db.session.scalars(
        _communes_statement(scope.shape, province is not None), values
    ).all()
    provinces = db.session.scalars(
        _provinces_statement(scope.everything),
        {"ids": sorted({c.province_id for c in communes})},
    ).all()
    form.campaign.choices = [("", _("None: choose the dates"))] + [
        (str(c.id), c.name) for c in campaigns
    ]
    form.province.choices = [("", _("All in my scope"))] + [(p.code, p.name) for p in provinces]
    form.commune.choices = [("", _("All in my scope"))] + [(c.code, c.name) for c in communes]
    campaign = next((c for c in campaigns if str(c.id) == form.campaign.data), None)
    if campaign is None and not request.args and campaigns:
        campaign = _current(campaigns)
        form.campaign.data = str(campaign.id)
    return form, campaign, province, _by_code(Commune, form.commune.data)


def _current(campaigns: list[Campaign]) -> Campaign:
    """The campaign running today, else the latest one."""
    today = local_today()
    running = [c for c in campaigns if c.starts_on <= today <= c.ends_on]
    return (running or campaigns)[0]


def _scope(form, campaign, province, commune):
    form.validate()
    try:
        return services.dashboard_scope(
            db.session,
            current_user,
            today=local_today(),
            campaign=campaign,
            province=province,
            commune=commune,
            start=form.start.data,
            end=form.end.data,
        )
    except services.ImpactError as refusal:
        if str(refusal) == "forbidden":
            abort(403)
        form.end.errors = [*form.end.errors, refusal.page_message]
        return None


@bp.get("/impact")
@roles(Role.COORDINATOR)
def dashboard():
    """The campaign's figures in the coordinator's scope, against the city's targets."""
    form, campaign, province, commune = _filters()
    scope = _scope(form, campaign, province, commune)
    figures = services.impact_figures(db.session, scope) if scope else None
    status = 200 if scope else 400
    return render_template(
        "impact/dashboard/dashboard.html",
        form=form,
        figures=figures,
        campaign=campaign,
        csv_endpoint="impact.dashboard_csv",
        xlsx_endpoint="impact.dashboard_xlsx",
        csv_args=request.args.to_dict(),
        **_helpers(),
    ), status


@bp.get("/impact/<name>.csv")
@roles(Role.COORDINATOR)
def dashboard_csv(name):
    """One of the dashboard's tables as CSV, with the same filters."""
    return _dashboard_file(name, csv_response, "csv")


@bp.get("/impact/<name>.xlsx")
@roles(Role.COORDINATOR)
def dashboard_xlsx(name):
    """One of the dashboard's tables as a workbook, with the same filters."""
    return _dashboard_file(name, xlsx_response, "xlsx")


def _dashboard_file(name, response, suffix):
    if name not in tables.TABLE_TITLES:
        abort(404)
    form, campaign, province, commune = _filters()
    scope = _scope(form, campaign, province, commune) or abort(400)
    return _file(services.impact_figures(db.session, scope), name, "impact", response, suffix)


def _file(figures, name, prefix, response, suffix):
    header, rows = tables.table(figures, name)
    return response(
        header, rows, f"{prefix}-{name}-{figures.scope.start}-{figures.scope.end}.{suffix}"
    )


def _public_scope(**place):
    """The public pages' scope: the days asked for (by default the last 30) of the country, a
    province or a commune; None, with the form's error, for days out of order or too many."""
    form = ImpactFilterForm(request.args)
    form.validate()
    try:
        scope = services.dated_scope(local_today(), form.start.data, form.end.data, **place)
    except services.ImpactError as refusal:
        form.end.errors = [*form.end.errors, refusal.page_message]
        scope = None
    return form, scope


def _public_page(template, form, scope, figures_of, csv_endpoint, csv_args, **context):
    figures = figures_of(db.session, scope) if scope else None
    return render_template(
        template,
        form=form,
        figures=figures,
        csv_endpoint=csv_endpoint,
        xlsx_endpoint=csv_endpoint.removesuffix("_csv") + "_xlsx",
        csv_args={**request.args.to_dict(), **csv_args},
        dates={k: request.args[k] for k in ("start", "end") if request.args.get(k)},
        **context,
        **_helpers(),
    ), (200 if scope else 400)


def _public_file(scope, figures_of, name, prefix, suffix):
    """One public table of a level, as CSV or a workbook."""
    if name not in tables.TABLE_TITLES and name not in tables.UNIT_TITLES:
        abort(404)
    if scope is None:
        abort(400)
    figures = figures_of(db.session, scope)
    if name in tables.UNIT_TITLES and name != figures.unit_level:
        abort(404)
    response = csv_response if suffix == "csv" else xlsx_response
    return _file(figures, name, prefix, response, suffix)


@bp.get("/impact/national")
@public
def national_impact():
    """The whole country's figures for everyone, each province's beside them."""
    form, scope = _public_scope()
    dates = {k: request.args[k] for k in ("start", "end") if request.args.get(k)}
    return _public_page(
        "impact/dashboard/national.html",
        form,
        scope,
        services.country_figures,
        "impact.national_impact_csv",
        {},
        province_link=lambda unit: url_for("impact.province_impact", code=unit.code, **dates),
    )


@bp.get("/impact/national/<name>.csv")
@public
def national_impact_csv(name):
    """One of the country's public tables as CSV."""
    _form, scope = _public_scope()
    return _public_file(scope, services.country_figures, name, "impact-national", "csv")


@bp.get("/impact/national/<name>.xlsx")
@public
def national_impact_xlsx(name):
    """One of the country's public tables as a workbook."""
    _form, scope = _public_scope()
    return _public_file(scope, services.country_figures, name, "impact-national", "xlsx")


@bp.get("/provinces/<code>/impact")
@public
def province_impact(code):
    """A province's figures for everyone: aggregates only, no person named."""
    province = _by_code(Province, code) or abort(404)
    form, scope = _public_scope(province_id=province.id)
    return _public_page(
        "impact/dashboard/province.html",
        form,
        scope,
        services.impact_figures,
        "impact.province_impact_csv",
        {"code": province.code},
        province=province,
    )


@bp.get("/provinces/<code>/impact/<name>.csv")
@public
def province_impact_csv(code, name):
    """One of a province's public tables as CSV."""
    province = _by_code(Province, code) or abort(404)
    _form, scope = _public_scope(province_id=province.id)
    return _public_file(scope, services.impact_figures, name, f"impact-{province.code}", "csv")


@bp.get("/provinces/<code>/impact/<name>.xlsx")
@public
def province_impact_xlsx(code, name):
    """One of a province's public tables as a workbook."""
    province = _by_code(Province, code) or abort(404)
    _form, scope = _public_scope(province_id=province.id)
    return _public_file(scope, services.impact_figures, name, f"impact-{province.code}", "xlsx")


@bp.get("/communes/<code>/impact")
@public
def commune_impact(code):
    """A commune's figures for everyone, each of its service points' beside them, day by day."""
    commune = _by_code(Commune, code) or abort(404)
    form, scope = _public_scope(
        commune_ids=frozenset({commune.id}), province_id=commune.province_id
    )
    return _public_page(
        "impact/dashboard/commune.html",
        form,
        scope,
        services.commune_figures,
        "impact.commune_impact_csv",
        {"code": commune.code},
        commune=commune,
    )


@bp.get("/communes/<code>/impact/<name>.csv")
@public
def commune_impact_csv(code, name):
    """One of a commune's public tables as CSV."""
    commune = _by_code(Commune, code) or abort(404)
    _form, scope = _public_scope(
        commune_ids=frozenset({commune.id}), province_id=commune.province_id
    )
    return _public_file(scope, services.commune_figures, name, f"impact-{commune.code}", "csv")


@bp.get("/communes/<code>/impact/<name>.xlsx")
@public
def commune_impact_xlsx(code, name):
    """One of a commune's public tables as a workbook."""
    commune = _by_code(Commune, code) or abort(404)
    _form, scope = _public_scope(
        commune_ids=frozenset({commune.id}), province_id=commune.province_id
    )
    return _public_file(scope, services.commune_figures, name, f"impact-{commune.code}", "xlsx")


def _helpers():
    return {
        "percent": tables.percent,
        "reason_labels": tables.REASON_LABELS,
        "indicator_labels": tables.INDICATOR_LABELS,
        "table_titles": tables.TABLE_TITLES,
        "unit_titles": tables.UNIT_TITLES,
        "volunteer_rows": tables.volunteer_rows,
        "learning_rows": tables.learning_rows,
        "resident_rows": tables.resident_rows,
        "residents_count": tables.residents_count,
        "course_title": tables.course_title,
        "ranking_minimum": services.RANKING_MINIMUM,
    }


# --- weekly reports -------------------------------------------------------------------------


def _week():
    """The week's form and its Monday (by default last week's); None when the date is bad."""
    form = WeekForm(request.args)
    if not form.validate():
        return form, None
    return form, weekly.week_of(form.week.data or weekly.last_week(local_today()))


def _weekly_page(title, where, xlsx_endpoint, place_args, up=None):
    """The A4 page of a weekly report, or the form's error with a 400."""
    form, monday = _week()
    report = weekly.weekly_report(db.session, monday, **where) if monday else None
    return render_template(
        "impact/dashboard/weekly.html",
        form=form,
        report=report,
        title=title,
        up=up,
        xlsx_url=url_for(xlsx_endpoint, **place_args, week=monday.isoformat()) if monday else None,
        page_url=url_for(xlsx_endpoint.removesuffix("_xlsx"), **place_args),
        percent=tables.percent,
    ), (200 if report else 400)


def _weekly_xlsx(title, where, prefix):
    """A weekly report as a workbook: who and which week on top, then one indicator a row."""
    _form, monday = _week()
    if monday is None:
        abort(400)
    report = weekly.weekly_report(db.session, monday, **where)
    return xlsx_response(
        [_("Indicator"), _("Value"), _("Target")],
        weekly_rows(title, report),
        f"{prefix}-{report.start}.xlsx",
    )


def weekly_rows(title, report) -> list[list]:
    """The workbook's rows: counts and hours as numbers, shares as percentages (numbers)."""
    rows: list[list] = [
        [_("Report"), str(title), None],
        [_("From"), report.start, None],
        [_("To"), report.end, None],
    ]
    for label, value, target, kind in report.lines():
        if kind == "share":
            rows.append(
                [
                    f"{label} (%)",
                    None if value is None else round(value * 100, 1),
                    None if target is None else round(target * 100, 1),
                ]
            )
        else:
            rows.append([str(label), value, target])
    return rows


@bp.get("/impact/national/weekly")
@public
def national_weekly():
    """The country's weekly report, printable on A4: aggregates only, no person named."""
    return _weekly_page(_("The whole country"), {}, "impact.national_weekly_xlsx", {})


@bp.get("/impact/national/weekly.xlsx")
@public
def national_weekly_xlsx():
    """The country's weekly report as a workbook."""
    return _weekly_xlsx(_("The whole country"), {}, "weekly-national")


@bp.get("/provinces/<code>/impact/weekly")
@public
def province_weekly(code):
    """A province's weekly report, printable on A4."""
    province = _by_code(Province, code) or abort(404)
    return _weekly_page(
        province.name,
        {"province_id": province.id},
        "impact.province_weekly_xlsx",
        {"code": code},
        up=url_for("impact.province_impact", code=code),
    )


@bp.get("/provinces/<code>/impact/weekly.xlsx")
@public
def province_weekly_xlsx(code):
    """A province's weekly report as a workbook."""
    province = _by_code(Province, code) or abort(404)
    return _weekly_xlsx(province.name, {"province_id": province.id}, f"weekly-{province.code}")


def _commune_where(commune):
    return {"commune_ids": frozenset({commune.id}), "province_id": commune.province_id}


@bp.get("/communes/<code>/impact/weekly")
@public
def commune_weekly(code):
    """A commune's weekly report, printable on A4: the shape in which it reports upward."""
    commune = _by_code(Commune, code) or abort(404)
    return _weekly_page(
        commune.name,
        _commune_where(commune),
        "impact.commune_weekly_xlsx",
        {"code": code},
        up=url_for("impact.commune_impact", code=code),
    )


@bp.get("/communes/<code>/impact/weekly.xlsx")
@public
def commune_weekly_xlsx(code):
    """A commune's weekly report as a workbook."""
    commune = _by_code(Commune, code) or abort(404)
    return _weekly_xlsx(commune.name, _commune_where(commune), f"weekly-{commune.code}")


def _coordinator_week():
    """The title and communes of the coordinator's weekly report: the commune or province asked
    for (`?commune=`, `?province=` codes), else every commune of their scope; 403 outside it."""
    commune = _by_code(Commune, request.args.get("commune"))
    province = None if commune else _by_code(Province, request.args.get("province"))
    today = local_today()
    try:
        scope = services.dashboard_scope(
            db.session, current_user, today=today, province=province, commune=commune
        )
    except services.ImpactError:
        abort(403)
    place = commune or province
    title = place.name if place is not None else _("Communes in my scope")
    where = {"commune_ids": scope.commune_ids, "province_id": scope.province_id}
    args = {k: v.code for k, v in (("commune", commune), ("province", province)) if v}
    return title, where, args


@bp.get("/impact/weekly")
@roles(Role.COORDINATOR)
def weekly_report():
    """The weekly report of the communes a coordinator coordinates (or one of them)."""
    title, where, args = _coordinator_week()
    return _weekly_page(
        title, where, "impact.weekly_report_xlsx", args, up=url_for("impact.dashboard")
    )


@bp.get("/impact/weekly.xlsx")
@roles(Role.COORDINATOR)
def weekly_report_xlsx():
    """The coordinator's weekly report as a workbook."""
    title, where, _args = _coordinator_week()
    return _weekly_xlsx(title, where, "weekly")
