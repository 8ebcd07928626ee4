from fastapi import APIRouter

router = APIRouter()


@router.get("", name="articles:list-articles")
async def list_articles() -> list:
    return []
