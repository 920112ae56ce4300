"""Each /api/v1 route's declaration, and the OpenAPI 3.1 document generated from them.

`@operation(...)` sits next to the route: it names the operation, parses its body and query
string with the part's schemas (app/api/schemas.py bases), and lists the answers it gives. The
document walks the url_map under /api/v1 and reads those declarations, so a route cannot be
undocumented: `document` refuses a route that declares nothing.
"""

import functools
import re
from dataclasses import dataclass, field

from flask import current_app, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from werkzeug.routing import IntegerConverter

from app.api import bp
from app.api.schemas import MAX_ID, Error, Input, problems

#: an answer's (description, shape): a model, [model] for an array of it, dict for any object,
#: None for no body
Answer = tuple[str, type | list | None]

ACCEPT_LANGUAGE = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "Language of error messages: vi (default) or en. A signed-in user's own "
    "choice of language wins.",
    "schema": {"type": "string"},
}
SIGNED_IN = [{"bearerAuth": []}]
#: what every operation with a parameter or a body may answer, whatever it declares: input no
#: database can hold is refused before the route (app/security.py refuse_nul, refuse_unsafe_json)
UNREADABLE: Answer = (
    "The request holds what the site cannot read: a NUL character, or JSON nested too deep, "
    "with a lone surrogate, NaN, or a number beyond a float's range.",
    Error,
)
REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    """What the document says of one route, and the shapes its requests are parsed with."""

    id: str
    summary: str
    responses: dict[int, Answer]
    description: str | None = None
    body: type[Input] | None = None
    query: type[Input] | None = None
    #: the description of each path parameter; its schema comes from the URL rule's converter
    path: dict[str, str] = field(default_factory=dict)
    #: whether Accept-Language chooses the language of its messages
    language: bool = True


def operation(
    id,  # noqa: A002 - the operationId
    *,
    summary,
    responses,
    description=None,
    body=None,
    query=None,
    path=None,
    language=True,
):
    """Declare the route's operation; the view then receives `body=` and/or `query=` parsed.

    A body that is not a JSON object, or that its shape refuses, is answered by the shape's
    `refuse` (a 400 or 422 with the project's sentences) and the view is not called.
    """
    declared = Operation(
        id=id,
        summary=summary,
        responses=responses,
        description=description,
        body=body,
        query=query,
        path=path or {},
        language=language,
    )

    def decorate(view):
        @functools.wraps(view)
        def parse_then_call(*args, **kwargs):
            if body is not None:
                raw = request.get_json(silent=True)
                if not isinstance(raw, dict):
                    return body.refuse(["body"])
                try:
                    kwargs["body"] = body.parse(raw)
                except ValidationError as exc:
                    return body.refuse(problems(exc))
            if query is not None:
                try:
                    kwargs["query"] = query.parse(request.args.to_dict())
                except ValidationError as exc:
                    return query.refuse(problems(exc))
            return view(*args, **kwargs)

        parse_then_call.operation = declared
        return parse_then_call

    return decorate


# --- the document -------------------------------------------------------------------------------


class _Schemas(GenerateJsonSchema):
    """Pydantic's JSON Schema without a title on every field (the names say it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _models(operations) -> list[type[BaseModel]]:
    """Every model the operations name, each once, in the order first named."""
    found = []

    def add(shape):
        if isinstance(shape, list):
            shape = shape[0]
        if isinstance(shape, type) and issubclass(shape, BaseModel) and shape not in found:
            found.append(shape)

    add(Error)  # UNREADABLE, and most refusals
    for op in operations:
        add(op.body)  # a query's fields become parameters, not a component
        for _description, shape in op.responses.values():
            add(shape)
    return found


def _content(shape, refs):
    if shape is None:
        return {}
    if shape is dict:
        schema = {"type": "object"}
    elif isinstance(shape, list):
        schema = {"type": "array", "items": refs[shape[0]]}
    else:
        schema = refs[shape]
    return {"content": {"application/json": {"schema": schema}}}


def _path_parameter(rule, name, description):
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter):
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    else:
        schema = {"type": "string"}
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _query_parameters(query: type[Input]) -> list[dict]:
    schema = query.model_json_schema(by_alias=True, schema_generator=_Schemas)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("default", None)
        parameters.append(
            {
                "name": name,
                "in": "query",
                "required": name in required,
                **({"description": description} if description else {}),
                "schema": prop,
            }
        )
    return parameters


def _operation(rule, view, op: Operation, refs) -> dict:
    public = getattr(view, "access", None) is not None and view.access.public
    parameters = [_path_parameter(rule, name, op.path[name]) for name in rule.arguments]
    if op.query is not None:
        parameters += _query_parameters(op.query)
    if op.language:
        parameters.append(ACCEPT_LANGUAGE)
    document = {"operationId": op.id, "summary": op.summary}
    if op.description:
        document["description"] = op.description
    document["security"] = [] if public else SIGNED_IN
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        document["requestBody"] = {"required": True, **_content(op.body, refs)}
    responses = dict(op.responses)
    if op.body is not None or rule.arguments or op.query is not None:
        responses.setdefault(400, UNREADABLE)
    document["responses"] = {
        str(status): {"description": description, **_content(shape, refs)}
        for status, (description, shape) in sorted(responses.items())
    }
    return document


def document(app) -> dict:
    """The OpenAPI 3.1 document of every route under /api/v1, from their declarations."""
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith(bp.url_prefix + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        op = getattr(view, "operation", None)
        if op is None:
            raise LookupError(f"{rule.endpoint} ({rule.rule}) declares no @operation")
        routes.append((rule, view, op))
    models = _models(op for _rule, _view, op in routes)
    keys, definitions = models_json_schema(
        [
            (model, "validation" if issubclass(model, Input) else "serialization")
            for model in models
        ],
        by_alias=True,
        ref_template=REF,
        schema_generator=_Schemas,
    )
    refs = {model: keys[(model, mode)] for (model, mode) in keys}
    paths: dict[str, dict] = {}
    for rule, view, op in routes:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(_openapi_path(rule.rule), {})[method.lower()] = _operation(
                rule, view, op, refs
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cầu Nối API",
            "version": "1",
            "description": "Shifts and bookings for the volunteers of the digital-transformation "
            'campaign. Errors are {"error": code, "message": text in the request\'s language}.',
        },
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from POST /api/v1/tokens.",
                }
            },
        },
        "security": SIGNED_IN,
    }


def current_document() -> dict:
    """The running app's document, made once: the routes do not change after start-up."""
    extensions = current_app.extensions
    if "openapi" not in extensions:
        extensions["openapi"] = document(current_app)
    return extensions["openapi"]
