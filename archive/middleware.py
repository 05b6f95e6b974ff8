"""Dutch unless the visitor chose otherwise with the language switch.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show most journalists' English
browsers an English site. Here only the language cookie (set by the switch, django.views.i18n.set_language)
changes the language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.supported = dict(settings.LANGUAGES)

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = (
            chosen if chosen in self.supported else translation.get_supported_language_variant(settings.LANGUAGE_CODE)
        )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

