"""The JSON API as a whole: its OpenAPI document is complete, and real answers match it.

These tests read every operation from the published schema, so endpoints added by any app are
checked without editing this file: each is documented, each documents its answers, each
refuses anonymous callers (unless its schema says it needs no sign-in) and each unsafe one
refuses a session call without the CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver

from alongside.accounts.models import User
from alongside.api import api
from alongside.communities.models import Group, Membership, Post, Thread
from alongside.notifications import services

PREFIX = "/api/v1/"
SCHEMA_URL = f"{PREFIX}openapi.json"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


# --- a small JSON Schema checker: the subset pydantic emits ---------------------------------


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), f"only local references are used: {ref}"
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        schema = target
    return schema


def schema_errors(
    document: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "$"
) -> list[str]:
    """What is wrong with ``value`` against ``schema``; empty when it matches.

    Stricter than JSON Schema in one way: an object may not carry properties its schema does
    not declare (unless ``additionalProperties`` allows it), so undocumented fields fail.
    """
    schema = resolve(document, schema)
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema["oneOf"]
        if any(not schema_errors(document, option, value, where) for option in options):
            return []
        return [f"{where}: {value!r} matches none of {options}"]
    errors: list[str] = []
    if "allOf" in schema:
        for part in schema["allOf"]:
            errors += schema_errors(document, part, value, where)
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    kind = schema.get("type")
    if kind is None:
        return errors
    kinds = kind if isinstance(kind, list) else [kind]
    # bool is an int subclass in Python, but true is not a number in JSON.
    numeric = {"integer", "number"}
    matches = [
        k
        for k in kinds
        if isinstance(value, JSON_TYPES[k]) and not (k in numeric and isinstance(value, bool))
    ]
    if not matches:
        return [*errors, f"{where}: {value!r} is not {kinds}"]
    if isinstance(value, str) and schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            errors.append(f"{where}: {value!r} is not a date-time")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, list):
        for index, item in enumerate(value):
            errors += schema_errors(document, schema.get("items", {}), item, f"{where}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{where}: missing {name!r}")
        extra = schema.get("additionalProperties", False)
        for name, item in value.items():
            if "propertyNames" in schema:
                errors += schema_errors(document, schema["propertyNames"], name, f"{where} key")
            if name in properties:
                errors += schema_errors(document, properties[name], item, f"{where}.{name}")
            elif isinstance(extra, dict):
                errors += schema_errors(document, extra, item, f"{where}.{name}")
            elif extra is not True:
                errors.append(f"{where}: undocumented property {name!r}")
    return errors


def test_checker_catches_mismatches() -> None:
    document: dict[str, Any] = {
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "url": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "at": {"type": "string", "format": "date-time"},
                        "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
                    },
                    "required": ["id", "url"],
                }
            }
        }
    }
    thing = {"$ref": "#/components/schemas/Thing"}
    assert schema_errors(document, thing, {"id": 1, "url": None, "tags": ["a"]}) == []
    assert schema_errors(document, thing, {"id": "1", "url": None})
    assert schema_errors(document, thing, {"id": True, "url": None})
    assert schema_errors(document, thing, {"id": 1})
    assert schema_errors(document, thing, {"id": 1, "url": 3})
    assert schema_errors(document, thing, {"id": 1, "url": None, "at": "yesterday"})
    assert schema_errors(document, thing, {"id": 1, "url": None, "tags": ["c"]})
    assert schema_errors(document, thing, {"id": 1, "url": None, "secret": "x"})


# --- the document ------------------------------------------------------------------------------


@pytest.fixture
def document(db: None) -> dict[str, Any]:
    response = Client().get(SCHEMA_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def registered_paths() -> set[str]:
    """Every route the NinjaAPI serves, written the way OpenAPI writes paths."""
    found: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif pattern.name not in {"api-root", "openapi-json"}:
                found.add(PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(api.urls[0], "")
    return found


def test_document_is_openapi_3(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] == "Alongside API"
    assert document["info"]["version"]
    assert isinstance(document["paths"], dict)
    assert document["paths"]
    assert "SessionAuth" in document["components"]["securitySchemes"]


def test_every_registered_path_is_documented(document: dict[str, Any]) -> None:
    paths = registered_paths()
    assert f"{PREFIX}notifications/" in paths
    assert paths == set(document["paths"])


def test_every_operation_documents_its_answers(document: dict[str, Any]) -> None:
    ids = []
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        ids.append(operation["operationId"])
        assert operation.get("summary"), f"{where} has no summary"
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), f"{where}: no success answer"
        for code, response in responses.items():
            schema = response["content"]["application/json"]["schema"]
            # Every reference resolves, so clients can generate types from it.
            assert resolve(document, schema), f"{where} {code}"
        if operation.get("security"):
            assert "401" in responses, f"{where} needs sign-in but does not document 401"
        if method in UNSAFE_METHODS and operation.get("security"):
            assert "403" in responses, f"{where} does not document the CSRF refusal (403)"
        for parameter in operation.get("parameters", []):
            assert parameter["in"] in {"path", "query", "header", "cookie"}
            assert "schema" in parameter
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


def test_anonymous_calls_get_401_json(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if not operation.get("security"):
            continue
        response = getattr(Client(), method)(concrete(path), content_type="application/json")
        assert response.status_code == 401, f"{method.upper()} {path}"
        assert response.json() == {"detail": "Unauthorized"}


def test_unsafe_session_calls_need_the_csrf_token(document: dict[str, Any], member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    request = RequestFactory().get("/")
    get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    checked = 0
    for path, method, operation in operations(document):
        if method not in UNSAFE_METHODS or not operation.get("security"):
            continue
        response = getattr(client, method)(concrete(path), {}, content_type="application/json")
        assert response.status_code == 403, f"{method.upper()} {path}"
        assert response.json() == {"detail": "CSRF check Failed"}
        checked += 1
    assert checked >= 3


# --- real answers match the document -----------------------------------------------------------


def assert_matches(
    document: dict[str, Any], path: str, method: str, response: Any, status: int
) -> dict[str, Any]:
    assert response.status_code == status, response.content
    declared = document["paths"][path][method]["responses"][str(status)]
    schema = declared["content"]["application/json"]["schema"]
    body: dict[str, Any] = response.json()
    assert schema_errors(document, schema, body) == []
    return body


@pytest.fixture
def notified_member(make_user: Callable[..., User]) -> User:
    """A member with a reply, a mention and a reaction notification, one about a deleted post."""
    alex, sam = make_user("alex"), make_user("sam", email="sam@example.org")
    group = Group.objects.create(slug="sleep", name="Sleep", visibility=Group.Visibility.HIDDEN)
    for user in (alex, sam):
        Membership.objects.create(group=group, user=user)
    thread = Thread.objects.create(group=group, author=alex, title="Sleepless again")
    posts = [
        Post.objects.create(thread=thread, author=sam, body=f"post {n}", body_html=f"<p>{n}</p>")
        for n in range(3)
    ]
    services.notify_reply(post=posts[0])
    services.notify_mentions(post=posts[1], users=[alex])
    services.notify_reply(post=posts[2])
    Post.objects.filter(pk=posts[2].pk).update(deleted_at=thread.created_at)
    return alex


def test_notification_answers_match_the_schema(
    document: dict[str, Any],
    notified_member: User,
    client_for: Callable[[User], Client],
    make_user: Callable[..., User],
) -> None:
    client = client_for(notified_member)
    base = f"{PREFIX}notifications/"

    page = assert_matches(document, base, "get", client.get(base), 200)
    assert len(page["items"]) == 3
    assert {item["available"] for item in page["items"]} == {True, False}
    assert_matches(document, base, "get", client.get(base, {"unread": "true"}), 200)
    assert_matches(document, base, "get", client.get(base, {"page": "zero"}), 422)

    one = f"{base}{{notification_id}}/read"
    first = page["items"][0]["id"]
    assert_matches(document, one, "post", client.post(f"{base}{first}/read"), 200)
    stranger = client_for(make_user("kai"))
    assert_matches(document, one, "post", stranger.post(f"{base}{first}/read"), 404)
    assert_matches(document, one, "post", Client().post(f"{base}{first}/read"), 401)

    assert_matches(document, f"{base}read-all", "post", client.post(f"{base}read-all"), 200)

    prefs = f"{base}preferences"
    assert_matches(document, prefs, "get", client.get(prefs), 200)
    change = {"preferences": {"mention": {"in_app": False}}}
    answer = client.patch(prefs, change, content_type="application/json")
    assert_matches(document, prefs, "patch", answer, 200)
    refused = {"preferences": {"reply": {"email": True}}}
    answer = client.patch(prefs, refused, content_type="application/json")
    assert_matches(document, prefs, "patch", answer, 422)
    unknown = {"preferences": {"gossip": {"in_app": True}}}
    answer = client.patch(prefs, unknown, content_type="application/json")
    assert_matches(document, prefs, "patch", answer, 422)
