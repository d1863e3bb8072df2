"""The form renderer (core/renderers.py): widgets through Jinja2 give the HTML that
Django's own templates give, and the admin's widgets, which exist only as Django templates,
still render."""

import re

import pytest
from django.forms.renderers import DjangoTemplates
from django.urls import reverse

from children.forms import ChildCreateForm
from core.renderers import FormRenderer
from visits.forms import VisitForm


def _normalised(html: str) -> str:
    # Jinja2's widget templates break lines where Django's do not; a browser shows any run
    # of whitespace as one space, and none between tags.
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html.strip()))


def _both(make_form) -> tuple[str, str]:
    ours = make_form(renderer=FormRenderer())
    djangos = make_form(renderer=DjangoTemplates())
    for form in (ours, djangos):
        form.is_bound and form.is_valid()
    return _normalised(str(ours)), _normalised(str(djangos))


@pytest.mark.parametrize("bound", [False, True], ids=["empty", "with-errors"])
def test_the_visit_form_renders_as_with_djangos_templates(
    db, shandong_director, shandong_child, bound
):
    # Radio buttons, checkboxes, a select, a date, a textarea, a file input, hidden fields;
    # the bound one with an error message on a field and its values filled in.
    data = {"date": "2999-01-01", "kind": "home", "problems": ["study"], "place": "<b>x</b>"}

    def make(renderer):
        form_data = data if bound else None
        return VisitForm(form_data, user=shandong_director, child=shandong_child, renderer=renderer)

    ours, djangos = _both(make)
    assert ours == djangos
    assert 'type="radio"' in ours and 'type="checkbox"' in ours and "<select" in ours
    if bound:
        assert "走访日期不能晚于今天" in ours  # the field's error
        assert 'value="&lt;b&gt;x&lt;/b&gt;"' in ours  # the value typed, escaped
        assert 'value="home" class="form-check-input" required id="id_kind_0" checked' in ours


def test_the_child_registration_form_renders_as_with_djangos_templates(db, longsheng_supervisor):
    ours, djangos = _both(
        lambda renderer: ChildCreateForm(user=longsheng_supervisor, renderer=renderer)
    )
    assert ours == djangos
    assert "山东村" in ours  # the supervisor's villages in the select


@pytest.mark.parametrize(
    "page",
    # The village change page shows its township read-only (moving a village is a 撤并), so
    # the village add page is the one with the admin's select.
    ["admin:accounts_user_change", "admin:accounts_user_add", "admin:accounts_village_add"],
)
def test_the_admins_own_widgets_still_render(admin_client, shandong_director, page):
    obj = {"admin:accounts_user_change": shandong_director}
    url = reverse(page, args=[obj[page].pk]) if page in obj else reverse(page)
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b"<select" in response.content or b'type="password"' in response.content


def test_builtin_widgets_go_through_jinja2_and_the_admins_through_django_templates():
    renderer = FormRenderer()
    widget = renderer.get_template("django/forms/widgets/radio.html")
    admin_widget = renderer.get_template("admin/widgets/related_widget_wrapper.html")
    assert type(widget).__module__ == "django.template.backends.jinja2"
    assert type(admin_widget).__module__ == "django.template.backends.django"
