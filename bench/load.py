"""The service under load: ``python -m bench.load [--db sqlite|postgresql] [--duration 300]``.

Builds (once, under ``--work``) a store holding a scored ``--children``-child synthetic extract
(``notereview score --db``, with its record texts), two earlier runs of it and a few hundred
audits; starts ``python -m notereview_api --workers 2`` on 127.0.0.1; then, for ``--duration``
seconds, ``--auditors`` virtual auditors (the queue, a case page, a claim, an audit now and then,
the claim released) and ``--leads`` practice leads (signed in through the web page: the trends and
equality pages, the estimates, an exemplar check) work against it, each pausing between requests
as a person does. Loopback only; nothing leaves the machine.

Per route: requests, p50 / p95 / p99 latency (ms), errors (a 5xx or a broken connection) and
expected refusals (409: another auditor holds the claim). Results, with the machine and the
goals (0 errors; p95 under 200 ms for /queue and /cases/{id}, under 500 ms for the pages), go
to ``--out`` (JSON) and stdout (Markdown).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).parent
PG_URL = os.environ.get(
    "NOTEREVIEW_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PG_SCHEMA = "nr_load"
GOALS_MS = {"api": 200.0, "page": 500.0}
#: The routes whose p95 the goals name (the JSON queue and case view; every page).
API_GOAL_ROUTES = ("GET /queue", "GET /cases/{id}")
EXEMPLAR = (
    "Visited Sam at home after school. Sam told me he likes his new teacher but misses his "
    "dad. Next step: ask school to set up a weekly check-in before the review on 12 March."
)
GRADES = ("inadequate", "requires_improvement", "good")


# ---------------------------------------------------------------------- the store
def _database(kind: str, work: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{(work / 'store.db').resolve()}"
    import psycopg

    plain = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{PG_SCHEMA}"')
    return f"{PG_URL}?options=-csearch_path%3D{PG_SCHEMA}"


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "notereview.cli", *args], check=True)


def build_store(kind: str, children: int, work: Path, seed: int = 11) -> tuple[str, dict[str, Any]]:
    """The store and what the load needs from it (tokens, child ids); timings of the set-up."""
    from notereview.store import (
        add_audit,
        add_user,
        connect,
        latest_run,
        read_run_dir,
        upgrade,
        write_run,
    )

    work.mkdir(parents=True, exist_ok=True)
    extract = work / "extract"
    t0 = time.perf_counter()
    if not (extract / "visits.csv").exists():
        _cli("synth", "--children", str(children), "--seed", str(seed), "--out", str(extract))
    if (work / "store.db").exists() and kind == "sqlite":
        (work / "store.db").unlink()
    url = _database(kind, work)
    scored = [d for d in sorted(work.glob("out-*")) if (d / "run.json").exists()]
    engine = connect(url)
    try:
        if scored:  # the other database's load scored this extract: store its outputs
            upgrade(engine)
            out = scored[0]
            write_run(engine, *read_run_dir(out))
        else:
            out = work / f"out-{kind}"
            _cli("score", str(extract), "--out", str(out), "--workers", "2", "--db", url)
        t_score = time.perf_counter() - t0
        run_info, tables = read_run_dir(out)
        tables.pop("records", None)
        latest = latest_run(engine)
        assert latest is not None
        for months in (1, 2):  # two earlier runs: the trends have something to show
            earlier = dict(run_info)
            day = date.fromisoformat(run_info["as_of"]) - timedelta(days=30 * months)
            earlier["as_of"] = day.isoformat()
            earlier["extract_fingerprint"] = f"{run_info.get('extract_fingerprint')}-{months}"
            write_run(engine, earlier, tables)
        cases = tables["cases"]
        ids = list(cases["child_id"])
        rng = random.Random(seed)
        auditors = [add_user(engine, f"auditor{i:02d}", "auditor", ()) for i in range(60)]
        leads = [add_user(engine, f"lead{i}", "practice_lead", ()) for i in range(5)]
        by_child = cases.set_index("child_id")
        for child in rng.sample(ids, min(300, len(ids))):  # audits already on file
            row = by_child.loc[child]
            add_audit(
                engine, run_id=latest.run_id, child_id=child,
                user_id=auditors[rng.randrange(10, 60)].user.user_id, overall=rng.choice(GRADES),
                themes={}, findings={}, comments=None, team=str(row["team"]),
                legal_status=str(row["legal_status"]), sample_id=None,
            )  # fmt: skip
    finally:
        engine.dispose()
    return url, {
        "child_ids": ids,
        "auditor_tokens": [u.token for u in auditors[:50]],
        "lead_tokens": [u.token for u in leads],
        "setup_s": round(time.perf_counter() - t0, 1),
        "score_s": round(t_score, 1),
    }


# ---------------------------------------------------------------------- the load
@dataclass
class Tally:
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_kinds: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    async def call(
        self, client: httpx.AsyncClient, method: str, url: str, route: str, **kw: Any
    ) -> httpx.Response | None:
        t = time.perf_counter()
        try:
            response = await client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.errors[route] += 1
            self.error_kinds[type(exc).__name__] += 1
            return None
        self.ms[route].append((time.perf_counter() - t) * 1000)
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            self.errors[route] += 1
            self.error_kinds[str(response.status_code)] += 1
        elif response.status_code == 409:
            self.refused[route] += 1
        return response


async def auditor(base: str, token: str, ids: list[str], until: float, tally: Tally) -> None:
    rng = random.Random(token)
    h = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=h, timeout=30) as client:
        await asyncio.sleep(rng.uniform(0, 3))
        while time.monotonic() < until:
            queue = await tally.call(client, "GET", "/queue?limit=20", "GET /queue")
            items = queue.json().get("items", []) if queue is not None and queue.is_success else []
            child = rng.choice(items)["child_id"] if items else rng.choice(ids)
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            await tally.call(client, "GET", f"/cases/{child}", "GET /cases/{id}")
            await asyncio.sleep(rng.uniform(0.5, 1.5))
            claim = await tally.call(
                client, "POST", f"/queue/{child}/claim", "POST /queue/{id}/claim"
            )
            if claim is not None and claim.status_code == 201:
                await asyncio.sleep(rng.uniform(1.0, 2.0))
                if rng.random() < 0.3:
                    body = {"overall": rng.choice(GRADES), "comments": "load test audit"}
                    await tally.call(
                        client, "POST", f"/cases/{child}/audits", "POST /cases/{id}/audits",
                        json=body,
                    )  # fmt: skip
                await tally.call(
                    client, "DELETE", f"/queue/{child}/claim", "DELETE /queue/{id}/claim"
                )
            await asyncio.sleep(rng.uniform(0.5, 1.5))


_FORM_TOKEN = re.compile(r'name="form_token"\s+value="([^"]+)"')


async def lead(base: str, token: str, until: float, tally: Tally) -> None:
    rng = random.Random(token)
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as web:
        form = await tally.call(web, "GET", "/sign-in", "GET /sign-in (page)")
        found = _FORM_TOKEN.search(form.text) if form is not None else None
        if found is None:
            tally.errors["POST /sign-in (page)"] += 1
            return
        signed = await tally.call(
            web, "POST", "/sign-in", "POST /sign-in (page)",
            data={"token": token, "form_token": found.group(1), "next": "/"},
        )  # fmt: skip
        if signed is None or signed.status_code not in (302, 303):
            tally.errors["POST /sign-in (page)"] += 1
            return
        api = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < until:
            await tally.call(web, "GET", "/app/trends", "GET /app/trends (page)")
            await asyncio.sleep(rng.uniform(2, 4))
            await tally.call(web, "GET", "/app/equality", "GET /app/equality (page)")
            await asyncio.sleep(rng.uniform(2, 4))
            await tally.call(web, "GET", "/estimates", "GET /estimates", headers=api)
            await asyncio.sleep(rng.uniform(2, 4))
            body = {"kind": "visit", "text": EXEMPLAR}
            await tally.call(
                web, "POST", "/exemplars/check", "POST /exemplars/check", json=body, headers=api
            )
            await asyncio.sleep(rng.uniform(2, 4))


async def drive(base: str, users: dict[str, Any], duration: float, tally: Tally) -> None:
    until = time.monotonic() + duration
    jobs = [auditor(base, t, users["child_ids"], until, tally) for t in users["auditor_tokens"]]
    jobs += [lead(base, t, until, tally) for t in users["lead_tokens"]]
    await asyncio.gather(*jobs)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


def summarise(tally: Tally, duration: float) -> dict[str, Any]:
    routes = sorted(set(tally.ms) | set(tally.errors))
    rows = {
        r: {
            "requests": len(tally.ms[r]) + (tally.errors[r] if r not in tally.ms else 0),
            "p50_ms": _pct(tally.ms[r], 0.50),
            "p95_ms": _pct(tally.ms[r], 0.95),
            "p99_ms": _pct(tally.ms[r], 0.99),
            "errors": tally.errors[r],
            "refused_409": tally.refused[r],
        }
        for r in routes
    }
    total = sum(len(v) for v in tally.ms.values())
    goals = {
        "errors": {"goal": 0, "measured": sum(tally.errors.values())},
        **{
            f"p95 {r}": {"goal_ms": GOALS_MS["api"], "measured_ms": rows[r]["p95_ms"]}
            for r in API_GOAL_ROUTES
            if r in rows
        },
        **{
            f"p95 {r}": {"goal_ms": GOALS_MS["page"], "measured_ms": rows[r]["p95_ms"]}
            for r in rows
            if "(page)" in r
        },
    }
    return {
        "routes": rows,
        "requests": total,
        "requests_per_s": round(total / duration, 1),
        "error_kinds": dict(tally.error_kinds),
        "goals": goals,
    }


# ---------------------------------------------------------------------- a profile
def profile(url: str, users: dict[str, Any], rounds: int = 30) -> dict[str, Any]:
    """Where one request of each auditor's route spends its time, in this process (no
    server, no other load): the median wall time, SQL statements per request and the
    functions with the most cumulative time (cProfile)."""
    import cProfile
    import io
    import pstats
    import statistics

    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from notereview_api import create_app
    from notereview_api.settings import Settings

    settings = Settings(database_url=url, rate_limit_per_minute=100_000, migrate_on_start=False)
    app = create_app(settings)
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    event.listen(app.state.engine, "before_cursor_execute", count)
    token = users["auditor_tokens"][0]
    child = users["child_ids"][0]
    routes = {
        "GET /queue": "/queue?limit=20",
        "GET /cases/{id}": f"/cases/{child}",
        "GET /estimates": "/estimates",
    }
    out: dict[str, Any] = {}
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        lead = {"Authorization": f"Bearer {users['lead_tokens'][0]}"}
        for route, path in routes.items():
            headers = lead if route == "GET /estimates" else None
            assert client.get(path, headers=headers).status_code == 200  # warm the caches
            times, counts = [], []
            profiler = cProfile.Profile()
            for _ in range(rounds):
                before = statements[0]
                t0 = time.perf_counter()
                profiler.enable()
                client.get(path, headers=headers)
                profiler.disable()
                times.append((time.perf_counter() - t0) * 1000)
                counts.append(statements[0] - before)
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
            out[route] = {
                "median_ms": round(statistics.median(times), 1),
                "sql_statements": max(counts),
                "top_cumulative": [
                    line.strip() for line in text.getvalue().splitlines() if "(" in line
                ][:25],
            }
    app.state.engine.dispose()
    return out


# ---------------------------------------------------------------------- the server
def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "NOTEREVIEW_RATE_LIMIT_PER_MINUTE": "600",
        "NOTEREVIEW_WARM_ON_START": "true",  # a served store is warm: measure it so
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "notereview_api", "--database-url", url, "--port", str(port),
         "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(1500):  # warming a large store takes a while on a busy machine
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the service did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=300.0)
    parser.add_argument("--auditors", type=int, default=50)
    parser.add_argument("--leads", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", type=Path, default=HERE / "data" / "load")
    parser.add_argument("--out", type=Path, default=HERE / "results-load.json")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the store an earlier run built under --work (same --db and --children) "
        "instead of building it again; claims and audits of earlier loads stay in it",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile one request of each auditor's route in this process, print and stop",
    )
    args = parser.parse_args(argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    kept = args.work / f"store-{args.db}-{args.children}.json"
    if args.reuse and kept.exists():
        url, users = json.loads(kept.read_text())
        users["setup_s"] = 0.0
    else:
        url, users = build_store(args.db, args.children, args.work)
        kept.write_text(json.dumps([url, users]))
    if args.profile:
        print(json.dumps(profile(url, users), indent=1))
        return 0
    users["auditor_tokens"] = users["auditor_tokens"][: args.auditors]
    users["lead_tokens"] = users["lead_tokens"][: args.leads]
    from bench.run import machine

    where = machine()
    server, base = serve(url, args.workers)
    tally = Tally()
    try:
        asyncio.run(drive(base, users, args.duration, tally))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    result = {
        "started_at": started,
        "machine": where,
        "database": args.db,
        "children": args.children,
        "runs_stored": 3,
        "audits_on_file": 300,
        "auditors": args.auditors,
        "practice_leads": args.leads,
        "server_workers": args.workers,
        "duration_s": args.duration,
        "load_average_at_end": list(os.getloadavg()),
        "setup_s": users["setup_s"],
        "store_reused": bool(args.reuse and users["setup_s"] == 0.0),
        **summarise(tally, args.duration),
    }
    results: dict[str, Any] = {}
    if args.out.exists():
        results = json.loads(args.out.read_text())
    results[args.db] = result
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    errors = result["goals"]["errors"]["measured"]
    print(
        f"\n{args.db}: {result['requests']} requests in {args.duration:.0f} s "
        f"({result['requests_per_s']}/s), errors {errors}"
    )
    print("| route | requests | p50 ms | p95 ms | p99 ms | errors | 409 |")
    print("|---|---|---|---|---|---|---|")
    for route, row in result["routes"].items():
        print(f"| {route} | {row['requests']} | {row['p50_ms']} | {row['p95_ms']} | "
              f"{row['p99_ms']} | {row['errors']} | {row['refused_409']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
