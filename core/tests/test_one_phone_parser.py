"""pontes reads phone numbers in one place: ``pontes.models.phone_e164``.

The canonical models' ``normalize_phone`` and the ``phone_e164`` mapping transform both
go through it, so a number is never E.164 in one and kept as typed in the other.
"""

import ast
from pathlib import Path

import pontes
import pytest
from pontes.mapping.transforms import PhoneE164, PhoneOptions
from pontes.models import normalize_phone, phone_e164

NUMBERS = ["(11) 98765-4321", "+55 11 98765 4321", "11 3456-7890", "98765-4321",
           "+1 650 253 0000", "not a phone", "+44 20 7946 0958"]


@pytest.mark.parametrize("text", NUMBERS)
def test_the_model_and_the_transform_read_a_number_alike(text):
    expected = phone_e164(text, "BR")
    assert normalize_phone(text) == (expected or text)
    kept = PhoneE164().apply(text, PhoneOptions(invalid="keep"), None)
    assert kept == (expected or text)


def test_no_other_core_module_parses_phone_numbers():
    parsers = []
    for path in Path(pontes.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "parse" \
                    and isinstance(node.value, ast.Name) and node.value.id == "phonenumbers":
                parsers.append(path.name)
    assert parsers == ["models.py"]
