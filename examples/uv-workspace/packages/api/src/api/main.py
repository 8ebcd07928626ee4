from decimal import Decimal

from fastapi import FastAPI, HTTPException
from pricing import VAT_RATES, Price

app = FastAPI(title="storefront-api")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/quote")
def quote(net: Decimal, band: str = "standard") -> dict[str, str]:
    if band not in VAT_RATES:
        raise HTTPException(status_code=422, detail=f"unknown VAT band {band!r}")
    price = Price(net=net, band=band)
    return {"net": str(price.net), "gross": str(price.gross), "band": band}
