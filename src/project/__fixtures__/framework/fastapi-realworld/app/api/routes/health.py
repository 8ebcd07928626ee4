from fastapi import APIRouter

router = APIRouter()


@router.get("/health", name="health:check")
async def check() -> dict:
    """Liveness probe: `@router.get("/not-this")` in a docstring is ignored."""
    return {"status": "ok"}
