"""Leak checks: each kind found at its exact place, masked, allowed where asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from cases import line_of, published

from mkdocs_postmortem import read
from mkdocs_postmortem.check import Settings, check_document
from mkdocs_postmortem.diagnostics import Severity
from mkdocs_postmortem.validation.leaks import (
    LeakSettings,
    baseline_values,
    find_leaks,
    leak_problems,
    luhn_valid,
)

ROOT = Path(__file__).parent.parent.parent
# AWS's documented example key id, which detect-secrets flags as an AWS access key.
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
EMAIL = "dana.whitfield@northwind-mail.net"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(leak.code, text[leak.start : leak.end]) for leak in find_leaks(text)]


@pytest.mark.parametrize(
    ("text", "code", "value"),
    [
        (f"export AWS_ACCESS_KEY_ID={AWS_KEY}", "PM601", AWS_KEY),
        ("postgres://admin:Tr0ub4dor@db.example.net/app", "PM601", "Tr0ub4dor"),
        ("-----BEGIN RSA PRIVATE KEY-----", "PM601", "BEGIN RSA PRIVATE KEY"),
        (
            "token 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",
            "PM601",
            "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",
        ),
        (f"the customer wrote from {EMAIL} twice", "PM602", EMAIL),
        ("call +44 20 7946 0958 after six", "PM603", "+44 20 7946 0958"),
        ("call (415) 555-0132 after six", "PM603", "(415) 555-0132"),
        ("card 4111 1111 1111 1111 was charged", "PM604", "4111 1111 1111 1111"),
        ("card 5555-5555-5555-4444 was charged", "PM604", "5555-5555-5555-4444"),
    ],
)
def test_each_kind_is_found_with_its_exact_span(text: str, code: str, value: str) -> None:
    assert kinds(text) == [(code, value)]


@pytest.mark.parametrize(
    "text",
    [
        "occurred 2026-03-02T14:10Z, resolved 2026-03-04",
        "ticket AI-8803, version 1.10.2024, 40 customers, 1,024 bytes",
        "https://tracker.example.com/AI-7402 and https://git.example.com/prompts/commit/42",
        "a commit 3f786850e387550fdab836ed7e6dc881de23001b",
        "4111 1111 1111 1112 fails the checksum",
        "1234567812345670 passes Luhn but starts like no card network",
        "the model said user@ is the handle",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert kinds(text) == []


def test_a_password_in_a_url_counts_once_not_also_as_an_email() -> None:
    assert [code for code, _ in kinds("https://ops:hunter22@mail.example.com/")] == ["PM601"]


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def leaky(status: str = "in_review") -> str:
    text = published(
        "TEST-2026-0100",
        "  inputs: Customer questions about refunds, with the policy page retrieved.",
        f"  inputs: Customer questions about refunds, one signed {EMAIL}.",
    ).replace("status: published", f"status: {status}")
    return text + f"\n```console\n$ export AWS_ACCESS_KEY_ID={AWS_KEY}\n```\n"


def problems_of(text: str, settings: LeakSettings | None = None) -> list[tuple[int, int, str, str]]:
    settings = settings or LeakSettings()
    document = read("docs/postmortems/x.md", text.encode())
    draft = "status: draft" in text
    return [
        (p.line, p.column, p.code, p.field) for p in leak_problems(document, settings, draft=draft)
    ]


def test_front_matter_and_code_block_findings_are_at_their_line_and_column() -> None:
    text = leaky()
    email_line = line_of(text, EMAIL)
    key_line = line_of(text, AWS_KEY)
    lines = text.split("\n")
    assert problems_of(text) == [
        (email_line, lines[email_line - 1].index(EMAIL) + 1, "PM602", "ai_system.inputs"),
        (key_line, lines[key_line - 1].index(AWS_KEY) + 1, "PM601", ""),
    ]


def test_the_message_masks_the_value_and_names_the_kind() -> None:
    document = read("x.md", leaky().encode())
    messages = [str(p) for p in leak_problems(document, LeakSettings(), draft=False)]
    assert "e-mail address 'd***" in messages[0]
    assert "AWS Access Key 'AKIA***" in messages[1]
    for message in messages:
        assert EMAIL not in message and AWS_KEY not in message
        assert "dana" not in message and "IOSFODNN" not in message


def test_errors_from_in_review_warnings_in_a_draft() -> None:
    settings = Settings.load()
    _, review, _ = check_document("x.md", leaky("in_review").encode(), settings)
    _, draft, _ = check_document("x.md", leaky("draft").encode(), settings)
    assert {p.severity for p in review if p.code.startswith("PM60")} == {Severity.ERROR}
    assert {p.severity for p in draft if p.code.startswith("PM60")} == {Severity.WARNING}


def test_postmortem_allow_on_the_line_in_yaml_and_in_code() -> None:
    text = leaky().replace(f"signed {EMAIL}.", f"signed {EMAIL}.  # postmortem-allow PM602")
    text = text.replace(AWS_KEY, AWS_KEY + "  # postmortem-allow PM601")
    assert problems_of(text) == []
    # Another code does not allow it.
    other = leaky().replace(f"signed {EMAIL}.", f"signed {EMAIL}.  # postmortem-allow PM603")
    assert [code for _, _, code, _ in problems_of(other)] == ["PM602", "PM601"]


def test_a_comment_alone_allows_its_section_code_blocks_included() -> None:
    text = leaky().replace(
        "\n```console", "\n## Log\n\n<!-- postmortem-allow PM601 -->\n\n```console"
    )
    assert [code for _, _, code, _ in problems_of(text)] == ["PM602"]


def test_the_baseline_lists_safe_values_and_domains() -> None:
    safe = frozenset(baseline_values(f"# example values\n{AWS_KEY}\n\n@Northwind-Mail.net\n"))
    assert problems_of(leaky(), LeakSettings(safe)) == []
    assert [c for _, _, c, _ in problems_of(leaky(), LeakSettings(frozenset({AWS_KEY})))] == [
        "PM602"
    ]


def test_the_example_archive_has_no_false_positive() -> None:
    """The count the changelog gives: zero findings on the example archive."""
    found = []
    for path in sorted((ROOT / "docs" / "postmortems").glob("*.md")):
        found += problems_of(path.read_text(encoding="utf-8"))
    assert found == []


# One sample of each detector's secrets (made up, of the right form), in a sentence.
SAMPLES = {
    "AWSKeyDetector": 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    "ArtifactoryDetector": "artifactory: AKCp8jQ8tJzZqE2jEe7wU1qv7rN4fX3k2 ",
    "AzureStorageKeyDetector": "AccountKey=" + "a1B2" * 22,
    "BasicAuthDetector": "ftp://backup:Sup3rS3cret@files.example.net/",
    "CloudantDetector": "cloudant_password='" + "0f" * 32 + "'",
    "DiscordBotTokenDetector": "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
    "GitHubTokenDetector": "ghp_" + "a1" * 18,
    "GitLabTokenDetector": "glpat-" + "x9" * 10,
    "IbmCloudIamDetector": 'ibm_cloud_iam_key = "' + "Ab3-" * 11 + '"',
    "IbmCosHmacDetector": 'cos_secret_access_key = "' + "a1" * 24 + '"',
    "JwtTokenDetector": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
    "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "MailchimpDetector": "a1" * 16 + "-us12",
    "NpmDetector": "//registry.npmjs.org/:_authToken=npm_abc",
    "OpenAIDetector": "sk-" + "A1" * 10 + "T3BlbkFJ" + "b2" * 10,
    "PrivateKeyDetector": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "PypiTokenDetector": "pypi-AgEIcHlwaS5vcmc" + "Ab1" * 24,
    "SendGridDetector": "SG." + "a" * 22 + "." + "b" * 43,
    "SlackDetector": "xoxb-123-abc",
    "SoftlayerDetector": "softlayer_api_key = " + "a1" * 32,
    "SquareOAuthDetector": "sq0csp-" + "A" * 43,
    "StripeDetector": "sk_live_" + "a1" * 12,
    "TelegramBotTokenDetector": "123456789:" + "A" * 35,
    "TwilioKeyDetector": "AC" + "a1" * 16,
}


def test_every_installed_detector_is_known_to_the_line_hints() -> None:
    """A detector of a newer detect-secrets reads the whole text until it is added to
    `HINTED_DETECTORS`, with a sample here showing the hints keep its findings."""
    from mkdocs_postmortem.validation.leaks import HINTED_DETECTORS, _secret_detectors

    installed = {type(detector).__name__ for detector in _secret_detectors()}
    assert installed == HINTED_DETECTORS == set(SAMPLES)


def test_the_line_hints_lose_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from mkdocs_postmortem.validation import leaks

    prose = "The assistant answered in plain words.\nNothing here is a key.\n"
    text = prose + "\n".join(f"Pasted: {sample} end" for sample in SAMPLES.values()) + "\n" + prose
    hinted = [(leak.kind, leak.start, leak.end) for leak in find_leaks(text)]
    monkeypatch.setattr(leaks, "HINTED_DETECTORS", frozenset())
    everything = [(leak.kind, leak.start, leak.end) for leak in find_leaks(text)]
    assert hinted == everything
    assert len({kind for kind, _, _ in hinted}) == len(SAMPLES)
