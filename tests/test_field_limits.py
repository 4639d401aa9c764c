"""Every form and serializer field of the project accepts no more than its database column holds.

A value the field accepts but the column cannot hold (an e-mail of 300 characters into
a 254-character column, a number past the column's range) is a server error on
PostgreSQL instead of a field-level message. This walks ALL form and serializer
classes of the project's apps, finds the column each field writes and compares:

- a ModelForm / ModelSerializer field: the column of its model it is the source of;
- a plain Form / Serializer field: every column of that name in the models of its app
  (what such forms hand to the services ends up there), the tightest one bounding it.

Text needs a max_length no longer than the column's; whole numbers a max_value and
min_value inside the column's range (on the database the tests run on); decimals no
more digits than the column.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core import validators
from django.db import connection, models
from rest_framework import serializers

ROOT = Path(__file__).resolve().parent.parent
SKIP_MODULES = (".migrations", ".tests", ".management")


def project_app_configs():
    return [config for config in apps.get_app_configs()
            if Path(config.path).resolve().is_relative_to(ROOT) and ".venv" not in Path(config.path).parts]


def import_project_modules() -> None:
    for config in project_app_configs():
        package = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}."):
            if not any(part in info.name for part in SKIP_MODULES):
                importlib.import_module(info.name)


def subclasses(base: type) -> set[type]:
    found, todo = set(), [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def app_of(cls: type):
    return apps.get_containing_app_config(cls.__module__)


def project_classes() -> list[type]:
    import_project_modules()
    project = {config.label for config in project_app_configs()}
    classes = [cls for cls in subclasses(forms.BaseForm) | subclasses(serializers.BaseSerializer)
               if app_of(cls) is not None and app_of(cls).label in project and "<locals>" not in cls.__qualname__]
    return sorted(classes, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def response_only(cls: type) -> bool:
    """A plain serializer the API only answers with: in the schema, never as a request body."""
    if issubclass(cls, serializers.ModelSerializer) or not issubclass(cls, serializers.BaseSerializer):
        return False
    components = schema_components()
    name = cls.__name__.removesuffix("Serializer")
    return name in components and f"{name}Request" not in components


@functools.cache
def schema_components() -> frozenset:
    from drf_spectacular.generators import SchemaGenerator

    return frozenset(SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"])


def declared_fields(cls: type) -> dict:
    if issubclass(cls, forms.BaseForm):
        return dict(cls.base_fields)
    if issubclass(cls, serializers.ModelSerializer):
        return dict(cls().fields)
    return dict(cls._declared_fields)


def model_of(cls: type):
    if issubclass(cls, forms.BaseModelForm):
        return cls._meta.model
    if issubclass(cls, serializers.ModelSerializer):
        return cls.Meta.model
    return None


def columns_for(cls: type, name: str, field) -> list[models.Field]:
    """The columns a field's value is written to."""
    model = model_of(cls)
    if model is not None:
        source = getattr(field, "source", None) or name
        if getattr(field, "read_only", False) or source == "*" or "." in source:
            return []
        try:
            column = model._meta.get_field(source)
        except Exception:
            return []
        return [column] if column.concrete else []
    columns = []
    for model in app_of(cls).get_models():
        try:
            column = model._meta.get_field(name)
        except Exception:
            continue
        # A choice column takes a choice field's values, not free text that shares its name.
        if column.concrete and not column.is_relation and not column.primary_key and not column.choices:
            columns.append(column)
    # Where columns of that name differ, the value must at least fit the roomiest one
    # (e.g. a scanned token is kept whole on the scan, only compared with the badges').
    return sorted(columns, key=lambda column: column.max_length or 0)[-1:]


TEXT_FIELDS = (forms.CharField, serializers.CharField)
INTEGER_FIELDS = (forms.IntegerField, serializers.IntegerField)
DECIMAL_FIELDS = (forms.DecimalField, serializers.DecimalField)


def field_limits(cls: type, field, column: models.Field) -> dict:
    """What the field lets through; a ModelForm also runs the column's own validators (full_clean)."""
    limits = {name: getattr(field, name, None)
              for name in ("max_length", "max_value", "min_value", "max_digits", "decimal_places")}
    if issubclass(cls, forms.BaseModelForm):
        for validator in column.validators:
            for kind, name, tighter in ((validators.MaxLengthValidator, "max_length", min),
                                        (validators.MaxValueValidator, "max_value", min),
                                        (validators.MinValueValidator, "min_value", max)):
                if isinstance(validator, kind):
                    value = validator.limit_value
                    limits[name] = value if limits[name] is None else tighter(limits[name], value)
    return limits


def problems(cls: type) -> list[str]:
    found = []
    if response_only(cls) or (issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta")):
        return found  # an answer's shape, or an abstract base (its subclasses are walked)
    for name, field in declared_fields(cls).items():
        if getattr(field, "read_only", False) or getattr(field, "disabled", False):
            continue
        for column in columns_for(cls, name, field):
            limits = field_limits(cls, field, column)
            where = f"{name} -> {column.model._meta.label}.{column.name}"
            if isinstance(field, TEXT_FIELDS) and isinstance(column, models.CharField) and column.max_length:
                if limits["max_length"] is None or limits["max_length"] > column.max_length:
                    found.append(f"{where}: max_length {limits['max_length']} > column {column.max_length}")
            if isinstance(field, INTEGER_FIELDS) and isinstance(column, models.IntegerField):
                low, high = connection.ops.integer_field_range(column.get_internal_type())
                if low is not None and (limits["min_value"] is None or limits["min_value"] < low):
                    found.append(f"{where}: min_value {limits['min_value']} < column {low}")
                if high is not None and (limits["max_value"] is None or limits["max_value"] > high):
                    found.append(f"{where}: max_value {limits['max_value']} > column {high}")
            if isinstance(field, DECIMAL_FIELDS) and isinstance(column, models.DecimalField):
                if limits["max_digits"] is None or limits["max_digits"] > column.max_digits:
                    found.append(f"{where}: max_digits {limits['max_digits']} > column {column.max_digits}")
                if limits["decimal_places"] is None or limits["decimal_places"] > column.decimal_places:
                    found.append(f"{where}: decimal_places {limits['decimal_places']} > column "
                                 f"{column.decimal_places}")
    return found


CLASSES = project_classes()


def test_the_walk_finds_the_project_forms_and_serializers():
    names = {cls.__name__ for cls in CLASSES}
    assert {"RegistrationForm", "WaitlistForm", "RegistrationCreateSerializer", "WaitlistJoinSerializer",
            "ProfileForm", "RegistrationSerializer"} <= names
    assert len(CLASSES) > 60


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_form_and_serializer_fields_accept_no_more_than_their_columns(cls):
    assert problems(cls) == []


