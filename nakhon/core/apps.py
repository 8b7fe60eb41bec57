from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "nakhon.core"
    label = "core"
    verbose_name = "Nakhon core"

    def ready(self) -> None:
        from nakhon.core import checks  # noqa: F401  (registers system checks)
