from django.utils import translation


class ApiLanguageMiddleware:
    """API paths carry no language prefix: their messages follow Accept-Language.

    Pages keep the URL prefix (Arabic at /, English at /en/) so links stay
    shareable; LocaleMiddleware would otherwise pin every unprefixed API path
    to Arabic, whatever the client asked for.
    """

    PREFIXES = ("/api/", "/calendar/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.PREFIXES) and request.headers.get("Accept-Language"):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
