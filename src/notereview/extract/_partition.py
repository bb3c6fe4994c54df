"""Pass 1 of a batch run: the rules of ``read_extract`` without holding the extract.

Every table is read row by row (:mod:`notereview.extract._stream`), each row validated with the
ingest's own per-row functions, and the accepted text-bearing records spilled to one file per
chunk of children and table on disk. The text tables are independent of each other once
children and plans are read, so they can be read in parallel (:func:`ingest_table`, one job a
table). Children and plans (small, no text) stay in memory. After pass 1 the as-of date is
known; children and plans get their cross-table checks here, every other table gets them chunk
by chunk in the workers (:func:`assemble_chunk`). The quarantine, the counts and the case files
come out exactly as ``read_extract`` makes them: rows read = rows scored + rows quarantined,
for every table.

A chunk is a run of consecutive child ids (sorted), so chunk order is child_id order.
"""

from __future__ import annotations

import bisect
import pickle
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from notereview.casefile import CaseFile, Child, Plan, PlanAction
from notereview.errors import ExtractError
from notereview.extract._annexa import AnnexA
from notereview.extract._columns import locate_tables, missing_table, table_notes
from notereview.extract._crosscheck import (
    CHILD_TABLES,
    TablePass,
    cross_check,
    first_quarantined,
    group_by_child,
    id_of,
    refresh_quality_notes,
    settle_plan_types,
)
from notereview.extract._firstseen import FirstSeen
from notereview.extract._ingest import children_from_annex, validate_rows
from notereview.extract._mapping import ColumnMapping
from notereview.extract._model import QuarantinedRow, TableCount
from notereview.extract._readers import ExtractContainer
from notereview.extract._schema import AS_OF_COLUMNS, CONTRACT_TABLES, REQUIRED_TABLES
from notereview.extract._stream import open_table_stream
from notereview.extract._validate import Record, RowRules, check_as_of

TEXT_TABLES: tuple[str, ...] = (
    "visits", "case_summaries", "plan_actions", "chronology", "genograms", "supervision",
)  # fmt: skip
# A chunk's buffer is written out at 1 MB of text; all buffers together at 8 MB. Those are the
# estimate ChunkSpill.add keeps (text plus 200 bytes a record); the records' real footprint is
# about three times that. At 64 MB a reader of a million-row table peaked near 400 MB; at 8 MB
# near 270 MB, and no slower (python -m bench.pass1_memory EXTRACT --spill-total-mb 64,8).
_SPILL_FLUSH_BYTES = 1 << 20
_SPILL_TOTAL_BYTES = 8 << 20


# ------------------------------------------------------------------ spilling chunks to disk


class ChunkSpill:
    """One table's accepted records appended to one file per chunk, buffered, pickled in
    batches (``chunk-NNNNNN.<table>.spill``; tables are spilled in parallel, one writer each)."""

    def __init__(self, folder: Path, n_chunks: int, table: str) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.n_chunks = n_chunks
        self.table = table
        self._buffers: dict[int, list[tuple[str, int, Record]]] = defaultdict(list)
        self._sizes: dict[int, int] = defaultdict(int)
        self._total = 0

    def path(self, chunk: int) -> Path:
        return spill_path(self.folder, chunk, self.table)

    def add(self, chunk: int, row_number: int, record: Record) -> None:
        self._buffers[chunk].append((self.table, row_number, record))
        size = 200 + len(getattr(record, "text", "") or "")
        self._sizes[chunk] += size
        self._total += size
        if self._sizes[chunk] >= _SPILL_FLUSH_BYTES:
            self._flush(chunk)
        elif self._total >= _SPILL_TOTAL_BYTES:
            for c in sorted(self._buffers, key=lambda k: -self._sizes[k])[
                : max(1, len(self._buffers) // 2)
            ]:
                self._flush(c)

    def _flush(self, chunk: int) -> None:
        batch = self._buffers.pop(chunk, None)
        if not batch:
            return
        with self.path(chunk).open("ab") as fh:
            pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._total -= self._sizes.pop(chunk, 0)

    def close(self) -> None:
        for chunk in list(self._buffers):
            self._flush(chunk)


def spill_path(folder: Path, chunk: int, table: str) -> Path:
    return folder / f"chunk-{chunk:06d}.{table}.spill"


def read_spill(path: Path) -> Iterator[tuple[str, int, Record]]:
    if not path.exists():
        return
    with path.open("rb") as fh:
        while True:
            try:
                batch = pickle.load(fh)
            except EOFError:
                return
            yield from batch


# ------------------------------------------------------------------ pass 1


@dataclass
class ChunkTask:
    """What one worker needs to assemble and score one chunk of case files."""

    index: int
    children: list[Child]
    plans: list[Plan]
    spills: list[Path]  # the chunk's spill file of each text table that has records in it


@dataclass
class Partitioned:
    """The extract after pass 1 and the children's and plans' cross-table checks."""

    as_of: date
    tables_absent: list[str]
    notes: dict[str, Any]
    read: dict[str, int]
    quarantine: list[QuarantinedRow]  # so far: every table's parse failures, children, plans
    accepted: dict[str, int]  # children and plans accepted so far
    children_q: dict[str, int]
    plans_q: dict[str, int]
    tasks: list[ChunkTask] = field(default_factory=list)
    children_total: int = 0
    annex_a: AnnexA | None = None
    children_findings: list[dict[str, Any]] = field(default_factory=list)


def auto_chunk(children: int) -> int:
    """Children per chunk when not given: about 16 chunks for a small extract (so that every
    core has work to the end), at most 200 (so that a chunk's memory stays small)."""
    return max(10, min(200, -(-children // 16)))


def _chunk_bounds(child_ids: list[str], chunk_children: int) -> list[str]:
    ids = sorted(set(child_ids))
    return [ids[i] for i in range(0, len(ids), chunk_children)] or [""]


def _chunk_of(bounds: list[str], child_id: str) -> int:
    return max(bisect.bisect_right(bounds, child_id) - 1, 0)


#: Runs ``ingest_table`` over the text tables' jobs and yields the results in the jobs' order
#: (a process pool's ``imap``, or the built-in ``map`` to read them one after another here).
TableMap = Callable[
    [Callable[["TableJob"], "TableResult"], list["TableJob"]], Iterable["TableResult"]
]


@dataclass(frozen=True)
class TableJob:
    """One text table of pass 1: everything :func:`ingest_table` needs, picklable."""

    path: str
    table: str
    file_name: str
    mapping: ColumnMapping
    rules: RowRules
    bounds: list[str]
    plan_child: dict[str, str]  # plan_id -> child_id: routes plan actions (empty otherwise)
    spill_dir: Path


@dataclass
class TableResult:
    """What pass 1 made of one text table (its accepted records are in the spill files)."""

    table: str
    read: int
    quarantined: list[QuarantinedRow]
    notes: dict[str, Any]
    newest: date | None  # the latest as-of date column seen in an accepted row
    unrouted: list[tuple[int, PlanAction]]  # plan actions whose plan_id is not a valid plan
    spilled_chunks: list[int]


def ingest_table(job: TableJob) -> TableResult:
    """Pass 1 for one text table: validate its rows and spill the accepted ones per chunk. The
    text tables are independent of each other, so a pool runs them in parallel."""
    table = job.table
    spill = ChunkSpill(job.spill_dir, len(job.bounds), table)
    newest: date | None = None
    unrouted: list[tuple[int, PlanAction]] = []
    chunks: set[int] = set()
    tp = TablePass(table)
    with ExtractContainer(job.path) as box:
        st, column_of, rows = open_table_stream(box, table, job.file_name, job.mapping)
        first_seen = FirstSeen()  # a dict of the ids would be the reader's largest holding
        columns = AS_OF_COLUMNS.get(table, ())
        for row in rows:
            one = validate_rows(table, (row,), job.rules, tp, first_seen)
            if not one.accepted:
                continue
            row_number, record = one.accepted.pop()
            for column in columns:
                value = getattr(record, column)
                if value is not None and (newest is None or value > newest):
                    newest = value
            if table == "plan_actions":
                owner = job.plan_child.get(record.plan_id)  # type: ignore[union-attr]
                if owner is None:
                    unrouted.append((row_number, record))  # type: ignore[arg-type]
                    continue
            else:
                owner = record.child_id  # type: ignore[union-attr]
            chunk = _chunk_of(job.bounds, owner)
            spill.add(chunk, row_number, record)
            chunks.add(chunk)
        del first_seen
        spill.close()
        notes = table_notes(st, column_of, tp, st.extra_of())
    return TableResult(table, tp.read, tp.quarantined, notes, newest, unrouted, sorted(chunks))


def partition_extract(
    path: str | Path,
    spill_dir: Path,
    *,
    mapping: ColumnMapping | None = None,
    as_of: date | None = None,
    max_text_chars: int = 100_000,
    chunk_children: int | None = 200,
    map_tables: TableMap | None = None,
    annex_a: AnnexA | None = None,
) -> Partitioned:
    """Pass 1: validate every row, spill accepted text records per chunk, check children and
    plans. Raises ExtractError exactly where ``read_extract`` does.

    Children and plans (small, no text) are read here first; the text tables are then read by
    ``map_tables`` (default: one after another in this process; the batch engine passes a
    process pool's ``imap``, so the tables are read in parallel)."""
    if max_text_chars < 1:
        raise ValueError("max_text_chars must be at least 1")
    if chunk_children is not None and chunk_children < 1:
        raise ValueError("chunk_children must be at least 1")
    mapping = mapping if mapping is not None else ColumnMapping()
    rules = RowRules(
        dayfirst=mapping.dayfirst, value_maps=mapping.value_maps(), max_text_chars=max_text_chars
    )
    notes: dict[str, Any] = {}
    read: dict[str, int] = {}
    quarantine: list[QuarantinedRow] = []
    small: dict[str, TablePass] = {}
    bounds: list[str] = [""]
    plan_child: dict[str, str] = {}

    with ExtractContainer(path) as box:
        located = locate_tables(box, mapping)
        for table in REQUIRED_TABLES:
            if located[table] is None and not (table == "children" and annex_a is not None):
                raise ExtractError(missing_table(box, table, mapping.file_stem(table)))
        for table in ("children", "plans"):
            file_name = located[table]
            if file_name is None:
                if table != "children" or annex_a is None:
                    continue
                tp, notes[table] = children_from_annex(annex_a, rules)
            else:
                st, column_of, rows = open_table_stream(box, table, file_name, mapping)
                tp = validate_rows(table, rows, rules)
                notes[table] = table_notes(st, column_of, tp, st.extra_of())
            small[table] = tp
            read[table] = tp.read
            if table == "children":
                ids = [r.child_id for _, r in tp.accepted]  # type: ignore[union-attr]
                bounds = _chunk_bounds(ids, chunk_children or auto_chunk(len(ids)))
            else:
                plan_child = {r.plan_id: r.child_id for _, r in tp.accepted}  # type: ignore[union-attr]
    jobs = [
        TableJob(
            str(path),
            table,
            file_name,
            mapping,
            rules,
            bounds,
            plan_child if table == "plan_actions" else {},
            spill_dir,
        )
        for table in TEXT_TABLES
        if (file_name := located[table]) is not None
    ]
    newest: date | None = None
    unrouted_actions: list[tuple[int, PlanAction]] = []
    spilled: dict[int, set[str]] = defaultdict(set)
    for result in (map_tables or map)(ingest_table, jobs):
        read[result.table] = result.read
        quarantine.extend(result.quarantined)
        notes[result.table] = result.notes
        if result.newest is not None and (newest is None or result.newest > newest):
            newest = result.newest
        unrouted_actions.extend(result.unrouted)
        for chunk in result.spilled_chunks:
            spilled[chunk].add(result.table)
    present = [t for t in CONTRACT_TABLES if located[t] is not None or t in small]

    if as_of is None:
        if newest is None:
            starts = [r.status_start for _, r in small["children"].accepted]  # type: ignore[union-attr]
            newest = max(starts, default=None)
        as_of = newest if newest is not None else date.today()

    # children and plans: their second step here, exactly as _assemble does
    children_pass = small["children"]
    cross_check(children_pass, as_of, None, {}, {}, "children")
    children = {r.child_id: r for _, r in children_pass.accepted}  # type: ignore[union-attr]
    findings: list[dict[str, Any]] = []
    if annex_a is not None and located["children"] is None:
        quarantine.extend(annex_a.locate_children(children_pass.quarantined))
    else:
        quarantine.extend(children_pass.quarantined)
        if annex_a is not None:
            from notereview.reconciliation import compare_children

            findings = compare_children(children, annex_a)
    children_q = first_quarantined(children_pass)
    plans: dict[str, Plan] = {}
    plans_q: dict[str, int] = {}
    if "plans" in small:
        pp = small["plans"]
        cross_check(pp, as_of, "child_id", children, children_q, "children")
        quarantine.extend(pp.quarantined)
        plans = settle_plan_types(pp.accepted, children)
        plans_q = first_quarantined(pp)
    refresh_quality_notes(notes, small, ("children", "plans"))

    # plan actions whose plan was never a valid row: quarantined here
    for row_number, action in unrouted_actions:
        reasons = check_as_of("plan_actions", action, as_of)
        pid = action.plan_id
        if pid in plans_q:
            reasons.append(f"plan_id {pid} was quarantined (plans row {plans_q[pid]})")
        else:
            reasons.append(f"unknown plan_id {pid}")
        quarantine.append(
            QuarantinedRow("plan_actions", row_number, id_of("plan_actions", action),
                           "; ".join(reasons))
        )  # fmt: skip

    if annex_a is not None:
        quarantine.extend(annex_a.quarantine)

    by_chunk_children: dict[int, list[Child]] = defaultdict(list)
    for cid, child in children.items():
        by_chunk_children[_chunk_of(bounds, cid)].append(child)
    by_chunk_plans: dict[int, list[Plan]] = defaultdict(list)
    for plan in plans.values():
        by_chunk_plans[_chunk_of(bounds, plan.child_id)].append(plan)
    tasks = [
        ChunkTask(
            i,
            by_chunk_children.get(i, []),
            by_chunk_plans.get(i, []),
            [spill_path(spill_dir, i, t) for t in TEXT_TABLES if t in spilled.get(i, ())],
        )
        for i in range(len(bounds))
    ]
    return Partitioned(
        as_of=as_of,
        tables_absent=[t for t in CONTRACT_TABLES if t not in present],
        notes={t: notes[t] for t in CONTRACT_TABLES if t in notes},
        read=read,
        quarantine=quarantine,
        accepted={"children": len(children), "plans": len(plans)},
        children_q=children_q,
        plans_q=plans_q,
        tasks=tasks,
        children_total=len(children),
        annex_a=annex_a,
        children_findings=findings,
    )


# ------------------------------------------------------------------ pass 2 (in a worker)


@dataclass
class AssembledChunk:
    case_files: list[CaseFile]
    quarantine: list[QuarantinedRow]
    accepted: dict[str, int]


def assemble_chunk(
    task: ChunkTask, as_of: date, children_q: dict[str, int], plans_q: dict[str, int]
) -> AssembledChunk:
    """The chunk's case files, with the as-of and orphan checks of ``_assemble``."""
    children = {c.child_id: c for c in task.children}
    plans = {p.plan_id: p for p in task.plans}
    passes: dict[str, TablePass] = {}
    for spill in task.spills:
        for table, row_number, record in read_spill(spill):
            tp = passes.get(table)
            if tp is None:
                tp = passes[table] = TablePass(table)
            tp.accepted.append((row_number, record))
    grouped = group_by_child(passes, as_of, children, children_q, plans, plans_q)
    quarantine: list[QuarantinedRow] = []
    accepted: dict[str, int] = dict.fromkeys(TEXT_TABLES, 0)
    for table in ("plan_actions", *CHILD_TABLES):
        if table in passes:
            quarantine.extend(passes[table].quarantined)
            accepted[table] = len(passes[table].accepted)
    case_files = [
        CaseFile.build(children[cid], **{k: tuple(v) for k, v in grouped[cid].items()})
        for cid in sorted(children)
    ]
    return AssembledChunk(case_files, quarantine, accepted)


def table_counts(
    part: Partitioned, accepted: dict[str, int], quarantined: dict[str, int]
) -> dict[str, TableCount]:
    counts: dict[str, TableCount] = {}
    for table in CONTRACT_TABLES:
        if table not in part.read:
            counts[table] = TableCount(0, 0, 0)
            continue
        counts[table] = TableCount(
            part.read[table], accepted.get(table, 0), quarantined.get(table, 0)
        )
    return counts


def remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
