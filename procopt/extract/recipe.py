"""Recipes: which ERP tables and columns (or SQL queries) become which activity instances.

Stage: extract. A recipe is YAML, validated with pydantic so that a mistake names the file, the key
(``steps[2].objects``) and the fix, with a "did you mean". The built-in recipes (``sap-o2c``,
``sap-p2p``, ``sap-docflow``, ``northwind``) live in ``procopt/extract/recipes/`` and use the same format.

A step yields activity instances with the columns ``activity``, ``time`` (completion), optional
``resource`` and ``start``, one column per object type it touches (``order``, ``delivery``...), and any
further columns as attributes. A step is either SQL, or a table with column names::

    - name: Ship order
      table: Orders
      objects: {order: OrderID}
      activity: Ship Order
      time: ShippedDate
      resource: EmployeeID
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from procopt.config.yaml_io import read_yaml
from procopt.errors import InputError, did_you_mean

BUILTIN: tuple[str, ...] = ("sap-o2c", "sap-p2p", "sap-docflow", "northwind")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Variant(_Strict):
    """A release of the ERP, recognised by the tables present (e.g. S/4HANA: MATDOC)."""

    name: str
    label: str
    when_present: list[str] = Field(min_length=1)


class Step(_Strict):
    """One kind of activity instance."""

    name: str
    variant: list[str] = Field(default_factory=list)
    needs: dict[str, list[str]] = Field(default_factory=dict)
    optional: bool = False
    sql: str | None = None
    table: str | None = None
    objects: dict[str, str] = Field(default_factory=dict)
    activity: str | None = None
    time: str | None = None
    resource: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    where: str | None = None
    date_only: bool = False
    event_key: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Step:
        if (self.sql is None) == (self.table is None):
            raise ValueError(
                "give either `sql` or `table` (with `objects`, `activity` and `time`), not both or neither"
            )
        if self.table is not None:
            missing = [k for k in ("activity", "time") if getattr(self, k) is None]
            if not self.objects:
                missing.insert(0, "objects")
            if missing:
                raise ValueError(f"a table step needs {', '.join(missing)}")
        return self

    def required(self) -> dict[str, list[str]]:
        """Tables and columns this step reads (``needs`` plus the columns a table step names)."""
        need = {k.upper(): list(v) for k, v in self.needs.items()}
        if self.table is not None:
            cols = need.setdefault(self.table.upper(), [])
            named = [*self.objects.values(), self.resource, self.time, *self.attributes.values()]
            cols += [c for c in named if c and _IDENT.match(c) and c not in cols]
        return need

    def to_sql(self) -> str:
        """The SQL of this step (a table step is compiled)."""
        if self.sql is not None:
            return self.sql
        assert self.table is not None and self.activity is not None and self.time is not None
        parts = [f"{_expr(col)} AS {_q(obj)}" for obj, col in self.objects.items()]
        parts.append("'" + self.activity.replace("'", "''") + "' AS activity")
        parts.append(f"CAST({_expr(self.time)} AS TIMESTAMP) AS time")
        if self.resource:
            parts.append(f"CAST({_expr(self.resource)} AS VARCHAR) AS resource")
        parts += [f"{_expr(col)} AS {_q(name)}" for name, col in self.attributes.items()]
        where = f" WHERE {self.where}" if self.where else ""
        return f"SELECT {', '.join(parts)} FROM {_q(self.table)}{where}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _expr(text: str) -> str:
    """A bare column name is quoted (so ``Order Date`` works); anything else is an SQL expression."""
    return _q(text) if _IDENT.match(text) or " " in text and "(" not in text else text


class CaseNotion(_Strict):
    """Which object's ids become case ids; ``link`` maps them to other objects' ids (SQL)."""

    object: str
    link: str | None = None
    needs: dict[str, list[str]] = Field(default_factory=dict)
    description: str = ""


class ObjectAttributes(_Strict):
    """SQL giving one row per object of a type: its id (named after the type) and attributes.

    A column ``due`` becomes the case's due date when this object type is the case.
    """

    sql: str
    needs: dict[str, list[str]] = Field(default_factory=dict)
    variant: list[str] = Field(default_factory=list)


class Check(_Strict):
    """An extraction-audit query: each row returned is one offending document or link."""

    code: str
    severity: Literal["error", "warning", "info"] = "warning"
    message: str
    sql: str
    needs: dict[str, list[str]] = Field(default_factory=dict)
    variant: list[str] = Field(default_factory=list)


class Recipe(_Strict):
    """A whole recipe file."""

    name: str
    description: str = ""
    dialect: Literal["plain", "sap"] = "plain"
    objects: dict[str, str] = Field(min_length=1)
    variants: list[Variant] = Field(default_factory=list)
    lookups: dict[str, list[str]] = Field(default_factory=dict)
    steps: list[Step] = Field(min_length=1)
    case_notions: dict[str, CaseNotion] = Field(default_factory=dict)
    default_case: str | None = None
    object_attributes: dict[str, ObjectAttributes] = Field(default_factory=dict)
    final_activities: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    translations: dict[str, dict[str, str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> Recipe:
        known = list(self.objects)
        for i, step in enumerate(self.steps):
            for obj in step.objects:
                if obj not in self.objects:
                    raise _KeyProblem(f"steps[{i}].objects", f"unknown object type {obj!r}", obj, known)
            if step.event_key is not None and step.event_key not in self.objects:
                raise _KeyProblem(
                    f"steps[{i}].event_key", f"unknown object type {step.event_key!r}", step.event_key, known
                )
            for v in step.variant:
                if v not in {x.name for x in self.variants}:
                    raise _KeyProblem(
                        f"steps[{i}].variant", f"unknown variant {v!r}", v, [x.name for x in self.variants]
                    )
        for name, notion in self.case_notions.items():
            if notion.object not in self.objects:
                raise _KeyProblem(
                    f"case_notions.{name}.object", f"unknown object type {notion.object!r}", notion.object, known
                )
        for obj in self.object_attributes:
            if obj not in self.objects:
                raise _KeyProblem(f"object_attributes.{obj}", f"unknown object type {obj!r}", obj, known)
        if self.default_case is not None and self.default_case not in self.notions():
            raise _KeyProblem(
                "default_case", f"unknown case notion {self.default_case!r}", self.default_case, list(self.notions())
            )
        return self

    def notions(self) -> dict[str, CaseNotion]:
        """Case notions; every object type is one by default (without links)."""
        out = {obj: CaseNotion(object=obj) for obj in self.objects}
        out.update(self.case_notions)
        return out

    def default_notion(self) -> str:
        """The case notion used without ``--case``."""
        return self.default_case or next(iter(self.objects))


class _KeyProblem(ValueError):
    def __init__(self, key: str, problem: str, word: str, options: list[str]) -> None:
        super().__init__(f"{key}: {problem}.{did_you_mean(word, options)} Known: {', '.join(options)}.")


def builtin_path(name: str) -> Path:
    """Path of a built-in recipe file."""
    return Path(str(resources.files("procopt.extract") / "recipes" / f"{name}.yaml"))


def load_recipe(name_or_path: str) -> tuple[Recipe, Path]:
    """A built-in recipe by name, or a recipe YAML file; errors name the file, the key and the fix."""
    if name_or_path in BUILTIN:
        path = builtin_path(name_or_path)
    else:
        path = Path(name_or_path)
        if not path.suffix and not path.exists():
            raise InputError(
                None,
                f"unknown recipe {name_or_path!r}.{did_you_mean(name_or_path, BUILTIN)}",
                hint=f"Use a built-in recipe ({', '.join(BUILTIN)}) or the path of a recipe .yaml file.",
            )
        if not path.is_file():
            raise InputError(path, "recipe file not found", hint=f"Built-in recipes: {', '.join(BUILTIN)}.")
    doc = read_yaml(path, missing="recipe file not found", syntax_hint="Fix the YAML syntax.")
    if not isinstance(doc, dict):
        raise InputError(
            path,
            "a recipe must be a YAML mapping with name, objects and steps",
            hint="See docs/CONTRACTS.md, extract recipes.",
        )
    try:
        return Recipe.model_validate(doc), path
    except ValidationError as exc:
        raise _explain(path, exc, doc) from None


def _explain(path: Path, exc: ValidationError, doc: dict[str, Any]) -> InputError:
    # A misspelled key also makes the real key "missing": report the misspelling, it explains both.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = [str(p) for p in err["loc"]]
    key = ""
    for part in loc:
        key += f"[{part}]" if part.isdigit() else (f".{part}" if key else part)
    msg = str(err["msg"]).removeprefix("Value error, ")
    hint = "See docs/CONTRACTS.md (extract recipes) for every key."
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        options = list(model.model_fields) if model else []
        msg = f"unknown key {loc[-1]!r}.{did_you_mean(loc[-1], options)}"
        hint = f"Keys allowed here: {', '.join(options)}." if options else hint
    elif err["type"] == "missing":
        msg = f"missing key {loc[-1]!r}"
        hint = f"Add `{loc[-1]}:`."
    return InputError(path, msg, where=f"key {key}" if key else None, hint=hint)


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = Recipe
    i = 0
    while i < len(loc):
        field = model.model_fields.get(loc[i])
        if field is None:
            return None
        ann = field.annotation
        nested = _nested_model(ann)
        if nested is None:
            return None
        model = nested
        i += 1
        if i < len(loc) and (loc[i].isdigit() or _is_mapping(ann)):
            i += 1
    return model


def _nested_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _is_mapping(ann: Any) -> bool:
    return getattr(ann, "__origin__", None) is dict
