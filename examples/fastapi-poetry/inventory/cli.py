import os

import uvicorn


def main() -> None:
    uvicorn.run("inventory.main:app", host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
