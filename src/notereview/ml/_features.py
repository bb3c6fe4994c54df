"""Feature strings for the text classifiers: the text with the child's name masked, followed by
tags from the rules' annotation (who speaks, the rules' voice, ConText qualifiers, cue kinds).

The rules' outputs are features, not labels: the model learns when to trust them. Names are
masked so that a model never learns a child's name; nothing here logs or raises with text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notereview.nlp import AnnotatedText, SentenceAnnotation

CHILD_TOKEN = "thechild"
_TAG_SAFE = re.compile(r"[^a-z0-9]+")


def _tag(prefix: str, value: str) -> str:
    return f"zz{prefix}{_TAG_SAFE.sub('', value.lower())}"


def mask_name(text: str, child_name: str | None) -> str:
    if not child_name or len(child_name) < 2:
        return text
    return re.sub(rf"\b{re.escape(child_name)}(?:'s|’s)?\b", CHILD_TOKEN, text, flags=re.I)


def age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age < 3:
        return "under3"
    if age < 8:
        return "3to7"
    if age < 13:
        return "8to12"
    return "13plus"


def sentence_features(
    text: str, sentence: SentenceAnnotation, child_name: str | None, age: int | None
) -> str:
    """One sentence of a visit record, for the voice classifier."""
    body = mask_name(text[sentence.start : sentence.end], child_name)
    tags = [
        _tag("spk", sentence.speaker),
        _tag("rv", sentence.voice),
        _tag("age", age_band(age)),
    ]
    tags += [_tag("q", q) for q in sorted(sentence.qualifiers)]
    tags += sorted({_tag("cue", c.kind.split(":", 1)[0]) for c in sentence.cues})
    if any(ch in body for ch in "\"“”'‘’"):
        tags.append("zzquote")
    return body + " " + " ".join(tags)


def record_features(
    text: str, annotated: AnnotatedText | None, child_name: str | None, extra: tuple[str, ...] = ()
) -> str:
    """A whole record (visit, chronology entry, supervision), for the analysis classifiers."""
    body = mask_name(text, child_name)
    tags = list(extra)
    if annotated is not None:
        kinds = [c.kind.split(":", 1)[0] for c in annotated.cues]
        for s in annotated.sentences:
            kinds += [c.kind.split(":", 1)[0] for c in s.cues]
            if not ({"hypothetical", "negated"} & s.qualifiers):
                kinds += [f"live{c.kind.split(':', 1)[0]}" for c in s.cues]
        tags += sorted({_tag("cue", k) for k in kinds})
        tags.append(_tag("rv", annotated.voice))
        n = len(annotated.sentences)
        tags.append(_tag("len", "long" if n > 12 else "mid" if n > 5 else "short"))
    return body + " " + " ".join(tags)


def action_features(
    text: str,
    annotated: AnnotatedText | None,
    owner_column: bool,
    due_column: bool,
    rule_parts: dict[str, bool],
) -> str:
    """A plan action, for the SMART classifiers: its text, whether the owner / due-date columns
    are filled, the rules' verdict on each part and the cue kinds found."""
    extra = ["zzownercol" if owner_column else "zznoownercol"]
    extra.append("zzduecol" if due_column else "zznoduecol")
    extra += [_tag("rule", k + ("yes" if v else "no")) for k, v in sorted(rule_parts.items())]
    return record_features(text, annotated, None, tuple(extra))
