import datetime as dt

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import AreaScopedQuerySet
from children import choices
from core.models import VersionedModel
from core.validators import years_between

# The child's own view is asked from 8: the Civil Code (民法典 art. 19) makes a minor of 8
# or more a person of limited civil capacity who takes part in acts fitting their age and
# understanding, and the Minors Protection Law (未成年人保护法 art. 19) asks that a child's
# views be heard in decisions about them. A refusal by the child stops the screening as a
# refusal by the guardian would.
ASSENT_AGE = 8
# Under 14 the guardian must consent (个人信息保护法 art. 31); from 14 the child may sign.
GUARDIAN_CONSENT_AGE = 14


class ConsentQuerySet(AreaScopedQuerySet):
    township_path = "child__township"
    village_path = "child__village"


class Consent(VersionedModel):
    """知情同意书: the guardian's consent (or refusal, or its withdrawal) to psychological
    screening, or to sharing the child's information with a named school or institution,
    with the child's own assent where of age and a photo of the signed form."""

    child = models.ForeignKey(
        "children.Child",
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("儿童"),
        db_index=False,  # consent_one_per_child_kind_recipient leads with it
    )
    kind = models.CharField(_("同意事项"), max_length=20, choices=choices.ConsentKind.choices)
    # The school or institution the information goes to (sharing only), as named on the form.
    recipient = models.CharField(_("接收信息的学校/机构"), max_length=100, blank=True)
    status = models.CharField(_("监护人意见"), max_length=10, choices=choices.ConsentStatus.choices)
    signed_on = models.DateField(_("签署日期"))
    signer_name = models.CharField(_("签署人"), max_length=50)
    signer_relation = models.CharField(
        _("签署人身份"), max_length=30, choices=choices.ConsentSigner.choices
    )
    child_assent = models.CharField(
        _("儿童本人意见"), max_length=10, choices=choices.ChildAssent.choices, blank=True
    )
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # A photo of the signed form: re-encoded (core/images.py), stored under a random name,
    # served only through the scoped view that logs the read.
    scan = models.FileField(_("同意书照片"), upload_to="consents/", max_length=200, blank=True)
    scan_content_type = models.CharField(max_length=30, blank=True, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("知情同意")
        verbose_name_plural = _("知情同意")
        ordering = ["kind", "recipient", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "recipient"],
                name="consent_one_per_child_kind_recipient",
                violation_error_message=_("该儿童已登记过这一事项的同意书，请修改原记录。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="screening", recipient="")
                | (Q(kind="sharing") & ~Q(recipient="")),
                name="consent_recipient_for_sharing_only",
                violation_error_message=_("提供信息须写明接收的学校/机构；心理测评不填。"),
            ),
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_on__isnull=False)
                | (~Q(status="withdrawn") & Q(withdrawn_on__isnull=True)),
                name="consent_withdrawn_has_date",
                violation_error_message=_("撤回同意须填写撤回日期。"),
            ),
        ]

    def __str__(self):
        if self.recipient:
            return f"{self.get_kind_display()}（{self.recipient}）：{self.get_status_display()}"
        return f"{self.get_kind_display()}：{self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("children:consent_edit", args=[self.pk])

    @property
    def is_given(self) -> bool:
        return self.status == choices.ConsentStatus.GIVEN

    def child_age_on_signing(self) -> int:
        return years_between(self.child.birth_date, self.signed_on)

    def needs_assent(self) -> bool:
        return self.child_age_on_signing() >= ASSENT_AGE


def assent_needed(birth_date: dt.date, on: dt.date) -> bool:
    return years_between(birth_date, on) >= ASSENT_AGE
