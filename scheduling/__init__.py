"""Scheduling: campaigns, shifts, bookings, waitlists, teams and attendance."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Scheduling's pages, API routes, `flask scheduling` commands, periodic jobs, tables,
    notices, demo and the `describe` filter that words a shift."""
    from app.api import nest
    from app.imports_cli import imports_cli
    from app.notifications.preferences import register_starts
    from app.notifications.services import register_kinds
    from app.parts import add_demo, add_home_block
    from app.roles import Role
    from scheduling import api, jobs, notices
    from scheduling import models as _models  # noqa: F401  (its tables)
    from scheduling.booking.views import bp as staffing_bp
    from scheduling.broadcasts import models as _broadcast_models  # noqa: F401
    from scheduling.broadcasts.views import bp as broadcasts_bp
    from scheduling.campaigns.demo import load_campaign_demo
    from scheduling.campaigns.views import bp as campaigns_bp
    from scheduling.checkin import api as checkin_api
    from scheduling.checkin import models as _checkin_models  # noqa: F401
    from scheduling.checkin.views import bp as checkin_bp
    from scheduling.cli import scheduling_cli
    from scheduling.coverage import models as _coverage_models  # noqa: F401
    from scheduling.coverage.views import bp as coverage_bp
    from scheduling.imports.cli import volunteers_command
    from scheduling.imports.views import bp as imports_bp
    from scheduling.reminders import models as _reminder_models  # noqa: F401
    from scheduling.service_hours import models as _service_models  # noqa: F401
    from scheduling.service_hours.views import bp as service_hours_bp
    from scheduling.skills import models as _skill_models  # noqa: F401
    from scheduling.skills.views import bp as skill_needs_bp
    from scheduling.swaps import api as swaps_api
    from scheduling.swaps import models as _swap_models  # noqa: F401
    from scheduling.swaps.views import bp as swaps_bp
    from scheduling.teams import models as _team_models  # noqa: F401
    from scheduling.teams.views import bp as teams_bp
    from scheduling.today.views import coordinator_block, volunteer_block
    from scheduling.views import bp
    from scheduling.wording import describe

    for blueprint in (
        bp,
        coverage_bp,
        checkin_bp,
        campaigns_bp,
        teams_bp,
        staffing_bp,
        imports_bp,
        service_hours_bp,
        broadcasts_bp,
        swaps_bp,
        skill_needs_bp,
    ):
        app.register_blueprint(blueprint)
    nest(api.bp)
    nest(checkin_api.bp)
    nest(swaps_api.bp)
    app.cli.add_command(scheduling_cli)
    imports_cli.add_command(volunteers_command)
    register_kinds(notices.KINDS)
    register_starts({"shift_id": notices.shift_start})
    jobs.init_app(app)
    add_demo(app, load_campaign_demo)
    add_home_block(app, Role.VOLUNTEER, volunteer_block)
    add_home_block(app, Role.COORDINATOR, coordinator_block)
    app.add_template_filter(describe, "describe")
