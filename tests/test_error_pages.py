"""The portal's own error pages with DEBUG on (longsheng_care/error_pages.py): the demo never
shows Django's URL list or traceback page unless TECHNICAL_ERROR_PAGES asks for them."""

import sys

import pytest
from django.http import Http404
from django.test import RequestFactory, override_settings
from django.views import debug

from longsheng_care.error_pages import ProductErrorPagesMiddleware


@override_settings(DEBUG=True)
def test_unknown_address_in_debug_shows_the_portals_404_not_the_url_list(client, county_admin):
    client.force_login(county_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "URL patterns" not in body and "accounts/login/" not in body


@override_settings(DEBUG=True, TECHNICAL_ERROR_PAGES=True)
def test_technical_pages_come_back_when_asked_for(client, county_admin):
    client.force_login(county_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "URL patterns" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_a_crash_in_debug_shows_the_portals_500_page():
    request = RequestFactory().get("/children/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        technical = debug.technical_500_response(request, *sys.exc_info())
    response = ProductErrorPagesMiddleware(lambda r: technical)(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错" in body and "boom" not in body and "Traceback" not in body


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_without_debug_the_middleware_leaves_responses_alone():
    request = RequestFactory().get("/x/")
    technical = debug.technical_404_response(request, Http404())
    assert ProductErrorPagesMiddleware(lambda r: technical)(request) is technical
