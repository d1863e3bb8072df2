"""Recording a screening: answers scored by ``care.screening``, the result stored with its
cut-off version, the child's risk raised and a safety alert opened when the answers call for one."""

import datetime as dt
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from care import choices
from care.models import (
    SafetyAlert,
    Screening,
)
from care.screening import InvalidAnswersError, get_instrument, score
from care.services.common import (
    check_child,
    not_future,
)
from children.choices import ChangeAction
from children.models import Child
from children.services import child_raise_risk, record_change

# --- screenings and safety alerts ----------------------------------------------------------


def instrument_enabled(code: str) -> bool:
    """Licensed instruments (the SDQ) only where the organisation holds the licence."""
    try:
        instrument = get_instrument(code)
    except ValueError:
        return False
    return not instrument.licensed_only or getattr(settings, "SDQ_LICENSED", False)


def answers_error(exc: InvalidAnswersError, answers: Mapping[int, int]) -> str:
    """A Chinese message naming the item (or subscale) the scoring package refused."""
    if exc.subscale:
        return _("「%(sub)s」分量表至少需回答 3 题，请补答第 %(n)s 题。") % {
            "sub": choices.subscale_label(exc.subscale),
            "n": exc.item,
        }
    if exc.item is None:
        return _("答案无法计分，请检查后重新提交。")
    if exc.item not in answers:
        return _("请回答第 %(n)s 题。") % {"n": exc.item}
    return _("第 %(n)s 题的答案无效，请重新选择。") % {"n": exc.item}


@transaction.atomic
def screening_record(
    *,
    actor,
    child: Child,
    instrument: str,
    respondent: str,
    screened_on: dt.date,
    answers: Mapping[int, int],
) -> Screening:
    """Score and save a screening (录入测评); raise the child's risk and open a safety alert
    when the result calls for it (see care.choices.risk_for_result / alert_kind_for_result)."""
    child = check_child(actor, child, perm="care.add_screening")
    if not instrument_enabled(instrument):
        raise ValidationError({"instrument": _("该量表未启用。")})
    definition = get_instrument(instrument)
    if respondent not in definition.respondents:
        allowed = "、".join(str(choices.Respondent(r).label) for r in definition.respondents)
        raise ValidationError({"respondent": _("该量表只能由%(who)s填答。") % {"who": allowed}})
    not_future(screened_on, "screened_on", _("测评日期"), birth_date=child.birth_date)
    answers = dict(answers)
    try:
        result = score(instrument, answers)
    except InvalidAnswersError as exc:
        message = answers_error(exc, answers)
        if exc.item is not None:
            raise ValidationError({f"item_{exc.item}": message}) from exc
        raise ValidationError(message) from exc

    screening = Screening(
        child=child,
        screened_on=screened_on,
        instrument=instrument,
        respondent=respondent,
        answers={str(number): value for number, value in sorted(answers.items())},
        total=result.total,
        band=result.band,
        subscales=dict(result.subscales),
        alerts=list(result.alerts),
        positive=result.positive,
        severity=result.severity,
        cutoff_version=result.version,
        entered_by=actor,
    )
    screening.full_clean()
    screening.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="screening",
        record_id=screening.pk,
        note=_("录入心理健康测评：%(inst)s（%(date)s）")
        % {"inst": screening.instrument_short, "date": screened_on.isoformat()},
    )
    level = choices.risk_for_result(result)
    if level:
        child_raise_risk(
            actor=actor,
            child=child,
            level=level,
            reason=_("心理健康测评（%(inst)s，%(date)s）提示风险，风险等级上调。")
            % {"inst": screening.instrument_short, "date": screened_on.isoformat()},
        )
    kind = choices.alert_kind_for_result(result)
    if kind:
        alert = SafetyAlert.objects.create(child=child, screening=screening, kind=kind)
        record_change(
            child=child,
            actor=actor,
            action=ChangeAction.RECORD,
            record_type="safety_alert",
            record_id=alert.pk,
            note=_("测评提示风险，已生成待处置预警。"),
        )
    return screening
