"""Exports that others read: the EU AI Act Art. 73 report of a serious incident, an AI
Incident Database submission record, a MITRE ATLAS case study, an Atom feed of the
published postmortems and an iCalendar file of the open action items' due dates.

What the Art. 73 report and the AIID record hold comes from mappings in data
(`mappings/*.json`), each field naming one of the `sources` of an incident, so that a
changed template is an edited file. Output is deterministic: every date comes from the
postmortems, none from the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urljoin
from xml.etree import ElementTree

from ..archive import Archive, Incident
from ..catalogs import catalog
from ..validation.dates import parse_moment

ATOM_NS = "http://www.w3.org/2005/Atom"
STATE_LABELS = {
    "due": "Report due",
    "overdue": "Overdue: no report recorded",
    "initial": "Initial report submitted",
    "complete": "Complete report submitted",
}


@dataclass(frozen=True)
class Publisher:
    """Who publishes the archive, for the exports that name them: the organisation
    (provider, deployer) and the site's address, which makes links absolute."""

    organisation: str = ""
    site_url: str = ""
    site_name: str = ""

    def absolute(self, url: str) -> str:
        """A URL from the site's root, made absolute with `site_url`."""
        return urljoin(self.site_url, url) if self.site_url else url


@cache
def mapping(name: str) -> dict[str, Any]:
    """A mapping file shipped in `mappings/` (`art73-report`, `aiid-submission`)."""
    text = (resources.files("mkdocs_postmortem") / "mappings" / f"{name}.json").read_text(
        encoding="utf-8"
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def sources(
    incident: Incident, archive: Archive, url: str, absolute_url: str, publisher: Publisher
) -> dict[str, Any]:
    """Every value a mapping may name, for one incident; `url` is its page's link from
    where the export is published, `absolute_url` the link others follow (absolute
    with the site's `site_url`). Values are text, numbers,
    booleans, lists of text, or lists of mappings (action items); "" or [] where the
    postmortem says nothing."""
    label = archive.label
    clock = incident.eu_ai_act
    providers = list(dict.fromkeys(m.provider for m in incident.models if m.provider))
    organisation = publisher.organisation or publisher.site_name
    system = incident.system or (incident.models[0].name if incident.models else "")
    implicated = [incident.system] if incident.system else []
    implicated += [m.label for m in incident.models if m.label not in implicated]
    text_parts = [incident.summary, incident.impact, incident.attribution]
    return {
        "organisation": organisation,
        "organisation_list": [organisation] if organisation else [],
        "incident.id": incident.id,
        "incident.title": incident.title,
        "incident.url": url,
        "incident.absolute_url": absolute_url,
        "incident.summary": incident.summary,
        "incident.text": "\n\n".join(part for part in text_parts if part),
        "incident.occurred": incident.occurred,
        "incident.occurred_day": _day(incident.occurred),
        "incident.resolved_day": _day(incident.resolved),
        "incident.severity": label(incident.severity, "severity") if incident.severity else "",
        "ai_system.name": incident.system,
        "ai_system.models": [_model_text(m.label, m.provider) for m in incident.models],
        "ai_system.providers": providers or ([organisation] if organisation else []),
        "ai_system.implicated": implicated,
        "ai_system.human_oversight": (
            label(incident.human_oversight, "human_oversight") if incident.human_oversight else ""
        ),
        "impact.description": incident.impact,
        "impact.users_affected": incident.users_affected,
        "impact.harm_types": [label(h, "harm_type") for h in incident.harm_types],
        "impact.harmed_parties": [f"Users of {system}"] if system else [],
        "attribution": incident.attribution,
        "contributing_factors": [
            f"{label(f.layer, 'factor_layer')}: {f.description}" for f in incident.factors
        ],
        "timeline": [f"{e.at}: {e.event}" for e in incident.timeline],
        "action_items": [
            {
                "id": item.id,
                "title": item.title,
                "category": label(item.category, "action_category"),
                "status": label(item.status, "action_status"),
                "owner": item.owner,
                "due": item.due,
            }
            for item in incident.action_items
        ],
        "no_action_rationale": incident.no_action_rationale,
        "failure_modes": [label(m, "failure_mode") for m in incident.failure_modes],
        "tags_and_failure_modes": list(
            dict.fromkeys(
                [*incident.tags, *(label(m, "failure_mode") for m in incident.failure_modes)]
            )
        ),
        "taxonomy.aiid": [n for n in incident.taxonomy.get("aiid", []) if isinstance(n, int)],
        "eu_ai_act.category": (
            label(clock.category, "eu_ai_act_category") if clock and clock.category else ""
        ),
        "eu_ai_act.widespread_infringement": clock.widespread if clock else False,
        "eu_ai_act.aware": clock.aware if clock else "",
        "eu_ai_act.due": clock.due_text if clock else "",
        "eu_ai_act.initial_report": clock.initial_report if clock else "",
        "eu_ai_act.complete_report": clock.complete_report if clock else "",
        "eu_ai_act.authority": clock.authority if clock else "",
        "eu_ai_act.state": STATE_LABELS.get(incident.eu_ai_act_state, ""),
    }


def _model_text(label: str, provider: str) -> str:
    return f"{label}, {provider}" if provider else label


def _day(moment: str) -> str:
    parsed = parse_moment(moment)
    return parsed.day.isoformat() if parsed is not None else ""


# The Art. 73 report


def art73_report(values: dict[str, Any]) -> dict[str, Any]:
    """The report as data: the mapping's sections with each field's label and value."""
    spec = mapping("art73-report")
    return {
        "format": spec["format"],
        "version": spec["version"],
        "incident": values["incident.id"],
        "url": values["incident.url"],
        "sections": [
            {
                "title": section["title"],
                "fields": [
                    {"key": f["key"], "label": f["label"], "value": values.get(f["from"], "")}
                    for f in section["fields"]
                ],
            }
            for section in spec["sections"]
        ],
    }


# AI Incident Database


def aiid_record(values: dict[str, Any]) -> dict[str, Any]:
    """An AIID submission record, field by field as `mappings/aiid-submission.json`
    says; a text over the form's `max` is cut there, with an ellipsis."""
    spec = mapping("aiid-submission")
    record: dict[str, Any] = {}
    for entry in spec["fields"]:
        value = entry["value"] if "value" in entry else values.get(entry["from"], "")
        if isinstance(value, str) and "max" in entry and len(value) > entry["max"]:
            value = value[: entry["max"] - 1].rstrip() + "…"
        record[entry["key"]] = value
    return {"format": spec["format"], "version": spec["version"], "submission": record}


# MITRE ATLAS


def atlas_case_study(incident: Incident, publisher: Publisher, absolute_url: str) -> dict[str, Any]:
    """A case study in the form of ATLAS's website case-study schema. Procedure steps
    are the timeline entries that name a technique (`atlas`), each under the technique's
    first tactic; without any, one step per `taxonomy.mitre_atlas` id, described by the
    summary."""
    atlas = catalog("mitre_atlas")
    steps: list[dict[str, str]] = []
    for entry in incident.timeline:
        technique = atlas.get(entry.atlas) if entry.atlas else None
        tactic = _tactic(technique.id) if technique is not None else ""
        if technique is not None and tactic:
            steps.append({"tactic": tactic, "technique": technique.id, "description": entry.event})
    if not steps:
        for technique_id in incident.taxonomy.get("mitre_atlas", []):
            technique = atlas.get(technique_id)
            tactic = _tactic(technique.id) if technique is not None else ""
            if technique is not None and tactic:
                steps.append(
                    {"tactic": tactic, "technique": technique.id, "description": incident.summary}
                )
    occurred = parse_moment(incident.occurred)
    study: dict[str, Any] = {
        "name": incident.title,
        "summary": incident.summary,
        "incident-date": occurred.day.isoformat() if occurred else incident.occurred,
        "incident-date-granularity": "DATE",
        "procedure": steps,
        "case-study-type": "incident",
        "target": incident.system or ", ".join(m.label for m in incident.models),
        "references": [{"title": incident.title, "url": absolute_url}],
    }
    reporter = publisher.organisation or publisher.site_name
    if reporter:
        study["reporter"] = reporter
    return {
        "meta": {"format": "mkdocs-postmortem/atlas-case-study", "id": incident.id},
        "study": study,
    }


def atlas_steps_possible(incident: Incident) -> bool:
    """Whether the incident names an ATLAS technique, in its taxonomy or timeline."""
    atlas = catalog("mitre_atlas")
    named = [*incident.taxonomy.get("mitre_atlas", []), *(e.atlas for e in incident.timeline)]
    return any(atlas.get(value) is not None and _tactic(str(value)) for value in named)


@cache
def _tactics_of() -> dict[str, str]:
    """Each technique's first tactic; a sub-technique's is its technique's."""
    text = (resources.files("mkdocs_postmortem") / "catalogs" / "mitre-atlas-5.6.0.json").read_text(
        encoding="utf-8"
    )
    data = json.loads(text)
    first: dict[str, str] = {}
    parents: dict[str, str] = {}
    for technique in data["techniques"]:
        if technique.get("tactics"):
            first[technique["id"]] = technique["tactics"][0]
        if technique.get("subtechnique_of"):
            parents[technique["id"]] = technique["subtechnique_of"]
    for child, parent in parents.items():
        if child not in first and parent in first:
            first[child] = first[parent]
    return first


def _tactic(technique_id: str) -> str:
    return _tactics_of().get(technique_id, "")


# Atom feed


def atom_feed(
    incidents: list[tuple[Incident, str]], publisher: Publisher, feed_url: str, index_url: str
) -> str:
    """An Atom feed (RFC 4287) of published postmortems, newest first, each with its
    page's link; every URL given absolute (see `Publisher.absolute`). `updated` is each
    postmortem's latest date (resolved, else occurred), and the feed's the newest of
    them: the same archive gives the same bytes."""
    ElementTree.register_namespace("", ATOM_NS)
    feed = ElementTree.Element(f"{{{ATOM_NS}}}feed")
    title = publisher.site_name or "Postmortems"
    _sub(feed, "title", f"{title}: postmortems")
    _sub(feed, "id", index_url if publisher.site_url else f"urn:mkdocs-postmortem:{quote(title)}")
    _sub(feed, "updated", max((_updated(i) for i, _ in incidents), default=_EPOCH))
    _link(feed, feed_url, "self")
    _link(feed, index_url, "alternate")
    author = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}author")
    _sub(author, "name", publisher.organisation or title)
    _sub(feed, "generator", "mkdocs-postmortem")
    for incident, url in incidents:
        entry = ElementTree.SubElement(feed, f"{{{ATOM_NS}}}entry")
        _sub(entry, "title", f"{incident.id}: {incident.title}")
        _sub(entry, "id", f"urn:mkdocs-postmortem:incident:{quote(incident.id)}")
        _sub(entry, "updated", _updated(incident))
        published = _instant(incident.occurred)
        if published:
            _sub(entry, "published", published)
        _link(entry, url, "alternate")
        _sub(entry, "summary", incident.summary)
        for mode in incident.failure_modes:
            category = ElementTree.SubElement(entry, f"{{{ATOM_NS}}}category")
            category.set("term", _exportable_text(mode))
    ElementTree.indent(feed)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + ElementTree.tostring(feed, encoding="unicode")
        + "\n"
    )


_EPOCH = "1970-01-01T00:00:00Z"


def _updated(incident: Incident) -> str:
    return _instant(incident.resolved) or _instant(incident.occurred) or _EPOCH


def _instant(moment: str) -> str:
    """An RFC 3339 date-time in UTC, as Atom needs; a bare day as its midnight."""
    parsed = parse_moment(moment)
    if parsed is None:
        return ""
    instant = parsed.instant or dt.datetime.combine(parsed.day, dt.time(), dt.timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ElementTree.Element, name: str, text: str) -> None:
    ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{name}").text = _exportable_text(text)


# What XML 1.0 cannot hold at all, even escaped (most C0 controls, lone surrogates and
# the two non-characters), and what an iCalendar TEXT value may not hold (RFC 5545
# 3.3.11: the controls and DEL, which XML 1.0 also discourages); YAML's "\x1b" or
# "\ud800" escapes can put them in a title. Tab, line feed and carriage return stay:
# both formats carry them (iCalendar escapes a line break as "\\n").
_NOT_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _exportable_text(text: str) -> str:
    """`text` with each character that XML or an iCalendar TEXT value cannot hold as
    U+FFFD, so the feed stays XML and the calendar RFC 5545."""
    return _NOT_TEXT_RE.sub("\ufffd", text)


def _link(parent: ElementTree.Element, href: str, rel: str) -> None:
    link = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}link")
    link.set("rel", rel)
    link.set("href", _exportable_text(href))


# iCalendar


def action_calendar(archive: Archive, publisher: Publisher, item_url: Any) -> str:
    """An iCalendar file (RFC 5545) with an all-day event on the due date of each open
    action item. `DTSTAMP`, which the standard requires, is the postmortem's latest
    date, not the build's clock, so that the same archive gives the same bytes.

    Written here rather than with a library: its few properties need only TEXT
    escaping and line folding, and `icalendar` took 1.3 s for 1,000 events, a third
    of all the archive's files. The properties come in `icalendar`'s order, and the
    tests check the bytes against it."""
    name = _exportable_text(publisher.site_name or "Postmortems")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//mkdocs-postmortem//action items//EN",
        f"X-WR-CALNAME:{_ical_text(f'{name}: action items')}",
    ]
    for item in archive.action_items:
        due = parse_moment(item.due)
        if item.finished or due is None:
            continue
        owner = f"Owner: {item.owner}\n" if item.owner else ""
        description = f"{owner}Status: {item.status}\n{item.incident.title}"
        stamp = _stamp(item.incident)
        lines += [
            "BEGIN:VEVENT",
            f"SUMMARY:{_ical_text(f'Due: {item.key} {item.title}')}",
            f"DTSTART;VALUE=DATE:{_ical_date(due.day)}",
        ]
        if due.day < dt.date.max:  # the calendar's last day has no next: an event of
            # one day without an end lasts that day anyway (RFC 5545 3.6.1)
            lines.append(f"DTEND;VALUE=DATE:{_ical_date(due.day + dt.timedelta(days=1))}")
        lines += [
            f"DTSTAMP:{_ical_date(stamp)}T{stamp:%H%M%S}Z",
            f"UID:{_ical_text(f'{item.key}@mkdocs-postmortem')}",
        ]
        if item.category:
            lines.append(f"CATEGORIES:{_ical_text(item.category)}")
        lines += [
            f"DESCRIPTION:{_ical_text(description)}",
            f"URL:{_exportable_text(item_url(item))}",  # a URI: not escaped as text
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_folded(line) + "\r\n" for line in lines)


def _ical_text(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, and
    each line break (CRLF, LF or a lone CR) as `\\n`."""
    text = _exportable_text(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _ical_date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _folded(line: str, limit: int = 75) -> str:
    """The content line folded as RFC 5545 3.1 asks: lines under `limit` octets, a
    character never split, and never after an escaping backslash, as `icalendar`
    folds them."""
    if len(line) < limit and line.isascii():
        return line
    folded: list[str] = []
    current: list[str] = []
    octets = 0
    for char in line:
        size = len(char.encode("utf-8"))
        if current and octets + size >= limit:
            # A backslash stays with the character it escapes (and a caret, as
            # `icalendar` keeps RFC 6868's escapes whole).
            carried = [current.pop()] if len(current) > 1 and current[-1] in "\\^" else []
            folded.append("".join(current))
            current = carried
            octets = sum(len(c.encode("utf-8")) for c in carried)
        current.append(char)
        octets += size
    folded.append("".join(current))
    return "\r\n ".join(folded)


def _stamp(incident: Incident) -> dt.datetime:
    moment = parse_moment(incident.resolved) or parse_moment(incident.occurred)
    if moment is None:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return moment.instant or dt.datetime.combine(moment.day, dt.time(), dt.timezone.utc)
