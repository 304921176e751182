from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path(".well-known/did.json", views.did_json, name="did"),
    path("credentials/status/<int:number>", views.status_list, name="status_list"),
    path("verify/credential/", views.credential_verify, name="credential_verify"),
    path("verify/<str:code>/credential.json", views.credential_json, name="credential"),
    path("verify/<str:code>.json", views.verify_json, name="verify_json"),
    path("verify/<str:code>/", views.verify_page, name="verify"),
    path("certificates/mine/", views.my_certificates, name="mine"),
    path("certificates/<int:pk>/download/", views.download, name="download"),
    path(
        "certificates/<int:pk>/credential.json",
        views.credential_download,
        name="credential_download",
    ),
]
