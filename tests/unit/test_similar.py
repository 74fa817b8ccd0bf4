"""Similar incidents: what is found, why, in which order, and at what cost."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from cases import draft, published

from mkdocs_postmortem import SchemaInForce, read
from mkdocs_postmortem.archive import Archive
from mkdocs_postmortem.learning import (
    MAX_CANDIDATES,
    MOST_SIMILAR,
    Reason,
    model_family,
    reason_texts,
    similar_incidents,
)

TODAY = dt.date(2026, 11, 27)


def archive_of(*texts: str) -> Archive:
    documents = [read(f"{n}.md", text.encode()) for n, text in enumerate(texts)]
    return Archive.build(documents, SchemaInForce.load(), TODAY)


def case(incident_id: str, modes: str, layers: list[str], system: str = "", extra: str = "") -> str:
    factors = "".join(
        f"  - layer: {layer}\n    description: Cause {n}.\n" for n, layer in enumerate(layers)
    )
    text = f"failure_modes: [{modes}]\ncontributing_factors:\n{factors}" if layers else ""
    text += f"ai_system:\n  name: {system}\n" if system else ""
    return draft(incident_id, text + extra)


def ids(archive: Archive, incident_id: str) -> list[str]:
    return [other.id for other, _ in archive.similar_of(archive.by_id[incident_id])]


def test_shared_failure_mode_layer_and_system_with_reasons() -> None:
    archive = archive_of(
        case("A-0001", "hallucination", ["guardrail"], "Support bot"),
        case("A-0002", "hallucination", ["guardrail"], "Support bot"),
        case("A-0003", "prompt_injection", ["model"], "Other bot")
        .replace("A case", "Unlike")
        .replace("A short summary.", "Different words.")
        .replace("Cause 0.", "Elsewhere."),
    )
    found = archive.similar_of(archive.by_id["A-0001"])
    assert [other.id for other, _ in found] == ["A-0002"]
    texts = reason_texts(found[0][1].reasons, archive.label)
    assert texts[:3] == [
        "same failure mode: Hallucination",
        "same AI system",
        "same layer: Guardrail",
    ]
    assert "similar text" in texts  # the same title, summary and factor texts
    assert 0 < found[0][1].score <= 1
    assert ids(archive, "A-0003") == []  # shares nothing worth showing


def test_related_either_way_is_left_out() -> None:
    archive = archive_of(
        case("A-0001", "hallucination", ["guardrail"], "Bot", "related: [A-0002]\n"),
        case("A-0002", "hallucination", ["guardrail"], "Bot"),
        case("A-0003", "hallucination", ["guardrail"], "Bot"),
    )
    assert ids(archive, "A-0001") == ["A-0003"]
    assert ids(archive, "A-0002") == ["A-0003"]  # A-0001 names it: shown as related
    assert ids(archive, "A-0003") == ["A-0001", "A-0002"]  # equal scores: by id


def test_at_most_five_the_most_similar_first() -> None:
    texts = [case(f"A-{n:04d}", "hallucination", ["guardrail"], "Bot") for n in range(1, 9)]
    texts.append(case("B-0001", "hallucination", ["guardrail", "model"], "Bot"))
    archive = archive_of(*texts)
    found = archive.similar_of(archive.by_id["A-0001"])
    assert len(found) == MOST_SIMILAR
    scores = [entry.score for _, entry in found]
    assert scores == sorted(scores, reverse=True)
    assert [other.id for other, _ in found] == ["A-0002", "A-0003", "A-0004", "A-0005", "A-0006"]


def test_model_family_drops_provider_and_version() -> None:
    assert model_family("openai/gpt-4o-2024-08-06") == "gpt-4o"
    assert model_family("gpt-3.5-turbo-0613") == "gpt-3.5-turbo"
    assert model_family("claude-3-5-sonnet-20241022") == "claude-3-5-sonnet"
    assert model_family("Llama-3.1@latest") == "llama"
    assert model_family("gpt-4") == "gpt-4"


def test_reason_texts_group_by_kind_with_labels() -> None:
    archive = archive_of()
    reasons = (
        Reason("failure_mode", "prompt_injection"),
        Reason("taxonomy", "owasp_llm:LLM01:2025"),
        Reason("model_family", "gpt-4o"),
        Reason("layer", "guardrail"),
        Reason("layer", "human_oversight"),
        Reason("text"),
    )
    assert reason_texts(reasons, archive.label) == [
        "same failure mode: Prompt injection",
        "same taxonomy entry: LLM01:2025",
        "same model family: gpt-4o",
        "same layers: Guardrail, Human oversight",
        "similar text",
    ]


def synthetic(count: int) -> Archive:
    """Published postmortems that share every layer, system and model: the worst case
    for candidates; failure modes and words vary."""
    modes = ["hallucination", "prompt_injection", "retrieval_failure", "bias", "jailbreak"]
    texts = [
        published(
            f"S-{n:05d}",
            "[hallucination, retrieval_failure]",
            f"[{modes[n % 5]}]",
        ).replace("About 40 customers", f"About {n} customers, case w{n % 37}")
        for n in range(count)
    ]
    return archive_of(*texts)


def test_pairs_compared_grow_linearly() -> None:
    for count in (60, 240):
        archive = synthetic(count)
        result, compared = similar_incidents(archive.incidents)
        assert compared <= MAX_CANDIDATES * count
        assert compared > count  # it does compare
        assert all(len(found) == MOST_SIMILAR for found in result.values())


def test_similar_incidents_are_found_on_demand_and_kept_when_pickled() -> None:
    archive = synthetic(12)
    assert archive.similar is None  # a check alone never pays for them
    archive.find_similar()
    copy = pickle.loads(pickle.dumps(archive))
    assert copy.similar == archive.similar
    assert copy.similar


_PRINT = """
import datetime as dt, json, sys
sys.path.insert(0, {tests!r})
from test_similar import synthetic
archive = synthetic(80)
archive.find_similar()
print(json.dumps({{k: [[s.id, s.score, [[r.kind, r.value] for r in s.reasons]] for s in v]
                  for k, v in archive.similar.items()}}, sort_keys=True))
"""


def test_same_result_under_any_hash_seed() -> None:
    tests = str(Path(__file__).parent)
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(tests).parent)}
        done = subprocess.run(
            [sys.executable, "-c", _PRINT.format(tests=tests)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert any(json.loads(outputs[0]).values())
