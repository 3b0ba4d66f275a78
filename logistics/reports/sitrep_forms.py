"""Flask-WTF form of the sitrep page: the day's kendala, upaya and kebutuhan mendesak."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField


class NoteForm(FlaskForm):
    """The office's notes for one day; length is checked by the service."""

    problems = TextAreaField("Kendala", render_kw={"rows": 3})
    actions = TextAreaField("Upaya / tindak lanjut", render_kw={"rows": 3})
    needs = TextAreaField("Kebutuhan mendesak", render_kw={"rows": 3})
