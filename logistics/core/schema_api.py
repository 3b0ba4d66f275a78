"""Every /api/v1 request checked against its operation in the OpenAPI document before the view runs."""

import copy
import math
from dataclasses import dataclass, field

from flask import current_app, request
from flask_login import current_user
from jsonschema import ValidationError, validators
from openapi_schema_validator import OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from logistics.core.errors import Collector, DomainError, NotFound

# JSON integers beyond 64 bits cannot be held exactly; see the column widths below.
INT64_MAX = 2**63 - 1
# Ids and counts are 32-bit INTEGER columns on PostgreSQL; only rupiah amounts are wider.
INT32_MAX = 2**31 - 1
MONEY_MARK = "x-posko-money"
MONEY_FIELDS = {"amount", "pagu", "pagu_awal", "pagu_perubahan", "realisasi", "sisa"}
# Beyond 2**53 a JSON number is no longer exact, so no quantity, amount or coordinate is that big.
LARGEST_NUMBER = 2.0**53
TYPE_NAMES = {
    "string": "teks",
    "integer": "bilangan bulat",
    "number": "angka",
    "boolean": "true atau false",
    "array": "daftar (array)",
    "object": "objek",
}
TRUE_WORDS, FALSE_WORDS = {"true", "1", "ya"}, {"false", "0", "tidak"}


def _bounded_type(validator, types, instance, schema):
    """The usual type check, then numbers the database and JSON can hold exactly."""
    yield from OAS30WriteValidator.VALIDATORS["type"](validator, types, instance, schema)
    if isinstance(instance, bool):
        return
    largest = INT64_MAX if schema.get(MONEY_MARK) else INT32_MAX
    too_big_int = isinstance(instance, int) and not -largest - 1 <= instance <= largest
    too_big_float = isinstance(instance, float) and not (
        math.isfinite(instance) and abs(instance) <= LARGEST_NUMBER
    )
    if too_big_int or too_big_float:
        yield ValidationError("terlalu besar", validator="bounds")


SchemaValidator = validators.extend(OAS30WriteValidator, {"type": _bounded_type})


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    kind: str | None
    enumerated: bool
    validator: object


@dataclass
class Operation:
    parameters: list[Parameter] = field(default_factory=list)
    body: object | None = None
    body_required: bool = False
    secured: bool = False


DOCUMENT_URI = "urn:posko:openapi"


def _validator(pointer: str, registry: Registry):
    """A validator of the schema at `pointer` in the document; its `#/components/...` references
    resolve against the whole document."""
    return SchemaValidator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _mark_money(node, name: str | None = None) -> None:
    """Mark the integer schemas of rupiah amounts in place: the type check holds them to 64
    bits and every other integer (ids, counts, years) to the 32 bits of its column."""
    if isinstance(node, list):
        for item in node:
            _mark_money(item, name)
        return
    if not isinstance(node, dict):
        return
    if name in MONEY_FIELDS and node.get("type") == "integer":
        node[MONEY_MARK] = True
    for key in ("oneOf", "anyOf", "allOf"):
        _mark_money(node.get(key, []), name)
    for prop, schema in (node.get("properties") or {}).items():
        _mark_money(schema, prop)
    # A parameter's schema is named by the parameter; any other schema (a body's) by nothing.
    parameter = node.get("name") if "in" in node else None
    _mark_money(node.get("schema"), parameter if isinstance(parameter, str) else None)
    for key, value in node.items():
        if key not in ("properties", "oneOf", "anyOf", "allOf", "schema"):
            _mark_money(value, None)


def compile_operations(document: dict, rules) -> dict:
    """(endpoint, method) -> the compiled checks of that operation, built once per app."""
    document = copy.deepcopy(document)
    _mark_money(document)
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT4)
    )
    operations = {}
    for rule in rules:
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        path = path.replace("{int:", "{").replace("{path:", "{")
        item = document["paths"].get(path, {})
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            spec = item.get(method.lower())
            if spec is not None:
                pointer = f"/paths/{_escape(path)}/{method.lower()}"
                operations[(rule.endpoint, method)] = _operation(spec, pointer, document, registry)
    return operations


def _operation(spec: dict, pointer: str, document: dict, registry: Registry) -> Operation:
    operation = Operation(secured=bool(spec.get("security", document.get("security"))))
    for number, parameter in enumerate(spec.get("parameters", [])):
        operation.parameters.append(
            Parameter(
                parameter["name"],
                parameter["in"],
                bool(parameter.get("required")),
                parameter.get("schema", {}).get("type"),
                "enum" in parameter.get("schema", {}),
                _validator(f"{pointer}/parameters/{number}/schema", registry),
            )
        )
    content = spec.get("requestBody", {}).get("content", {}).get("application/json")
    if content and "schema" in content:
        operation.body = _validator(
            f"{pointer}/requestBody/content/application~1json/schema", registry
        )
        operation.body_required = bool(spec["requestBody"].get("required"))
    return operation


def _place(error: ValidationError, root: str | None) -> str:
    """The field an error is about, as lines[0].quantity."""
    place = root or ""
    for part in error.absolute_path:
        place += f"[{part}]" if isinstance(part, int) else (f".{part}" if place else str(part))
    if error.validator == "required":
        name = error.message.split("'")[1]
        place = f"{place}.{name}" if place else name
    return place


def _reason(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword = error.validator
    if keyword == "type":
        wanted = schema.get("type")
        return f"harus berupa {TYPE_NAMES.get(wanted, wanted)}"
    if keyword == "bounds":
        return "terlalu besar; periksa kembali angkanya"
    if keyword == "required":
        return "wajib diisi"
    if keyword == "enum":
        return "harus salah satu dari: " + ", ".join(str(v) for v in schema["enum"])
    if keyword == "maxLength":
        return f"paling panjang {schema['maxLength']} karakter"
    if keyword == "minLength":
        return f"paling sedikit {schema['minLength']} karakter"
    if keyword == "minimum":
        return f"paling kecil {schema['minimum']}"
    if keyword == "maximum":
        return f"paling besar {schema['maximum']}"
    if keyword == "maxItems":
        return f"paling banyak {schema['maxItems']} baris"
    if keyword == "minItems":
        return f"paling sedikit {schema['minItems']} baris"
    if keyword in ("oneOf", "anyOf"):
        wanted = [TYPE_NAMES.get(sub.schema.get("type"), "") for sub in error.context]
        if wanted and all(wanted):
            return "harus berupa " + " atau ".join(dict.fromkeys(wanted))
        return "tidak sesuai dengan bentuk yang diterima"
    return "tidak sesuai format"


def raise_first(validator, instance, root: str | None = None, error_class=DomainError) -> None:
    """A 422 (or `error_class`) naming the field of the first thing wrong with `instance`."""
    error = next(iter(validator.iter_errors(instance)), None)
    if error is not None:
        raise _refusal(error, root, error_class)


def raise_all(validator, instance) -> None:
    """Every field wrong with a body, together (`Invalid`), so a client fixes them in one go."""
    errors = Collector()
    seen = set()
    for error in validator.iter_errors(instance):
        refusal = _refusal(error, None, DomainError)
        if (refusal.field, refusal.message) not in seen:
            seen.add((refusal.field, refusal.message))
            errors.add(refusal)
    errors.raise_any()


def _refusal(error: ValidationError, root: str | None, error_class) -> DomainError:
    while error.validator in ("oneOf", "anyOf") and error.context:
        # A value of the right type that breaks a rule of that branch says the most.
        fitting = {
            (sub.validator, sub.message, tuple(sub.absolute_path)): sub
            for sub in error.context
            if sub.validator != "type"
        }
        if len(fitting) != 1:
            break
        error = next(iter(fitting.values()))
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        place = _place(error, root)
        name = f"{place}.{extra[0]}" if place else extra[0]
        return DomainError(f"Kolom tidak dikenal: {', '.join(extra)}.", field=name)
    place = _place(error, root)
    label = f"Kolom '{place}'" if place else "Badan permintaan"
    return error_class(f"{label} {_reason(error)}.", field=place or None)


def _query_value(parameter: Parameter, raw: str):
    """A query string value as the type its schema names, or a 422."""
    try:
        if parameter.kind == "integer":
            return int(raw.strip())
        if parameter.kind == "number":
            return float(raw.strip().replace(",", "."))
    except ValueError:
        reason = TYPE_NAMES[parameter.kind]
        raise DomainError(
            f"Parameter '{parameter.name}' harus berupa {reason}, bukan '{raw}'.",
            field=parameter.name,
        ) from None
    if parameter.kind == "boolean":
        word = raw.strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise DomainError(
            f"Parameter '{parameter.name}' harus true atau false, bukan '{raw}'.",
            field=parameter.name,
        )
    return raw


def _check_parameters(operation: Operation) -> None:
    for parameter in operation.parameters:
        if parameter.location == "path":
            value = request.view_args.get(parameter.name) if request.view_args else None
            if value is not None:
                # A path outside a fixed list (a level, a layer) names nothing: a missing page.
                error_class = NotFound if parameter.enumerated else DomainError
                raise_first(parameter.validator, value, parameter.name, error_class)
        elif parameter.location == "query":
            raw = request.args.get(parameter.name)
            # An empty value is how a form leaves a filter out.
            if raw is None or raw == "":
                continue
            raise_first(parameter.validator, _query_value(parameter, raw), parameter.name)


def _check_body(operation: Operation) -> None:
    if operation.body is None:
        return
    if not request.get_data(cache=True) and not operation.body_required:
        return
    payload = request.get_json(silent=True)
    if payload is None:
        raise DomainError("Badan permintaan harus berupa JSON yang sah.")
    raise_all(operation.body, payload)


def validate_request() -> None:
    """Before an API view: the request's path, query and JSON body against the document.

    A view behind `api_login_required` is checked by that decorator instead, after it has
    refused anonymous callers (401) and other roles (403): whoever may not call an operation
    learns that first, not the rules of its input.
    """
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "checks_schema", False):
        return
    check_request()


def check_request() -> None:
    """The request's path, query and JSON body against its operation: a 4xx when malformed."""
    operations = current_app.extensions.get("posko.api_operations")
    if operations is None:
        from logistics.core.api import openapi_document

        operations = compile_operations(openapi_document(), current_app.url_map.iter_rules())
        current_app.extensions["posko.api_operations"] = operations
    operation = operations.get((request.endpoint, request.method))
    if operation is None:
        return
    # An anonymous caller of a signed-in operation gets a 401, not a lesson in its schema.
    if operation.secured and not current_user.is_authenticated:
        return
    _check_parameters(operation)
    _check_body(operation)
