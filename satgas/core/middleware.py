from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class LanguageMiddleware:
    """Indonesian unless the user chose another language.

    Unlike Django's ``LocaleMiddleware`` the browser's Accept-Language is not
    consulted: office PCs often run an English browser, yet the office works
    in Indonesian. The choice made with the language switcher is kept in the
    language cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Nothing a page or a file carries may stay in a browser's cache or a proxy: ``Cache-Control: no-store``.

    Pages show cases, reporters, staff records and signatures, often on shared office PCs; the public pages
    carry a person (invitations, statements, verification, check-in) or a case (the receipt status), and every
    form a CSRF token. So the rule is one: every response is ``max-age=0, no-cache, no-store, must-revalidate,
    private`` except those under ``SATGAS_CACHEABLE_PATHS`` (the static files, which have no personal data and
    are cached for a year under their hashed names). A view's own ``public`` or ``max-age`` is overridden.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.cacheable = tuple(settings.SATGAS_CACHEABLE_PATHS)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.cacheable):
            add_never_cache_headers(response)
        return response
