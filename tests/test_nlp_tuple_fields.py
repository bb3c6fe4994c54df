"""The reader and the matcher build Span, Cue and SentenceAnnotation with ``tuple.__new__`` from
every field in order (a named tuple's own ``__new__`` is a Python function, slow to call from
the compiled modules): a field added, removed or moved must be added there too."""

from notereview.nlp._model import Cue, SentenceAnnotation, Span


def test_tuples_built_from_every_field_have_those_fields() -> None:
    assert Span._fields == ("start", "end", "rule")
    assert Cue._fields == ("kind", "start", "end", "rule", "qualifiers")
    assert SentenceAnnotation._fields == (
        "start", "end", "speaker", "voice", "qualifiers", "cues", "voice_cue",
    )  # fmt: skip
