from flask import Blueprint, jsonify, render_template, request

from bookmarks.models import Bookmark, db

bp = Blueprint("bookmarks", __name__)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


@bp.get("/")
def index():
    return render_template("index.html", bookmarks=Bookmark.query.order_by(Bookmark.id).all())


@bp.post("/api/bookmarks")
def add():
    body = request.get_json(force=True)
    bm = Bookmark(url=body["url"], title=body.get("title", body["url"]))
    db.session.add(bm)
    db.session.commit()
    return jsonify(id=bm.id), 201
