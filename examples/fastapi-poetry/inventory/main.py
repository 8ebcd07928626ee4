from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from inventory import __version__

app = FastAPI(title="inventory", version=__version__)


class Item(BaseModel):
    sku: str = Field(..., min_length=1, max_length=32)
    name: str
    quantity: int = Field(0, ge=0)


_items: dict[str, Item] = {}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@app.get("/items")
def list_items() -> list[Item]:
    return sorted(_items.values(), key=lambda item: item.sku)


@app.put("/items/{sku}")
def put_item(sku: str, item: Item) -> Item:
    if item.sku != sku:
        raise HTTPException(status_code=400, detail="sku in path and body differ")
    _items[sku] = item
    return item


@app.get("/items/{sku}")
def get_item(sku: str) -> Item:
    if sku not in _items:
        raise HTTPException(status_code=404, detail="no such item")
    return _items[sku]
