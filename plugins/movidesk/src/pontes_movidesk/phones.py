"""The ways a phone number is commonly typed in Movidesk, for searching it.

Movidesk keeps a person's phone (``contacts[].contact``) as the agent typed it, compares
``$filter`` text exactly and offers no function to search part of a text. So a phone is
looked for in the spellings it is most often typed in: E.164 (``+5511912345678``, what
pontes writes), international (``+55 11 91234-5678``, the vendor's own examples), national
(``(11) 91234-5678``) and the national digits alone (``11912345678``).
"""

from __future__ import annotations

import phonenumbers

_FORMATS = (phonenumbers.PhoneNumberFormat.E164, phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.NATIONAL)


def spellings(phone: str) -> list[str]:
    """The spellings of ``phone`` (in E.164) to search for, without repeats; only
    ``phone`` itself when it is not a number phonenumbers can read."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return [phone]
    found = [phonenumbers.format_number(parsed, style) for style in _FORMATS]
    found.append(phonenumbers.national_significant_number(parsed))
    return list(dict.fromkeys([phone, *found]))
