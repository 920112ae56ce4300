"""Access is declared on every route: the public ones are listed here, the rest refuse strangers."""

from werkzeug.routing import IntegerConverter

from app.access import rule_for

# Every page anyone may open without signing in. Adding a public route means adding it here.
PUBLIC = {
    "static",
    "main.home",
    "main.health",
    "channels.service_worker",
    "channels.short_link",
    "main.switch_language",
    "auth.login",
    "auth.register",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.accept_invitation",
    "places.provinces",
    "places.province",
    "places.province_communes_json",
    "places.commune",
    "courses.catalogue",
    "courses.course",
    "courses.lesson",
    "courses.simulator_list",
    "courses.simulator",
    "courses.asset",
    "courses.offline_manifest",
    "courses.service_worker",
    "learning.verify",
    "service_hours.verify",
    "api.create_token",
    "api.openapi_document",
    "coverage.feed",
    "learners.join",
    "learners.resume",
    "learners.resume_from_qr",
    "learners.register_officer",
    "main.text_size",
    "main.security_txt",
    "home_support.ask",
    "impact.province_impact",
    "impact.province_impact_csv",
    "impact.province_impact_xlsx",
    "api.impact.province_stats",
    "api.impact.commune_stats",
    "api.impact.national_stats",
    "cards.scan",
    "impact.commune_impact",
    "impact.commune_impact_csv",
    "impact.commune_impact_xlsx",
    "impact.national_impact",
    "impact.national_impact_csv",
    "impact.national_impact_xlsx",
    "impact.national_weekly",
    "impact.national_weekly_xlsx",
    "impact.province_weekly",
    "impact.province_weekly_xlsx",
    "impact.commune_weekly",
    "impact.commune_weekly_xlsx",
}


def _sample_url(rule):
    values = {
        arg: 1 if isinstance(rule._converters[arg], IntegerConverter) else "x"
        for arg in rule.arguments
    }
    return rule.build(values)[1]


def _routes(app):
    return [r for r in app.url_map.iter_rules()]


def test_every_route_declares_who_may_use_it(app):
    undeclared = [r.endpoint for r in _routes(app) if rule_for(r.endpoint) is None]
    assert undeclared == []


def test_the_public_routes_are_exactly_the_listed_ones(app):
    public = {r.endpoint for r in _routes(app) if rule_for(r.endpoint).public}
    assert public == PUBLIC & {r.endpoint for r in _routes(app)}
    assert public <= PUBLIC


def test_every_other_route_refuses_an_anonymous_visitor(app, client):
    checked = 0
    for rule in _routes(app):
        if rule.endpoint in PUBLIC:
            continue
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            refused = response.status_code in (401, 403) or (
                response.status_code == 302 and "/login" in response.headers["Location"]
            )
            assert refused, f"{method} {url} answered {response.status_code} to a stranger"
            checked += 1
    assert checked > 0


def test_the_login_redirect_remembers_where_the_visitor_was_going(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=/profile")
