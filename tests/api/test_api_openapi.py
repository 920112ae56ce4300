"""The OpenAPI document describes every /api/v1 route."""

import re

import pytest


def _openapi_path(rule):
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_document_is_public_and_lists_every_api_operation(app, client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented


def test_every_path_parameter_is_declared(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([a-z_]+)}", path)), path


def test_the_document_takes_its_enums_from_the_models(client):
    from impact.assists.models import Channel, Reason
    from scheduling.models import BookingStatus

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Channel"]["enum"] == [c.value for c in Channel]
    assert schemas["Reason"]["enum"] == [r.value for r in Reason]
    assert schemas["BookingStatus"]["enum"] == [s.value for s in BookingStatus]


def test_every_error_answer_is_the_one_error_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    allowed = {"Error", "InvalidInput", "ScanRefusal"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.rsplit("/", 1)[1] in allowed, (path, method, status)


def test_a_route_without_a_declaration_is_refused_by_the_document():
    from flask import Blueprint

    from app import create_app
    from app.api import openapi

    app = create_app({"SECRET_KEY": "x"})
    undeclared = Blueprint("undeclared", __name__)
    undeclared.add_url_rule("/api/v1/undeclared", "undeclared", lambda: "")
    app.register_blueprint(undeclared)

    with pytest.raises(LookupError, match="declares no @operation"):
        openapi.document(app)
