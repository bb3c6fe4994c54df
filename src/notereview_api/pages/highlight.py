"""Evidence marked inside the record text: escape the text, wrap each quoted span in <mark>.

Pure functions over plain values. Offsets come from the store (evidence items carry table,
record_id, start, end into the record text); a span whose offsets do not match its quote is
looked up by the quote instead, and dropped if the quote is not in the text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape


@dataclass(frozen=True, slots=True)
class Span:
    """One piece of evidence located in one record's text."""

    start: int
    end: int
    label: str  # e.g. "C1" (the criterion), shown beside the mark
    why: str  # plain words: why this span counts
    anchor: str  # the element id the findings list links to


@dataclass(frozen=True, slots=True)
class MarkedText:
    html: Markup
    spans: tuple[Span, ...]  # the spans that were placed


def locate(text: str, start: Any, end: Any, quote: str | None) -> tuple[int, int] | None:
    """Where an evidence item sits in ``text``: its offsets when they hold its quote (or when
    it has no quote), else the first place the quote occurs; None when it is not there."""
    try:
        s, e = int(start), int(end)
    except (TypeError, ValueError):
        s, e = -1, -1
    if 0 <= s < e <= len(text) and (not quote or text[s:e] == quote):
        return s, e
    if quote:
        found = text.find(quote)
        if found >= 0:
            return found, found + len(quote)
    return None


def mark_text(text: str, spans: Sequence[Span]) -> MarkedText:
    """``text`` as HTML with every span wrapped in ``<mark>``. Overlapping spans are split at
    their boundaries: each piece is marked once, titled with every criterion covering it; the
    first piece of each span carries the span's anchor id (so a link can jump to it)."""
    good = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    if not good:
        return MarkedText(Markup(escape(text)), ())
    cuts = sorted({0, len(text), *(s.start for s in good), *(s.end for s in good)})
    anchored: set[str] = set()
    out: list[str] = []
    for left, right in itertools.pairwise(cuts):
        piece = escape(text[left:right])
        covering = [s for s in good if s.start <= left and right <= s.end]
        if not covering:
            out.append(str(piece))
            continue
        labels = sorted({s.label for s in covering})
        title = "; ".join(dict.fromkeys(f"{s.label}: {s.why}" for s in covering))
        ids = [s.anchor for s in covering if s.start == left and s.anchor not in anchored]
        anchored.update(ids)
        id_attr = f' id="{escape(ids[0])}"' if ids else ""
        extra = "".join(f'<span class="anchor" id="{escape(i)}"></span>' for i in ids[1:])
        out.append(
            f'{extra}<mark{id_attr} class="evidence" title="{escape(title)}" '
            f'data-criteria="{escape(" ".join(labels))}">{piece}</mark>'
        )
    return MarkedText(Markup("".join(out)), tuple(good))


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """An evidence item as the findings list shows it, with where its mark is (if placed)."""

    criterion: str
    table: str
    record_id: str
    quote: str
    why: str
    source: str
    anchor: str | None  # None: not found in any record text (the quote is shown on its own)


def place_evidence(
    findings: Iterable[tuple[str, Sequence[Mapping[str, Any]]]],
    texts: Mapping[tuple[str, str], str],
) -> tuple[dict[tuple[str, str], list[Span]], dict[str, list[EvidenceRef]]]:
    """Spans per record and evidence per criterion, from (criterion, evidence items) pairs
    and the record texts keyed by (table, record_id)."""
    spans: dict[tuple[str, str], list[Span]] = {}
    refs: dict[str, list[EvidenceRef]] = {}
    counter = 0
    for criterion, items in findings:
        for item in items:
            if not isinstance(item, Mapping):
                continue
            key = (str(item.get("table", "")), str(item.get("record_id", "")))
            quote = str(item.get("quote") or "")
            why = str(item.get("why") or "")
            anchor = None
            text = texts.get(key)
            if text is not None and quote:
                where = locate(text, item.get("start"), item.get("end"), quote)
                if where is not None:
                    counter += 1
                    anchor = f"ev-{counter}"
                    spans.setdefault(key, []).append(
                        Span(where[0], where[1], criterion, why, anchor)
                    )
            refs.setdefault(criterion, []).append(
                EvidenceRef(
                    criterion=criterion,
                    table=key[0],
                    record_id=key[1],
                    quote=quote,
                    why=why,
                    source=str(item.get("source") or ""),
                    anchor=anchor,
                )
            )
    return spans, refs
