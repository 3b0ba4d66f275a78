"""Personal data rules (UU 27/2022 PDP): masking NIK/KK on screens, exports and logs."""


def mask_nik(value: str | None) -> str:
    """3604011234560009 -> 3604********0009: region and serial stay, the birth date is hidden."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
