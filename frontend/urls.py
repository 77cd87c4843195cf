from django.urls import path

from frontend.views import index, tonconnect_manifest

urlpatterns = [
    path("", index, name="frontend-index"),
    path("tonconnect-manifest.json", tonconnect_manifest, name="tonconnect-manifest"),
]
