"""The ``alongside`` command: serve the site, load demo data, run Django management commands.

Later capabilities add subcommands here (``alongside screen``, ``alongside score``,
``alongside meta`` …), each a thin wrapper over the same services the site uses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import IO, Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    import django

    django.setup()


def migrate_if_needed() -> None:
    """Apply migrations only when some are unapplied, so a warm start stays quick."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    if executor.migration_plan(targets):
        print("Preparing the database…", flush=True)
        call_command("migrate", interactive=False, verbosity=0)


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    migrate_if_needed()
    if args.demo:
        cmd_demo_loaded(f"http://{args.host}:{args.port}")
    import uvicorn

    if args.workers == 1:
        # The embedded default is one process: it runs the periodic jobs (alert escalation,
        # statistics) itself. With several workers, run `alongside worker` beside them.
        from alongside.safety.jobs import start_in_thread

        start_in_thread()
    print(f"Alongside is running at http://{args.host}:{args.port}/  (Ctrl+C stops it)", flush=True)
    uvicorn.run(
        "alongside.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        lifespan="off",
    )
    return 0


def cmd_demo_loaded(url: str | None = None) -> None:
    from alongside.core.demo import load_demo, print_demo_logins

    load_demo()
    if url:
        print_demo_logins(url)
    else:
        print_demo_logins()


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the periodic jobs until stopped (production: one beside the web workers)."""
    import signal
    import threading

    _setup_django()
    from alongside.safety.jobs import run_forever, run_periodic_jobs

    if args.once:
        run_periodic_jobs()
        return 0
    stop = threading.Event()
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, lambda *_: stop.set())
    print("Alongside worker: running the periodic jobs (Ctrl+C stops it)", flush=True)
    run_forever(stop)
    return 0


def cmd_demo(_args: argparse.Namespace) -> int:
    _setup_django()
    migrate_if_needed()
    cmd_demo_loaded()
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["alongside manage", *args.args])
    return 0


def _screen_line(raw: str, number: int) -> dict[str, Any]:
    """Screen one JSON line; a bad line becomes an ``{"error": ...}`` object, never an exception."""
    from alongside.safety.screening import ROLES, AuthorContext, screen

    try:
        item = json.loads(raw)
    except json.JSONDecodeError as error:
        return {"error": f"line {number}: invalid JSON ({error.msg})"}
    if not isinstance(item, dict):
        return {"error": f"line {number}: expected a JSON object"}
    text = item.get("text")
    if not isinstance(text, str):
        return {"error": f"line {number}: missing or non-string 'text'"}
    role = item.get("role", "member")
    if role not in ROLES:
        return {"error": f"line {number}: 'role' must be 'member' or 'supporter', not {role!r}"}
    raw_context = item.get("context")
    context = None
    if raw_context is not None:
        if not isinstance(raw_context, dict):
            return {"error": f"line {number}: 'context' must be an object"}
        try:
            context = AuthorContext(
                account_age_days=_optional_float(raw_context.get("account_age_days")),
                recent_texts=tuple(str(t) for t in raw_context.get("recent_texts") or ()),
                posts_last_10_minutes=int(raw_context.get("posts_last_10_minutes") or 0),
                concerning_last_24h=int(raw_context.get("concerning_last_24h") or 0),
            )
        except (TypeError, ValueError) as error:
            return {"error": f"line {number}: bad 'context' ({error})"}
    result = screen(text, role=role, context=context).to_json()
    if "id" in item:
        result = {"id": item["id"], **result}
    return result


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def run_screen(lines: IO[str], out: IO[str]) -> int:
    """Screen JSON lines from ``lines``, writing one JSON line each to ``out``; 1 if any failed."""
    failed = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        result = _screen_line(raw, number)
        failed = failed or "error" in result
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failed else 0


def cmd_screen(_args: argparse.Namespace) -> int:
    # Pure screening: no Django settings or database, so it works on any checkout or pipeline.
    return run_screen(sys.stdin, sys.stdout)


def _parse_answer(raw: str, number: int) -> int | None:
    """One command-line answer: a whole number, or ``-`` for an item left unanswered."""
    if raw == "-":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(
            f"answer {number} is {raw!r}; write a whole number, or - for an unanswered item"
        ) from None


def run_score(measure: str | None, answers: Sequence[str], *, listing: bool, out: IO[str]) -> int:
    """Score answers with the site's own engine and print JSON; 2 with a message on bad input."""
    # The engine reads the organisation's folder (ALONGSIDE_MEASURES_DIR) through settings,
    # lazily; no database or app loading is needed.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    from alongside.measures.engine import (
        DefinitionError,
        ResponseError,
        UnknownMeasure,
        available_measures,
        get_definition,
        score,
    )

    try:
        if listing:
            for definition in available_measures():
                out.write(
                    f"{definition.key}\t{definition.short_name}\t{definition.item_count} items"
                    f"\t{definition.name}\n"
                )
            return 0
        if not measure:
            raise ValueError("name a measure (alongside score --list shows them)")
        definition = get_definition(measure)
        responses = [_parse_answer(raw, n) for n, raw in enumerate(answers, start=1)]
        result = score(definition, responses)
    except (UnknownMeasure, ResponseError, DefinitionError, ValueError) as error:
        message = error.args[0] if error.args else str(error)
        print(f"alongside score: {message}", file=sys.stderr)
        return 2
    printed: dict[str, Any] = {
        "measure": result.measure,
        "total": result.score,
        "band": result.band,
        "valid": result.valid,
        "flags": result.flags,
    }
    if definition.conversion is not None:
        printed["raw_total"] = result.raw_total
    if not result.valid:
        printed["reason"] = result.reason
    out.write(json.dumps(printed, ensure_ascii=False) + "\n")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    return run_score(args.measure, args.answers, listing=args.list, out=sys.stdout)


def run_meta(args: argparse.Namespace, out: IO[str]) -> int:
    """Pool the studies in a CSV file and print one JSON object; 2 with a message on bad input."""
    # Pure numpy/scipy: no Django settings, apps or database are touched.
    from alongside.evaluation.stats.io import fit, forest_svg, load_studies, result_json

    try:
        mods = [name.strip() for name in args.mods.split(",") if name.strip()] if args.mods else []
        studies = load_studies(
            args.input,
            measure=args.measure,
            mods=mods,
            cluster=args.cluster,
            label=args.label,
            drop00=args.drop00,
        )
        result = fit(studies, method=args.method, test=args.test, level=args.level)
        printed = result_json(studies, result)
        if args.plot:
            with open(args.plot, "wb") as handle:
                handle.write(forest_svg(studies, result))
            printed["plot"] = str(args.plot)
    except (ValueError, OSError) as error:
        message = error.args[0] if isinstance(error, ValueError) and error.args else str(error)
        print(f"alongside meta: {message}", file=sys.stderr)
        return 2
    out.write(json.dumps(printed, ensure_ascii=False, allow_nan=False) + "\n")
    return 0


def cmd_meta(args: argparse.Namespace) -> int:
    return run_meta(args, sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alongside", description="Alongside peer support")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the site (migrating first when needed)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes; more than one needs REDIS_URL for live (WebSocket) features",
    )
    serve.add_argument("--demo", action="store_true", help="load the demo community first")
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="load the demo community (safe to run again)")
    demo.set_defaults(func=cmd_demo)

    screen = sub.add_parser(
        "screen",
        help="screen JSON lines from stdin ({'text', 'role', 'context'}) and print the results",
    )
    screen.set_defaults(func=cmd_screen)

    score = sub.add_parser(
        "score",
        help="score a questionnaire: alongside score phq9 1 2 1 0 3 1 2 1 0 (- for unanswered)",
    )
    score.add_argument("measure", nargs="?", help="measure key, e.g. phq9 (see --list)")
    score.add_argument("answers", nargs="*", help="one answer per item, in order; - if unanswered")
    score.add_argument("--list", action="store_true", help="list the measures and exit")
    score.set_defaults(func=cmd_score)

    meta = sub.add_parser(
        "meta",
        help="meta-analyse the studies in a CSV file (yi,vi or raw data) and print JSON",
    )
    meta.add_argument("--input", required=True, help="CSV file, one row per study")
    meta.add_argument(
        "--measure",
        type=str.upper,
        choices=["RR", "OR", "RD", "SMD", "SMCR"],
        help="compute effect sizes from raw columns (without it: yi and vi columns)",
    )
    meta.add_argument(
        "--method",
        type=str.upper,
        default="REML",
        choices=["DL", "REML", "ML", "PM", "EB", "HE", "HS", "SJ", "FE", "EE"],
        help="tau^2 estimator, or FE for an equal-effects model (default REML)",
    )
    meta.add_argument(
        "--test", choices=["z", "knha"], default="z", help="z tests, or Knapp-Hartung t tests"
    )
    meta.add_argument("--mods", help="moderator columns, comma-separated: meta-regression")
    meta.add_argument("--cluster", help="cluster column: a three-level model (REML or ML)")
    meta.add_argument(
        "--drop00",
        action="store_true",
        help="RR/OR: drop double-zero studies (no events, or only events, in both groups)",
    )
    meta.add_argument("--label", help="column of study labels for the plot")
    meta.add_argument("--plot", help="write a forest plot to this SVG file")
    meta.add_argument("--level", type=float, default=95.0, help="confidence level in %%")
    meta.set_defaults(func=cmd_meta)

    worker = sub.add_parser(
        "worker", help="run the periodic jobs: alert escalation, statistics, clean-up"
    )
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.set_defaults(func=cmd_worker)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
