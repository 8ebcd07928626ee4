from fastapi import APIRouter

from app.api.routes import health, articles

router = APIRouter()
router.include_router(health.router, tags=["health"])
router.include_router(articles.router, tags=["articles"], prefix="/articles")
