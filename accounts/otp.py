"""The optional second factor: TOTP (动态验证码) with django-otp.

A user who must use it (see accounts.middleware.otp_required_for) is sent here after the
password by OTPRequiredMiddleware: to enrol an authenticator app the first time, then to
type the 6-digit code at each login. Losing the phone: the county admin deletes the device
in the admin (TOTP devices) and the user enrols again at the next login.
"""

import base64
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.forms import BootstrapFormMixin

DEVICE_NAME = "authenticator"


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user, kept across page reloads so the
    QR code shown does not change while the user is scanning it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as base32 in groups of four, for typing into an app by hand."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (allowed by img-src; no file, no extra request)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


class TokenForm(BootstrapFormMixin, forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=12,
        help_text=_("打开手机上的验证器应用，输入当前显示的 6 位数字。"),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("请输入 6 位数字验证码。"))
        allowed, _info = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(_("验证码错误次数过多，请稍等片刻再试。"))
        if not self.device.verify_token(token):
            raise forms.ValidationError(_("验证码不正确或已过期，请重新输入。"))
        return token


class _OTPStepView(FormView):
    form_class = TokenForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"device": self.device}

    def next_url(self) -> str:
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return candidate
        return reverse("home")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"next": self.next_url()}


class OTPVerifyView(_OTPStepView):
    """两步验证: the code after the password."""

    template_name = "accounts/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        self.device = confirmed_device(request.user)
        if self.device is None:
            return redirect(f"{reverse('accounts:otp_setup')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        otp_login(self.request, self.device)
        return redirect(self.next_url())


class OTPSetupView(_OTPStepView):
    """绑定验证器: enrol an authenticator app (QR code, or the key typed by hand)."""

    template_name = "accounts/otp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        existing = confirmed_device(request.user)
        if existing is not None:
            # Already enrolled. Replacing the device needs the county admin (who deletes the
            # old one), so that a stolen password alone cannot enrol the thief's phone.
            if request.user.is_verified():
                messages.info(request, gettext("您已启用两步验证。"))
                return redirect(self.next_url())
            return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
        self.device = pending_device(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        url = self.device.config_url
        return super().get_context_data(**kwargs) | {
            "otpauth_url": url,
            "qr_code": qr_data_uri(url),
            "secret": secret_text(self.device),
        }

    def form_valid(self, form):
        self.device.confirmed = True
        self.device.save(update_fields=["confirmed"])
        otp_login(self.request, self.device)
        messages.success(
            self.request, gettext("两步验证已启用。以后登录时需输入验证器中的验证码。")
        )
        return redirect(self.next_url())
