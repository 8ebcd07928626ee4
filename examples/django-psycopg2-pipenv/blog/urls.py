from django.urls import path

from posts import views

urlpatterns = [
    path("healthz", views.healthz),
    path("posts/", views.post_list),
]
