from django.conf import settings
from django.urls import include, path
from django.views import defaults as default_views
from django.views.generic import TemplateView

from shop.users.views import healthz

urlpatterns = [
    path("", TemplateView.as_view(template_name="pages/home.html"), name="home"),
    path("healthz/", healthz, name="healthz"),
    path("users/", include("shop.users.urls", namespace="users")),
]
