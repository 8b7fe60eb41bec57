from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "nakhon.participation"
    label = "participation"
    verbose_name = _("Citizen participation")
    default_auto_field = "django.db.models.BigAutoField"
