from starlette.testclient import TestClient

from todo_api.app import app


def test_health():
    assert TestClient(app).get("/health").json()["status"] == "ok"
