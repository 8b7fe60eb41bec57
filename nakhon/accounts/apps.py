from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "nakhon.accounts"
    label = "accounts"
    verbose_name = _("Accounts and municipalities")

    def ready(self) -> None:
        from nakhon.accounts import signals  # noqa: F401
