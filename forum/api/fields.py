"""Fields every API serializer shares.

BoundedDateTimeField: a date and time between the years 1900 and 2200. Outside them there is no forum, and
time zones give such dates offsets in seconds (Riyadh's local mean time in the year 113 is +03:06:52),
which RFC 3339, and so the API's own schema, cannot express. Model serializers take it for every
DateTimeField (ForumConfig.ready); plain serializers declare it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

YEARS = (1900, 2200)


class BoundedDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "out_of_range": _("Enter a date between the years %(first)s and %(last)s."),
    }

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not YEARS[0] <= parsed.year <= YEARS[1]:
            self.fail("out_of_range", first=YEARS[0], last=YEARS[1])
        return parsed


def model_serializers_use_bounded_datetimes() -> None:
    from django.db import models

    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = BoundedDateTimeField
