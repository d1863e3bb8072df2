"""The product's own 404 and 500 pages while DEBUG is on (the demo, ``make run``).

With DEBUG, Django answers an unknown address with its technical 404 page, which lists every
URL pattern of the portal, and an error with the traceback page. A person trying the demo
should see what a production user sees; the developer still has the traceback in the console
(Django logs it before answering) and every other DEBUG convenience. ``TECHNICAL_ERROR_PAGES=1``
brings Django's pages back.
"""

from django.conf import settings
from django.views import defaults

# Both of Django's technical pages (404 and 500) carry this robots tag; the portal's never do.
TECHNICAL_PAGE_MARK = b'content="NONE,NOARCHIVE"'


class ProductErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and not settings.TECHNICAL_ERROR_PAGES
            and response.status_code in (404, 500)
            and not getattr(response, "streaming", False)
            and TECHNICAL_PAGE_MARK in response.content
        ):
            if response.status_code == 404:
                return defaults.page_not_found(request, exception=None)
            return defaults.server_error(request)
        return response
