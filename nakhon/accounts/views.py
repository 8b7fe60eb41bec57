"""Sign-in pages: password sign-in (throttled by django-axes), one-time links, sign-out."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from nakhon.accounts.services import login_link_redeem


def login_link(request: HttpRequest, token: str) -> HttpResponse:
    link = login_link_redeem(raw=token[:200])
    if link is None:
        return render(request, "accounts/login_link_invalid.html", status=404)
    login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
    if link.next_url and url_has_allowed_host_and_scheme(link.next_url, allowed_hosts=None):
        return redirect(link.next_url)
    return redirect("portal:after-login")
