"""The child form's limits: what could not be exported whole to Excel is refused on input."""

from children.forms import ChildEditForm
from children.models import Child


def test_support_measures_longer_than_an_excel_cell_are_refused_in_chinese(
    shandong_child, longsheng_supervisor
):
    form = ChildEditForm(
        instance=shandong_child,
        data={"support_measures": "帮" * 32768},
        user=longsheng_supervisor,
    )
    form.is_valid()
    assert "32767" in " ".join(form.errors.get("support_measures", []))
    assert Child._meta.get_field("support_measures").max_length == 32767
