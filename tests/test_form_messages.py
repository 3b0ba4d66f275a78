"""WTForms' own validator messages reach the user in Bahasa Indonesia."""

import re
from pathlib import Path

import wtforms
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length

from logistics.core.form_messages import MESSAGES, Form


def test_every_message_wtforms_can_give_has_an_indonesian_wording():
    catalogue = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
    singular = re.findall(r'^msgid "(.+)"$', catalogue.read_text(encoding="utf-8"), re.M)
    assert len(singular) > 30
    assert set(singular) - set(MESSAGES) == set()
    for english, indonesian in MESSAGES.items():
        # The placeholders WTForms fills in must survive the translation.
        assert set(re.findall(r"%\(\w+\)\w|%s", english)) == set(
            re.findall(r"%\(\w+\)\w|%s", indonesian)
        ), english


def test_a_refused_form_speaks_indonesian(app):
    class Sample(Form):
        name = StringField("Nama", validators=[DataRequired(), Length(max=4)])
        count = IntegerField("Jumlah")

    with app.test_request_context(method="POST", data={"name": "panjang sekali", "count": "x"}):
        form = Sample(meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == ["Isian paling banyak 4 karakter."]
        assert form.count.errors == ["Harus bilangan bulat, tanpa titik atau koma."]
