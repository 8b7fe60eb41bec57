"""Sign-in pages: password sign-in (throttled by django-axes), one-time links, sign-out."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from nakhon.accounts.services import login_link_redeem
from nakhon.core.audit import audit_record


class AuditedPasswordChangeView(PasswordChangeView):
    """Django's password change, written to the audit log (never the password itself)."""

    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user  # the signed-in user whose password changed
        audit_record(
            actor=user, action="auth.password_change", obj=user, object_repr=user.get_username()
        )
        return response


def login_link(request: HttpRequest, token: str) -> HttpResponse:
    link = login_link_redeem(raw=token[:200])
    if link is None:
        return render(request, "accounts/login_link_invalid.html", status=404)
    login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
    if link.next_url and url_has_allowed_host_and_scheme(link.next_url, allowed_hosts=None):
        return redirect(link.next_url)
    return redirect("portal:after-login")
