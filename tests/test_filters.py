"""What every list filter and form does the same way (longsheng_care/filters.py, forms.py):
empty options say what they mean; a choice the user cannot change is not offered."""

import django_filters
import pytest
from django import forms

from accounts.filter_mixins import PortalFilterSetMixin
from accounts.models import Township, Village
from core.forms import BootstrapFormMixin


class AreaFilter(PortalFilterSetMixin, django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(queryset=Township.objects.all())
    village = django_filters.ModelChoiceFilter(queryset=Village.objects.all())
    kind = django_filters.ChoiceFilter(choices=[("a", "甲"), ("b", "乙")])


class _Request:
    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize(
    ("user_fixture", "expected"),
    [
        ("county_admin", {"township", "village", "kind"}),
        ("longsheng_supervisor", {"village", "kind"}),
        ("shandong_director", {"kind"}),
    ],
)
def test_filters_with_a_single_area_for_the_user_are_left_out(db, request, user_fixture, expected):
    # db in the signature: pytest-django then runs this among the database tests, before any
    # transactional test has emptied the reference areas.
    user = request.getfixturevalue(user_fixture)
    filterset = AreaFilter({}, queryset=Village.objects.none(), request=_Request(user))
    assert set(filterset.form.fields) == expected


def test_empty_options_of_filters_read_all(county_admin):
    filterset = AreaFilter({}, queryset=Village.objects.none(), request=_Request(county_admin))
    html = str(filterset.form)
    assert "---------" not in html
    assert html.count(">全部</option>") == 3


class _Form(BootstrapFormMixin, forms.Form):
    required_choice = forms.ChoiceField(choices=[("", "---------"), ("x", "X")])
    optional_choice = forms.ChoiceField(choices=[("", "---------"), ("x", "X")], required=False)
    optional_model = forms.ModelChoiceField(queryset=Township.objects.all(), required=False)


def test_form_empty_options_say_choose_or_not_given(db):
    form = _Form()
    assert next(iter(form.fields["required_choice"].widget.choices)) == ("", "请选择")
    assert next(iter(form.fields["optional_choice"].widget.choices)) == ("", "未填写")
    assert form.fields["optional_model"].empty_label == "未填写"
    assert "---------" not in str(form)


class _DateForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField()


def test_every_date_field_gets_the_native_picker():
    html = str(_DateForm(initial={"on": "2026-06-01"})["on"])
    assert 'type="date"' in html and 'value="2026-06-01"' in html
