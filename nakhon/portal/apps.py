from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "nakhon.portal"
    label = "portal"
    verbose_name = "Portal"
