import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests import factories
from visits import services


def visit_data(**overrides) -> dict:
    """A complete, valid visit form's data (what the services take)."""
    data = {
        "date": dt.date(2026, 6, 1),
        "kind": "home",
        "co_visitors": "",
        "place": "儿童家中",
        "emotion_state": "good",
        "emotion_note": "",
        "study_state": "fair",
        "study_note": "数学成绩下滑",
        "life_state": "good",
        "life_note": "",
        "safety_state": "good",
        "safety_note": "",
        "guardian_informed": True,
        "actions_taken": "与祖母沟通学习安排",
        "follow_up_needed": False,
        "follow_up_note": "",
    }
    data.update(overrides)
    return data


def record(actor, child, date, *, problems=(), **overrides):
    """Record a visit through the service, as the form would."""
    return services.visit_record(
        actor=actor, child=child, data=visit_data(date=date, **overrides), problems=problems
    )


def image_upload(name="form.jpg", fmt="JPEG", size=(40, 30), content_type="image/jpeg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def make_child(db):
    def make(*, village=("龙胜镇", "山东村"), registered_on=dt.date(2026, 5, 1), **kwargs):
        return factories.ChildFactory(
            village=factories.village(*village), registered_on=registered_on, **kwargs
        )

    return make
