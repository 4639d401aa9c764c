"""Request parsers of the API (the default list is in settings.REST_FRAMEWORK).

Its own module, importing nothing but DRF's parsers: DRF reads the setting while
its views module loads, before forum.api.base could be imported.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested too deeply for Python to parse is a 400 like any malformed JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - the body is nested too deeply.")) from None
