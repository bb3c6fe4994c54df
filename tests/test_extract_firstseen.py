"""FirstSeen: pass 1's compact index of record ids behaves as the dict it replaces."""

from __future__ import annotations

import random
from datetime import date

import pytest

from notereview.extract._firstseen import FirstSeen


def test_first_seen_answers_as_a_dict_does_through_many_growths():
    rng = random.Random(7)
    ids = [f"V{rng.randrange(40_000):07d}-{rng.randrange(9)}" for _ in range(60_000)]
    ids += ["", "é-visit", "visit\u2028id", "\udcff-lone-surrogate", "V0000001-1 "]
    seen, want = FirstSeen(capacity=4), {}
    for row, key in enumerate(ids, start=2):
        if key in want:
            assert key in seen and seen[key] == want[key]
        else:
            assert key not in seen
            seen[key] = want[key] = row
    assert len(seen) == len(want) and len(want) < len(ids)  # there were duplicates
    assert all(seen[k] == v for k, v in want.items())
    assert "V9999999-9" not in seen
    with pytest.raises(KeyError):
        seen["V9999999-9"]


def test_keys_that_are_not_text_and_colliding_hashes(monkeypatch: pytest.MonkeyPatch):
    seen = FirstSeen()
    key = ("C000001", date(2026, 3, 1))  # a genogram's identity
    seen[key] = 5
    assert key in seen and seen[key] == 5 and ("C000001", date(2026, 3, 2)) not in seen
    # Every id hashing alike: each is still told apart by its own bytes.
    import notereview.extract._firstseen as module

    monkeypatch.setattr(module, "hash", lambda _: 42, raising=False)
    same = FirstSeen(capacity=2)
    for row, k in enumerate(["a", "b", "c", "d", "e"]):
        same[k] = row
    assert [same[k] for k in "abcde"] == [0, 1, 2, 3, 4] and "f" not in same
