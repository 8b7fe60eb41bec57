from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "nakhon.demo"
    label = "demo"
    verbose_name = "Demo city"
