from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, condecimal

VAT_RATES = {"standard": Decimal("0.20"), "reduced": Decimal("0.05"), "zero": Decimal("0")}


class Price(BaseModel):
    net: condecimal(ge=0, decimal_places=2)
    band: str = "standard"

    @property
    def gross(self) -> Decimal:
        rate = VAT_RATES[self.band]
        return (self.net * (1 + rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
