from fastapi import FastAPI, HTTPException

app = FastAPI(title="gallery-api", root_path="/api")

PHOTOS = {
    1: {"id": 1, "title": "Harbour at dawn", "tags": ["sea", "morning"]},
    2: {"id": 2, "title": "Old town roofs", "tags": ["city"]},
}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/photos")
def photos(tag: str | None = None):
    items = PHOTOS.values()
    return [p for p in items if tag is None or tag in p["tags"]]


@app.get("/photos/{photo_id}")
def photo(photo_id: int):
    if photo_id not in PHOTOS:
        raise HTTPException(status_code=404)
    return PHOTOS[photo_id]
