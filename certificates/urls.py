from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/<str:code>.json", views.verify_json, name="verify_json"),
    path("verify/<str:code>/", views.verify_page, name="verify"),
    path("certificates/mine/", views.my_certificates, name="mine"),
    path("certificates/<int:pk>/download/", views.download, name="download"),
]
