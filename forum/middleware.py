from io import BytesIO
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest, QueryDict
from django.utils import translation
from django.utils.translation import gettext

API_PREFIXES = ("/api/", "/calendar/api/")


def api_language(request) -> str:
    """The language of an answer on an API path, as LocaleMiddleware and ApiLanguageMiddleware settle it:
    the client's (language cookie, then Accept-Language) when it sent Accept-Language, else the default.
    Also read by the fast paths that answer before those middleware run."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return translation.get_language_from_request(request, check_path=False)
    return settings.LANGUAGE_CODE


class ApiLanguageMiddleware:
    """API paths carry no language prefix: their messages follow Accept-Language.

    Pages keep the URL prefix (Arabic at /, English at /en/) so links stay
    shareable; LocaleMiddleware would otherwise pin every unprefixed API path
    to Arabic, whatever the client asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIXES) and request.headers.get("Accept-Language"):
            translation.activate(api_language(request))
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class FormCharsetMiddleware:
    """A form post that declares a charset other than UTF-8 is read in that charset.

    Django reads url-encoded forms as UTF-8 only and refuses any other declared
    charset with BadRequest, which its own error views (CSRF-protected, they read
    the form again) turn into a server error. Here the body is decoded in the charset
    the client declared and handed on re-encoded as UTF-8, so the form is read
    correctly; a body too large or with too many fields is a 400 in the page's language.
    Runs after LocaleMiddleware and before CsrfViewMiddleware.
    """

    FORM = "application/x-www-form-urlencoded"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # request.encoding is the declared charset when Python knows it (Django ignores unknown ones);
        # Django refuses any other spelling than "utf-8", even "UTF8", so those are re-encoded too.
        if request.content_type == self.FORM and request.encoding and request.encoding.lower() != "utf-8":
            try:
                fields = QueryDict(request.body, encoding=request.encoding)
            except (RequestDataTooBig, TooManyFieldsSent):
                return HttpResponseBadRequest(
                    gettext("The form sent is too large or has too many fields."), content_type="text/plain; charset=utf-8"
                )
            body = urlencode([(key, value) for key, values in fields.lists() for value in values]).encode("ascii")
            request.META["CONTENT_TYPE"] = f"{self.FORM}; charset=utf-8"
            request.META["CONTENT_LENGTH"] = str(len(body))
            request.content_params = {"charset": "utf-8"}
            request._body, request._stream = body, BytesIO(body)
            request.encoding = "utf-8"
        return self.get_response(request)
