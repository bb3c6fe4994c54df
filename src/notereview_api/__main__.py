"""Serve the API on 127.0.0.1: ``python -m notereview_api [--demo-dir demo] [--database-url URL]``.

With ``--demo-dir DIR`` the database defaults to ``sqlite:///DIR/notereview.db`` (where
``notereview score DIR/extract --out DIR/out --db sqlite:///DIR/notereview.db`` stores the run
with its record texts). ``--load-run OUT`` stores a run folder that ``notereview score`` wrote
(run.json and tables; without record texts the case view shows quotes only).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

from notereview.errors import NotereviewError
from notereview_api.settings import PREFIX, Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notereview_api", description=__doc__)
    parser.add_argument("--demo-dir", type=Path, help="the folder of `make demo`")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default from the environment)")
    parser.add_argument("--load-run", type=Path, help="store this scorer output folder first")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers", type=int, default=1,
        help="processes serving requests (uvicorn's workers; claims, sessions, sign-in "
        "throttling and the store are in the database, so any worker answers any request)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.workers < 1:
        print("error: --workers must be 1 or more", file=sys.stderr)
        return 2

    import uvicorn

    from notereview.store import connect, latest_run, read_run_dir, upgrade, write_run
    from notereview_api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        url = args.database_url or settings.database_url
        if url is None and args.demo_dir is not None:
            args.demo_dir.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{(args.demo_dir / 'notereview.db').resolve()}"
        settings = replace(settings, database_url=url)
        engine = connect(url)
        upgrade(engine)
        if args.load_run is not None:
            run_info, tables = read_run_dir(args.load_run)
            result = write_run(engine, run_info, tables)
            state = "stored" if result.created else "already stored"
            print(f"run {result.run_id} from {args.load_run}: {state}")
        if latest_run(engine) is None:
            extract = (args.demo_dir or Path("demo")) / "extract"
            print(
                "No scoring run is stored yet. Store one with:\n"
                f"  notereview score {extract} --out {extract.parent / 'out'} --db '{url}'"
            )
        engine.dispose()
        app = create_app(settings)
    except NotereviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    where = url or "$NOTEREVIEW_DATABASE_URL / sqlite:///notereview.db"
    print(
        "To get a token (printed once, on the last line):\n"
        f"  notereview users add me --role admin --database-url '{where}'\n"
        f"Then: curl -H 'Authorization: Bearer TOKEN' http://{args.host}:{args.port}/queue\n"
        f"Or open http://{args.host}:{args.port}/ in a browser and sign in with the token."
    )
    # access_log off: uvicorn's access log would print paths and query strings
    if args.workers == 1:
        uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info")
        return 0
    # several processes: each builds its app from the environment (the factory's settings)
    app.state.engine.dispose()
    os.environ[f"{PREFIX}DATABASE_URL"] = str(settings.database_url or "")
    uvicorn.run(
        "notereview_api.app:create_app", factory=True, workers=args.workers, host=args.host,
        port=args.port, access_log=False, log_level="info",
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
