import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_json_with_database_state(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        assert body["broker"]["status"] == "inline"
        assert body["workers"]["status"] == "inline"
        assert body["status"] == "ok"
    else:
        assert body["broker"]["status"] == "ok"
        assert body["workers"]["status"] in {"ok", "degraded"}


def test_broker_down_is_degraded_not_failing(client, settings):
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"]["status"] == "degraded"
    assert body["workers"]["status"] == "degraded"
    assert body["database"]["status"] == "ok"


def test_healthz_is_not_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
