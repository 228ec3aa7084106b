"""Each built-in transform with good and bad input."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pontes.mapping import (
    RULE_KEYS,
    TransformContext,
    TransformError,
    builtin_transforms,
)
from pontes.models import TicketStatus
from pydantic import ValidationError

TRANSFORMS = builtin_transforms()


def run(name, value, source=None, **options):
    """Apply one built-in transform to one value, options validated as at config load."""
    transform = TRANSFORMS[name]
    context = TransformContext(source=source or {}, target="field", path=None,
                               read=lambda path: (source or {}).get(path))
    return transform.apply(value, transform.parse_options(options), context)


# --- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1.530,75", "1530.75"),
    ("1530,75", "1530.75"),
    ("-1.000", "-1000"),
    ("1.234.567,8", "1234567.8"),
    ("0,5", "0.5"),
    ("1530.75", "1530.75"),
    ("R$ 1.530,75", "1530.75"),
    (" 42 ", "42"),
    (12, "12"),
    (Decimal("3.10"), "3.10"),
    (0.1, "0.1"),
])
def test_br_decimal_reads_brazilian_numbers(text, expected):
    assert run("br_decimal", text) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,530.75", "abc", "1.53,0", "1..0", "12,", "NaN", "1.5.3"])
def test_br_decimal_refuses_other_text_quoting_it(text):
    with pytest.raises(TransformError, match="not a number in Brazilian format") as caught:
        run("br_decimal", text)
    assert repr(text) in str(caught.value)


def test_br_decimal_refuses_booleans_and_leaves_blanks_missing():
    with pytest.raises(TransformError, match="yes/no"):
        run("br_decimal", True)
    assert run("br_decimal", "  ") is None


def test_br_decimal_rounds_half_up_to_places():
    assert run("br_decimal", "2,345", places=2) == Decimal("2.35")
    assert run("br_decimal", "7", places=2) == Decimal("7.00")


@pytest.mark.parametrize(("text", "expected"), [("1530.75", "1530.75"), ("-3", "-3"),
                                                ("1e3", "1000"), (7, "7")])
def test_decimal_reads_plain_numbers(text, expected):
    assert run("decimal", text) == Decimal(expected)


@pytest.mark.parametrize("value", ["1.530,75", "abc", "inf", Decimal("NaN"), float("inf")])
def test_decimal_refuses_what_is_not_a_finite_plain_number(value):
    with pytest.raises(TransformError):
        run("decimal", value)


@pytest.mark.parametrize(("value", "expected"), [("42", 42), (42, 42), ("-7", -7),
                                                 (Decimal("3.0"), 3), (5.0, 5)])
def test_integer_reads_whole_numbers(value, expected):
    assert run("integer", value) == expected


@pytest.mark.parametrize("value", ["4.5", 4.5, "4,5", True, "many"])
def test_integer_refuses_fractions_and_words(value):
    with pytest.raises(TransformError):
        run("integer", value)


# --- dates --------------------------------------------------------------------------

NOON = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "options"), [
    ("2024-03-01T12:00:00", {}),                                  # Movidesk: no offset = UTC
    ("2024-03-01T12:00:00.0000000", {}),                          # seven fractional digits
    ("2024-03-01T09:00:00-03:00", {}),                            # Ploomes REST
    ("2024-03-01T09:00:00", {"timezone": "America/Sao_Paulo"}),   # Ploomes webhook
    ("2024-03-01T12:00:00Z", {}),
    ("2024-03-01T12:00:00.00z", {}),
    ("2024-03-01T14:00:00+02:00", {"timezone": "America/Sao_Paulo"}),  # offset wins
    (1709294400, {}),
    ("1709294400", {}),
    (1709294400000, {"epoch": "milliseconds"}),
    ("01/03/2024 09:00", {"format": "%d/%m/%Y %H:%M", "timezone": "America/Sao_Paulo"}),
    (datetime(2024, 3, 1, 12, 0), {}),
    (datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=-3))), {}),
])
def test_utc_datetime_reads_vendor_dates_as_aware_utc(value, options):
    result = run("utc_datetime", value, **options)
    assert result == NOON
    assert result.tzinfo is UTC


def test_utc_datetime_keeps_sub_second_precision():
    result = run("utc_datetime", "2019-10-30T13:35:38.0174433")
    assert result == datetime(2019, 10, 30, 13, 35, 38, 17443, tzinfo=UTC)


@pytest.mark.parametrize(("value", "options", "message"), [
    ("31/02/2024", {}, "not a date and time"),
    ("2024-13-01T00:00:00", {}, "not a date and time"),
    ("yesterday", {}, "not a date and time"),
    ("2024-03-01", {"format": "%d/%m/%Y"}, "does not match the format"),
    (True, {}, "yes/no"),
])
def test_utc_datetime_refuses_bad_text(value, options, message):
    with pytest.raises(TransformError, match=message):
        run("utc_datetime", value, **options)


def test_utc_datetime_refuses_an_unknown_time_zone_at_config_time():
    with pytest.raises(ValidationError, match="unknown time zone 'America/Sao_Pablo'"):
        TRANSFORMS["utc_datetime"].parse_options({"timezone": "America/Sao_Pablo"})
    with pytest.raises(ValidationError, match="unknown time zone 'Brasilia'"):
        TRANSFORMS["date"].parse_options({"day_timezone": "Brasilia"})


def test_date_reads_the_day_in_the_chosen_zone():
    assert run("date", "2024-03-01T01:00:00Z", timezone="America/Sao_Paulo") == date(2024, 2, 29)
    assert run("date", "2024-03-01T01:00:00Z") == date(2024, 3, 1)
    assert run("date", "2024-03-01T01:00:00", day_timezone="America/Sao_Paulo") == \
        date(2024, 2, 29)
    assert run("date", "2024-03-01T01:00:00", timezone="America/Sao_Paulo") == date(2024, 3, 1)
    assert run("date", "2024-03-01T23:00:00", timezone="America/Sao_Paulo",
               day_timezone="UTC") == date(2024, 3, 2)
    assert run("date", date(2024, 3, 1)) == date(2024, 3, 1)
    with pytest.raises(TransformError):
        run("date", "março")


# --- value tables -------------------------------------------------------------------


def test_map_looks_values_up_with_yaml_keys_of_any_type():
    values = {1: "person", 2: "company"}
    assert run("map", 2, values=values) == "company"
    assert run("map", "1", values=values) == "person"
    assert run("map", True, values={True: "yes", False: "no"}) == "yes"
    assert run("map", False, values={"true": "yes", "false": "no"}) == "no"
    assert run("enum", 2, values=values) == "company"


def test_map_uses_its_default_even_when_it_is_null():
    assert run("map", "Outro", values={"Alta": "high"}, default="normal") == "normal"
    assert run("map", "Outro", values={"Alta": "high"}, default=None) is None


def test_map_compares_case_blind_on_request():
    assert run("map", " alta", values={"Alta": "high"}, ignore_case=True) == "high"
    with pytest.raises(TransformError):
        run("map", "alta", values={"Alta": "high"})


def test_map_without_default_names_the_value_and_the_keys():
    with pytest.raises(TransformError) as caught:
        run("map", "Urgente", values={"Alta": "high", "Baixa": "low"})
    message = str(caught.value)
    assert "'Urgente' is not in the map" in message
    assert "no default" in message
    assert "'Alta', 'Baixa'" in message


def test_status_maps_onto_canonical_statuses():
    transform = TRANSFORMS["status"]
    options = transform.parse_options({"values": {"Resolvido": "solved"}, "of": "ticket"})
    context = TransformContext(source={}, target="status", path=None, read=lambda p: None)
    assert transform.apply("Resolvido", options, context) == "solved"


# --- people -------------------------------------------------------------------------


@pytest.mark.parametrize("writing", [
    "+55 (11) 91234-5678", "(11) 91234-5678", "11912345678", "011 91234-5678",
    "(011) 9 1234-5678", "55 11 91234 5678", "0 21 11 91234-5678", "+5511912345678",
    5511912345678,
])
def test_phone_e164_gives_one_number_for_every_writing(writing):
    assert run("phone_e164", writing) == "+5511912345678"


def test_phone_e164_reads_landlines_and_other_regions():
    assert run("phone_e164", "(21) 3123-4567") == "+552131234567"
    assert run("phone_e164", "+351 912 345 678") == "+351912345678"
    assert run("phone_e164", "912 345 678", region="pt") == "+351912345678"


@pytest.mark.parametrize("writing", ["123", "91234-5678", "telefone", "(00) 0000-0000"])
def test_phone_e164_refuses_invalid_numbers(writing):
    with pytest.raises(TransformError, match="not a valid phone number"):
        run("phone_e164", writing)


def test_phone_e164_can_keep_or_drop_invalid_numbers():
    assert run("phone_e164", " ramal 12 ", invalid="keep") == "ramal 12"
    assert run("phone_e164", "ramal 12", invalid="drop") is None


def test_phone_e164_refuses_an_unknown_region_at_config_time():
    with pytest.raises(ValidationError, match="unknown region 'XX'"):
        TRANSFORMS["phone_e164"].parse_options({"region": "XX"})


def test_email_is_trimmed_lowered_and_checked():
    assert run("email", " Ana.Souza@Exemplo.COM.br ") == "ana.souza@exemplo.com.br"
    assert run("email", "mailto:ana@exemplo.com") == "ana@exemplo.com"
    with pytest.raises(TransformError, match="'ana@' is not an e-mail address"):
        run("email", "ana@")
    assert run("email", "not an address", invalid="keep") == "not an address"
    assert run("email", "not an address", invalid="drop") is None


# --- text ---------------------------------------------------------------------------


def test_template_fills_placeholders_from_the_record_and_the_value():
    source = {"number": 10452, "subject": "Falha na NF-e", "tags": ["fiscal", "nfe"]}
    text = "#{number} {value} [{tags}] {{literal}} {missing}."
    assert run("template", "Movidesk", source=source, text=text) == \
        "#10452 Movidesk [fiscal, nfe] {literal} ."


def test_template_applies_format_specs():
    source = {"created": datetime(2024, 3, 1, 12, 0, tzinfo=UTC), "amount": Decimal("2.5"),
              "status": TicketStatus.solved}
    text = "{created:%d/%m/%Y} {amount:.2f} {status}"
    assert run("template", None, source=source, text=text) == "01/03/2024 2.50 solved"


@pytest.mark.parametrize("text", ["{subject", "subject}", "{}", "{a..b}", "{a!x}"])
def test_template_refuses_bad_syntax_at_config_time(text):
    with pytest.raises(ValidationError, match="bad template"):
        TRANSFORMS["template"].parse_options({"text": text})


def test_text_transforms():
    assert run("lower", "ANA") == "ana"
    assert run("upper", "ana") == "ANA"
    assert run("strip", "  ana  ") == "ana"
    assert run("strip", "--ana--", chars="-") == "ana"
    assert run("text", 10452) == "10452"
    assert run("text", Decimal("1E+2")) == "100"
    assert run("text", TicketStatus.solved) == "solved"
    assert run("text", True) == "true"
    with pytest.raises(TransformError, match="lower expects text, got int 5"):
        run("lower", 5)
    with pytest.raises(TransformError, match="cannot write dict"):
        run("text", {"a": 1})


def test_join_and_split():
    assert run("join", ["a", None, " ", "b", 3]) == "a, b, 3"
    assert run("join", ["a", "b"], sep=" | ") == "a | b"
    assert run("join", "solo") == "solo"
    assert run("split", " vip, fiscal ,,nfe ") == ["vip", "fiscal", "nfe"]
    assert run("split", "a;b", sep=";") == ["a", "b"]
    with pytest.raises(TransformError, match="split expects text"):
        run("split", ["a"])


def test_default_fills_missing_and_blank_values_only():
    assert run("default", None, fallback="Sem assunto") == "Sem assunto"
    assert run("default", "  ", fallback="Sem assunto") == "Sem assunto"
    assert run("default", [], fallback=["x"]) == ["x"]
    assert run("default", "Falha", fallback="Sem assunto") == "Falha"
    assert run("default", 0, fallback=5) == 0


@pytest.mark.parametrize(("value", "expected"), [
    ("sim", True), ("Não", False), ("TRUE", True), ("0", False), (1, True), (False, False),
])
def test_bool_reads_yes_no_words(value, expected):
    assert run("bool", value) is expected


def test_bool_refuses_other_words_listing_the_accepted_ones():
    with pytest.raises(TransformError, match="'talvez' is not a yes/no value; accepted: true"):
        run("bool", "talvez")
    assert run("bool", "ativo", true_values=["ativo"], false_values=["inativo"]) is True
    with pytest.raises(TransformError):
        run("bool", "sim", true_values=["ativo"], false_values=["inativo"])


# --- options ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_every_transform_refuses_unknown_options(name):
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        TRANSFORMS[name].parse_options({"values": {}, "text": "", "fallback": 1,
                                        "no_such_option": True})


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_no_option_takes_a_name_the_mapping_rule_uses(name):
    transform = TRANSFORMS[name]
    assert not set(transform.options.model_fields) & set(RULE_KEYS)
    assert transform.name == name
    assert transform.description
