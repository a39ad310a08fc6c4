from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kartoteka.api"
    label = "api"
