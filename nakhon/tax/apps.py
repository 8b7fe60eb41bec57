from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxConfig(AppConfig):
    name = "nakhon.tax"
    label = "tax"
    verbose_name = _("Local revenue")
    default_auto_field = "django.db.models.BigAutoField"
