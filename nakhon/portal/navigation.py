"""Navigation per role: each item names the action it needs, so menus follow permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nakhon.accounts.models import Municipality
from nakhon.core.permissions import allowed_actions


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    action: str


NAV: tuple[NavItem, ...] = (
    NavItem(_("Home"), "portal:municipality-home", "municipality.view"),
    NavItem(_("Datasets"), "portal:dataset-list", "municipality.view"),
    NavItem(_("Data requests"), "participation:request-list", "municipality.view"),
    NavItem(_("Data desk"), "portal:desk", "dataset.validate"),
    NavItem(_("SQL"), "portal:sql-console", "sql.view"),
    NavItem(_("Departments"), "portal:department-list", "department.view"),
    NavItem(_("Staff"), "portal:member-list", "member.list"),
    NavItem(_("API tokens"), "portal:token-list", "staff.home"),
    NavItem(_("Moderation"), "participation:moderation", "moderation.view"),
    NavItem(_("Audit log"), "portal:audit-list", "audit.view"),
    NavItem(_("Tax calculator"), "tax:calculator", "municipality.view"),
    NavItem(_("Tax registers"), "tax:home", "tax.view"),
    NavItem(_("Assessment runs"), "tax:run-list", "tax.view"),
    NavItem(_("Arrears"), "tax:arrears", "tax.view"),
    NavItem(_("Collection reports"), "tax:reports", "tax.view"),
    NavItem(_("Revenue gap"), "tax:gap", "tax.view"),
    NavItem(_("Tax map"), "tax:map", "tax.view"),
)


def nav_items(*, actor: Any, municipality: Municipality) -> list[dict[str, Any]]:
    allowed = allowed_actions(actor, municipality)
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, args=[municipality.slug]),
            "name": item.url_name,
        }
        for item in NAV
        if item.action in allowed
    ]
