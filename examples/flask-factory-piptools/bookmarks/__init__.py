"""Bookmarks: a Flask app built by an application factory."""

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite:///:memory:"),
    )
    if config:
        app.config.update(config)

    from bookmarks.models import db

    db.init_app(app)
    with app.app_context():
        db.create_all()

    from bookmarks.views import bp

    app.register_blueprint(bp)
    return app
