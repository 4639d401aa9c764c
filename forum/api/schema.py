"""The OpenAPI schema tells the truth about the answers (checked by tests/test_api_schemathesis.py).

- FieldErrorsSerializer: the shape of every refused request, {"field": ["message"], "code": "..."}.
- RelatedTextField: a read-only text read through a relation that may be empty; "" then, in
  every answer (DRF leaves a field's default out of PATCH answers, breaking "required").
- times_are_local: DRF writes times of day as local wall-clock "HH:MM[:SS]" without an offset,
  which JSON Schema's "time" format (RFC 3339, offset required) refuses; a pattern says it.
"""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import SkipField

LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"


@extend_schema_serializer(component_name="FieldErrors")
class FieldErrorsSerializer(serializers.Serializer):
    """A refused request: each field named with its messages; non_field_errors for the rest."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False, help_text="A request refused as a whole (e.g. unreadable JSON).")
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)



def field_errors_named(result, generator, request, public):
    """drf-spectacular postprocessing hook: FieldErrors names any field, each with a list of messages."""
    schema = result.get("components", {}).get("schemas", {}).get("FieldErrors")
    if schema is not None:
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
    return result


class RelatedTextField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        try:
            return super().get_attribute(instance)
        except SkipField:  # a partial update's answer: DRF skips defaults there
            return self.default


def times_are_local(result, generator, request, public):
    """drf-spectacular postprocessing hook: format "time" -> the local-time pattern."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("format") == "time" and node.get("type") == "string":
                del node["format"]
                node["pattern"] = LOCAL_TIME_PATTERN
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
