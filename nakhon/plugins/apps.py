from django.apps import AppConfig


class PluginsConfig(AppConfig):
    name = "nakhon.plugins"
    label = "plugins"
    verbose_name = "Nakhon plugins"

    def ready(self) -> None:
        """Load the plugins now, so that a bad one stops start-up with a clear message."""
        from nakhon.plugins.manager import get_plugin_manager

        get_plugin_manager()
