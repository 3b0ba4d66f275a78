"""The area field of every form: a code (or several) that the area picker fills in."""

from wtforms import StringField

from logistics.areas.search import PICKER_LEVELS
from logistics.core.scope import split_codes


class AreaField(StringField):
    """Kemendagri codes chosen with the area picker (templates/_area_picker.html).

    `levels` are the levels offered, `multiple` takes several codes (data is then a list),
    `purpose` "record" offers only the user's record scope, "see" their see scope. Without
    JavaScript it is a text input for the code(s).
    """

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        levels=("kelurahan",),
        multiple: bool = False,
        purpose: str = "record",
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.levels = tuple(levels) if levels else PICKER_LEVELS
        self.multiple = multiple
        self.purpose = purpose

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        if self.multiple:
            self.data = [code for value in valuelist for code in split_codes(value)]
        else:
            self.data = (valuelist[0] or "").strip()

    def _value(self) -> str:
        if self.multiple:
            return " ".join(self.data or [])
        return self.data or ""

    @property
    def codes(self) -> list[str]:
        if self.multiple:
            return list(self.data or [])
        return [self.data] if self.data else []
