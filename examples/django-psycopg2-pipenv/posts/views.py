import psycopg2
from django.db import OperationalError
from django.http import JsonResponse

from posts.models import Post


def healthz(request):
    # Liveness must not depend on the database: report the driver, not the connection.
    return JsonResponse({"status": "ok", "libpq": psycopg2.__libpq_version__})


def post_list(request):
    try:
        posts = [{"title": p.title, "published": p.published.isoformat()} for p in Post.objects.all()[:20]]
    except OperationalError as exc:
        return JsonResponse({"error": str(exc).strip()}, status=503)
    return JsonResponse({"posts": posts})
