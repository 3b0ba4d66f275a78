"""Flask-WTF form of the sitrep page: the day's kendala, upaya and kebutuhan mendesak."""

from wtforms import TextAreaField

from logistics.core.form_messages import Form


class NoteForm(Form):
    """The office's notes for one day; length is checked by the service."""

    problems = TextAreaField("Kendala", render_kw={"rows": 3})
    actions = TextAreaField("Upaya / tindak lanjut", render_kw={"rows": 3})
    needs = TextAreaField("Kebutuhan mendesak", render_kw={"rows": 3})
