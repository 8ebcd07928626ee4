from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Bookmark(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    url = db.Column(db.String(2000), nullable=False)
    title = db.Column(db.String(200), nullable=False)
