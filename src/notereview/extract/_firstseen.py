"""The row each record id was first seen at, in about 50 bytes an id where a ``dict`` of ``str``
takes about 130: pass 1 keeps one per table to quarantine duplicates exactly, and at a million
rows of a table it was the largest thing its reader held.

An open-addressing table of entry numbers (at most half full); per entry the id's hash, its
row and where its UTF-8 bytes start in one byte arena, so that a hash match is confirmed on the
id itself. Keys that are not ``str`` (a genogram's child_id and date) go to a plain dict.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable


class FirstSeen:
    """``key in seen``, ``seen[key]`` (the row first seen) and ``seen[key] = row`` (first time
    only: the caller checks ``in`` first), as ``validate_rows`` uses a dict."""

    def __init__(self, capacity: int = 1 << 12) -> None:
        size = 1
        while size < capacity:
            size <<= 1
        self._slots = array("q", bytes(8 * size))  # entry number + 1; 0: empty
        self._mask = size - 1
        self._hashes = array("q")
        self._rows = array("q")
        self._starts = array("q", [0])  # entry i's bytes: arena[starts[i]:starts[i + 1]]
        self._arena = bytearray()
        self._other: dict[Hashable, int] = {}
        # The last key ``in`` did not find, with its free slot and bytes: the usual next call
        # stores it, which then needs no second search.
        self._missed: tuple[str, int, bytes] | None = None

    def __len__(self) -> int:
        return len(self._rows) + len(self._other)

    def _find(self, key: str) -> tuple[int, int, bytes]:
        """(slot, entry or -1, the key's bytes) for a str key."""
        raw = key.encode("utf-8", "surrogatepass")
        h = hash(key)
        slots, hashes, starts, arena = self._slots, self._hashes, self._starts, self._arena
        i = h & self._mask
        while True:
            e = slots[i] - 1
            if e < 0:
                return i, -1, raw
            if hashes[e] == h and arena[starts[e] : starts[e + 1]] == raw:
                return i, e, raw
            i = (i + 1) & self._mask

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return key in self._other
        slot, e, raw = self._find(key)
        if e < 0:
            self._missed = (key, slot, raw)
            return False
        return True

    def __getitem__(self, key: Hashable) -> int:
        if not isinstance(key, str):
            return self._other[key]
        e = self._find(key)[1]
        if e < 0:
            raise KeyError(key)
        return self._rows[e]

    def __setitem__(self, key: Hashable, row: int) -> None:
        if not isinstance(key, str):
            self._other[key] = row
            return
        missed, self._missed = self._missed, None
        if missed is not None and missed[0] is key:
            _, slot, raw = missed
        else:
            slot, e, raw = self._find(key)
            if e >= 0:
                self._rows[e] = row
                return
        self._hashes.append(hash(key))
        self._rows.append(row)
        self._arena += raw
        self._starts.append(len(self._arena))
        self._slots[slot] = len(self._rows)
        if 2 * len(self._rows) > len(self._slots):
            self._grow()

    def _grow(self) -> None:
        size = 2 * len(self._slots)
        slots = array("q", bytes(8 * size))
        mask = size - 1
        for e, h in enumerate(self._hashes):
            i = h & mask
            while slots[i]:
                i = (i + 1) & mask
            slots[i] = e + 1
        self._slots, self._mask = slots, mask
