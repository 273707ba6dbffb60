"""Response schemas for the Benchmark endpoints the project uses, and the official OpenAPI.

`tests/schemas/benchmark/` holds the project's own JSON Schemas (draft 2020-12), one file per
response shape, written from what the loader and the simulator rely on: required fields are the
ones the loader or the staging models cannot do without, and `additionalProperties: false`
everywhere, so the simulator cannot invent a field. Every response the tests receive is checked
against them. The official OpenAPI (`../shared/api/benchmark-email-openapi.json`, tests/vendor.py)
is checked in addition when it is present, and `differences` compares the project's schemas with
it field by field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import requests
from referencing import Registry, Resource

from tests.vendor import BENCHMARK_OPENAPI, vendor_path

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "benchmark"
# (method, path as the OpenAPI spells it) → the project's schema of its 200 body.
ROUTES = {
    ("GET", "/api/email/campaign"): "campaign_list.json",
    ("GET", "/api/email/campaign/{campaignId}"): "campaign.json",
    ("GET", "/api/contact/events"): "contact_events.json",
    ("POST", "/api/contact/search"): "contact_search.json",
    ("GET", "/api/reports/dashboard"): "report_dashboard.json",
    ("GET", "/api/reports/email/overall"): "report_overall.json",
    ("GET", "/api/reports/email/overall/histogram"): "report_histogram.json",
    ("GET", "/api/reports/email/{id}"): "report_campaign.json",
    ("GET", "/api/reports/email/{id}/engagement"): "report_engagement.json",
}
ERROR_SCHEMA = (
    "error.json"  # every 4xx (PROVIDERS.md 4.5; the OpenAPI gives error statuses no body)
)
# ASSUMPTION (CONTRACTS 7.1): the OpenAPI's campaign detail lists a subset of the list record's
# fields; the simulator answers the full record, whose other fields the list documents.
UNDOCUMENTED = {
    ("GET", "/api/email/campaign/{campaignId}"): {"name", "subject", "from", "previewText", "stats"}
}


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value and parsed.tzinfo is not None


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time", raises=ValueError)(_is_date_time)


def match_template(path: str, templates: Iterable[str]) -> str:
    """The path template matching a concrete path (literal segments beat parameters)."""
    parts = path.strip("/").split("/")
    candidates = []
    for template in templates:
        pattern = template.strip("/").split("/")
        if len(pattern) == len(parts) and all(
            p == c or (p.startswith("{") and p.endswith("}"))
            for p, c in zip(pattern, parts, strict=True)
        ):
            candidates.append((sum(p.startswith("{") for p in pattern), template))
    if not candidates:
        raise AssertionError(f"{path} is not a known route")
    return min(candidates)[1]


def _errors(validator: Any, body: Any) -> list[str]:
    found = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    return [f"{list(e.path)}: {e.message}" for e in found[:5]]


class ProjectSchemas:
    """The project's response schemas, with their cross-file `$ref`s resolved."""

    def __init__(self, directory: Path = SCHEMA_DIR) -> None:
        self.schemas = {p.name: json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))}
        self.registry: Registry[Any] = Registry().with_resources(
            (name, Resource.from_contents(schema)) for name, schema in self.schemas.items()
        )

    def validator(self, name: str) -> jsonschema.Draft202012Validator:
        return jsonschema.Draft202012Validator(
            self.schemas[name], registry=self.registry, format_checker=FORMATS
        )

    def schema_name(self, method: str, path: str, status: int) -> str:
        if status >= 400:
            return ERROR_SCHEMA
        template = match_template(path, [t for m, t in ROUTES if m == method])
        return ROUTES[(method, template)]

    def validate(self, method: str, path: str, status: int, body: Any) -> None:
        name = self.schema_name(method, path, status)
        errors = _errors(self.validator(name), body)
        assert not errors, f"{method} {path} {status} against tests/schemas/benchmark/{name}: " + (
            "; ".join(errors)
        )

    def deref(self, name: str, node: Any) -> tuple[str, Any]:
        """Follow `$ref`s (`file.json`, `#/$defs/x`, `file.json#/$defs/x`) to the schema node."""
        while isinstance(node, dict) and "$ref" in node:
            target, _, pointer = node["$ref"].partition("#")
            name = target or name
            node = self.schemas[name]
            for part in filter(None, pointer.split("/")):
                node = node[part]
        return name, node

    def differences(self, name: str, node: Any, spec: Any, where: str = "") -> Iterator[str]:
        """What a project schema allows that an OpenAPI schema (converted, `OpenApi.convert`)
        does not: a field it does not list, a type or an enum value outside its own."""
        name, node = self.deref(name, node)
        ours, theirs = _types(node), _types(spec)
        if theirs is not None:
            for kind in sorted(ours or {"any"}):
                if kind not in theirs and not (kind == "integer" and "number" in theirs):
                    yield f"{where or '.'}: type {kind}, the OpenAPI has {sorted(theirs)}"
        if "enum" in spec:
            if "enum" not in node and ours != {"null"}:
                yield f"{where or '.'}: any value, the OpenAPI allows only {spec['enum']}"
            extra = [v for v in node.get("enum", ()) if v not in spec["enum"]]
            if extra:
                yield f"{where or '.'}: values {extra} outside the OpenAPI's {spec['enum']}"
        documented = spec.get("properties", {})
        for key, sub in node.get("properties", {}).items():
            if key in documented:
                yield from self.differences(name, sub, documented[key], f"{where}.{key}")
            else:
                yield f"{where}.{key}: not in the OpenAPI"
        if "items" in node:
            yield from self.differences(name, node["items"], spec.get("items", {}), f"{where}[]")


def _types(node: dict[str, Any]) -> set[str] | None:
    if "type" in node:
        kinds = node["type"]
        return set(kinds) if isinstance(kinds, list) else {kinds}
    if "enum" in node:
        names = {str: "string", bool: "boolean", int: "integer", float: "number"}
        return {"null" if v is None else names[type(v)] for v in node["enum"]}
    return None


class OpenApi:
    """Validates response bodies against an OpenAPI 3.0 document's response schemas.

    OpenAPI 3.0 schemas become JSON Schema (draft 4, whose boolean `exclusiveMinimum` 3.0 keeps):
    `$ref`s are resolved in place, `nullable: true` adds `"null"` to the type (and to an `enum`),
    `example`/`x-*` keywords are dropped, and with `strict` every object with `properties` gets
    `additionalProperties: false` (the simulator must not invent fields). `date-time` is checked.
    """

    def __init__(self, path: Path) -> None:
        self.document = json.loads(path.read_text())
        self.checker = FORMATS

    def template(self, path: str) -> str:
        """The spec path matching a concrete path (literal segments beat parameters)."""
        return match_template(path, list(self.document["paths"]))

    def schema(self, template: str, method: str, status: int, *, strict: bool) -> Any:
        """The JSON Schema of a documented response body, or None when it has none."""
        responses = self.document["paths"][template][method.lower()]["responses"]
        response = responses.get(str(status)) or responses.get("default") or {}
        content = response.get("content", {}).get("application/json")
        return None if content is None else self.convert(content["schema"], strict)

    def convert(self, node: Any, strict: bool) -> Any:
        if isinstance(node, list):
            return [self.convert(item, strict) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.convert(self.resolve(node["$ref"]), strict)
        result = {
            key: self.convert(value, strict) if key not in ("enum", "required") else value
            for key, value in node.items()
            if key not in ("example", "examples", "nullable") and not key.startswith("x-")
        }
        if node.get("nullable") and "type" in result:
            result["type"] = [result["type"], "null"]
            if "enum" in result and None not in result["enum"]:
                result["enum"] = [*result["enum"], None]
        if strict and "properties" in node and "additionalProperties" not in node:
            result["additionalProperties"] = False
        if "properties" in result:  # property names are not schemas
            result["properties"] = {
                name: self.convert(sub, strict) for name, sub in node["properties"].items()
            }
        return result

    def resolve(self, ref: str) -> Any:
        assert ref.startswith("#/"), ref
        node = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validate(self, response: requests.Response, prefix: str, *, strict: bool = True) -> None:
        """Validate one response; error statuses without a documented body use the project's
        error envelope (tests/schemas/benchmark/error.json)."""
        path = response.request.path_url.split("?")[0].removeprefix(prefix)
        template = self.template(path)
        method = response.request.method or "GET"
        schema = self.schema(template, method, response.status_code, strict=strict)
        if schema is None:
            assert response.status_code >= 400, f"undocumented {response.status_code} on {path}"
            validator: Any = PROJECT.validator(ERROR_SCHEMA)
        else:
            validator = jsonschema.Draft4Validator(schema, format_checker=self.checker)
        errors = _errors(validator, response.json())
        assert not errors, f"{method} {path} {response.status_code} against the OpenAPI: " + (
            "; ".join(errors)
        )


PROJECT = ProjectSchemas()
_spec = vendor_path(BENCHMARK_OPENAPI)
OPENAPI = OpenApi(_spec) if _spec is not None else None  # checked in addition when present
