"""The ``alongside`` command: serve the site, load demo data, run Django management commands.

Later capabilities add subcommands here (``alongside screen``, ``alongside score`` …), each a
thin wrapper over the same services the site uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


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
