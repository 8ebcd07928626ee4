from fastapi.testclient import TestClient

from inventory.main import app

client = TestClient(app)


def test_health():
    assert client.get("/health").json()["status"] == "ok"


def test_put_and_get():
    item = {"sku": "A1", "name": "bolt", "quantity": 3}
    assert client.put("/items/A1", json=item).status_code == 200
    assert client.get("/items/A1").json() == item
