"""The site's own 400, 403, 404 and 500: a page with the header and search box in the visitor's language, or
JSON under /api/ (archive/middleware.py renders both)."""

from django.utils.translation import gettext as _

from archive.refusals import error_response


def bad_request(request, exception=None):
    return error_response(request, 400, _("Dit verzoek kan het archief niet lezen."))


def forbidden(request, exception=None):
    return error_response(request, 403, _("U hebt geen toegang tot deze pagina."))


def not_found(request, exception=None):
    return error_response(request, 404, _("Deze pagina bestaat niet (meer). Zoek hieronder of in de balk bovenaan."))


def server_error(request):
    return error_response(request, 500, _("Er ging iets mis aan onze kant. Het is gemeld; probeer het later opnieuw."))


def csrf_failure(request, reason=""):
    """A form sent without its token (expired, cookies off, another site): the site's 403, saying what to do."""
    return error_response(request, 403, _("Dit formulier is verlopen of kwam niet van deze site. Laad de pagina "
                                          "opnieuw en probeer het nog eens (cookies moeten aan staan)."))  # fmt: skip
