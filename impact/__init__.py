"""Impact: the assisted-submission log and procedure catalogue, home support, the dashboard from
commune to nation and the public pages. It reads scheduling and courses through their services;
neither of them imports it."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Impact's pages, API routes, `flask procedures` and `flask impact` commands, the retention
    job, tables, demo."""
    from app.api import nest
    from app.parts import add_demo, add_home_block
    from app.roles import Role
    from impact.assists import api as assists_api
    from impact.assists import models as _assist_models  # noqa: F401  (its tables)
    from impact.assists.views import bp as assists_bp
    from impact.assists.views import coordinator_block
    from impact.cards import api as cards_api
    from impact.cards import models as _card_models  # noqa: F401  (its tables)
    from impact.cards.views import bp as cards_bp
    from impact.dashboard import api as dashboard_api
    from impact.dashboard import models as _dashboard_models  # noqa: F401
    from impact.dashboard.cli import impact_cli
    from impact.dashboard.demo import load_impact_demo
    from impact.dashboard.views import bp as dashboard_bp
    from impact.home_support import jobs as home_support_jobs
    from impact.home_support import models as _home_support_models  # noqa: F401
    from impact.home_support.cli import erase_addresses
    from impact.home_support.views import bp as home_support_bp
    from impact.procedures.cli import procedures_cli
    from impact.procedures.views import bp as procedures_bp

    for blueprint in (assists_bp, cards_bp, home_support_bp, dashboard_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(procedures_bp, url_prefix="/admin")
    nest(assists_api.bp)
    nest(cards_api.bp)
    nest(dashboard_api.bp)
    app.cli.add_command(procedures_cli)
    impact_cli.add_command(erase_addresses)
    app.cli.add_command(impact_cli)
    home_support_jobs.init_app(app)
    add_demo(app, load_impact_demo)
    add_home_block(app, Role.COORDINATOR, coordinator_block)
