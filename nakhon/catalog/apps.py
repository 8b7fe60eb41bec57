from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "nakhon.catalog"
    label = "catalog"
    verbose_name = _("Data catalog")
    default_auto_field = "django.db.models.BigAutoField"
