import hashlib

from tasks.celery_app import app


@app.task(bind=True, max_retries=3)
def checksum(self, payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


@app.task
def word_count(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return counts
