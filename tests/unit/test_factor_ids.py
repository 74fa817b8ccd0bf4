"""Contributing factors with ids, and the action items that address them (issue 12):
an unknown id in `addresses` is PM210 at its value, a factor id used twice is PM211."""

from __future__ import annotations

from cases import line_of, published

from mkdocs_postmortem.check import Settings, check_archive

FACTORS = """contributing_factors:
  - id: F1
    layer: prompt
    description: The shortened prompt no longer told the model to quote the policy.
  - id: F2
    layer: retrieval
    description: The refund section of the policy was not in the index.
  - layer: guardrail
    description: No check compared answers with the policy text.
"""


def with_factors(text: str, factors: str = FACTORS) -> str:
    start = text.index("contributing_factors:\n")
    end = text.index("attribution:")
    return text[:start] + factors + text[end:]


def problems(text: str) -> list[str]:
    report = check_archive([("x.md", text.encode())], Settings.load(today="2026-11-27"))
    return [str(d).removeprefix("x.md:") for d in report.diagnostics]


def test_items_that_address_known_factors_pass() -> None:
    text = with_factors(published("TEST-2026-0001"))
    text = text.replace("    tracker: https://tracker.example.com/AI-1\n", "    addresses: [F2]\n")
    text = text.replace("    due: 2027-05-01\n", "    due: 2027-05-01\n    addresses: [F1, F2]\n")
    assert problems(text) == []


def test_an_unknown_id_in_addresses_is_reported_at_its_value() -> None:
    text = with_factors(published("TEST-2026-0001"))
    text = text.replace("    due: 2027-05-01\n", "    due: 2027-05-01\n    addresses: [F1, F3]\n")
    line = line_of(text, "    addresses: [F1, F3]")
    assert problems(text) == [
        f"{line}:21: error PM210 action_items[1].addresses[1]: no contributing factor has id "
        "'F3'; the factors' ids are 'F1', 'F2'"
    ]


def test_addresses_in_a_block_list_are_reported_at_their_line() -> None:
    text = with_factors(published("TEST-2026-0001"))
    text = text.replace(
        "    due: 2027-05-01\n", "    due: 2027-05-01\n    addresses:\n      - F2\n      - f1\n"
    )
    line = line_of(text, "      - f1")
    assert problems(text) == [
        f"{line}:9: error PM210 action_items[1].addresses[1]: no contributing factor has id "
        "'f1'; the factors' ids are 'F1', 'F2' (did you mean 'F1'?)"
    ]


def test_addresses_without_factor_ids_says_the_factors_have_none() -> None:
    text = published("TEST-2026-0001").replace(
        "    due: 2027-05-01\n", "    due: 2027-05-01\n    addresses: [F1]\n"
    )
    [message] = problems(text)
    assert message.startswith(
        f"{line_of(text, '    addresses: [F1]')}:17: error PM210 action_items[1].addresses[0]:"
    )
    assert "contributing factors have no ids" in message


def test_a_factor_id_used_twice_is_an_error_at_the_second() -> None:
    text = with_factors(published("TEST-2026-0001"), FACTORS.replace("id: F2", "id: F1"))
    second = text.index("id: F1", text.index("id: F1") + 1)
    line = text[:second].count("\n") + 1
    assert problems(text) == [
        f"{line}:9: error PM211 contributing_factors[1].id: contributing factor id 'F1' is "
        "already used by contributing_factors[0]"
    ]


def test_a_factor_id_of_the_wrong_form_is_a_schema_error() -> None:
    text = with_factors(published("TEST-2026-0001"), FACTORS.replace("id: F2", 'id: "F 2"'))
    assert [p.split(" ", 3)[2] for p in problems(text)] == ["PM104"]
