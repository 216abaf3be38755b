"""The `undercover` command (also `python -m api`). Thin: each command calls a service."""

import argparse
import getpass
import sys
from pathlib import Path

from sqlmodel import Session

import api.models  # noqa: F401 - every table known before the first query


def _session() -> Session:
    from api.db import get_engine

    return Session(get_engine(), expire_on_commit=False)


def _open_csv(path: Path):
    """The file to import, as text for the csv module (a BOM is skipped); None, said on stderr, when unreadable."""
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return None


def _database_url() -> str:
    from api.config import get_settings

    return get_settings().database_url


def cmd_migrate(_: argparse.Namespace) -> int:
    from api.migrate import upgrade

    upgrade(_database_url())
    print("Database is up to date.")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.migrate import upgrade

    upgrade(_database_url())
    print(f"Undercover is running: open http://{args.host}:{args.port}/", flush=True)
    # Naming the proxies to trust turns proxy headers on: the client address (which the sign-in rate limit
    # counts by) is then taken from their X-Forwarded-For.
    uvicorn.run("api.main:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="warning", access_log=False,
                proxy_headers=args.proxy_headers or args.forwarded_allow_ips is not None,
                forwarded_allow_ips=args.forwarded_allow_ips)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from api.auth.passwords import RULE
    from api.auth.schemas import UserCreate
    from api.auth.users import create_user
    from api.errors import Conflict

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password ({RULE}): ")
    try:
        data = UserCreate(email=args.email, role=args.role, display_name=args.name or args.email.split("@")[0],
                          password=password)
    except ValidationError as exc:
        for err in exc.errors():
            print(f"error: {'.'.join(map(str, err['loc']))}: {err['msg']}", file=sys.stderr)
        return 2
    with _session() as session:
        try:
            user = create_user(session=session, data=data)
        except Conflict as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 1
        print(user.id)
    return 0


def cmd_demo(_: argparse.Namespace) -> int:
    from api.demo.loader import load_demo

    with _session() as session:
        added, summary = load_demo(session=session)
    if added:  # first load: build themes too, so the managers' screens have something to show
        from api.themes.rebuild import rebuild_now

        print(f"Themes built: {rebuild_now().themes}")
    print(summary)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from api.auth.users import get_user_by_email
    from api.exchange.importer import import_pain_points

    path = Path(args.file)
    stream = _open_csv(path)
    if stream is None:
        return 2
    with stream, _session() as session:
        author = get_user_by_email(session=session, email=args.author)
        if author is None:
            print(f"error: no user with email {args.author}", file=sys.stderr)
            return 2
        try:
            report = import_pain_points(session=session, author=author, stream=stream)
        except (ValueError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    print(f"imported {report.imported} rows; {report.skipped} already imported; rejected {len(report.rejected)} rows")
    for number, reason in report.rejected:
        print(f"  row {number}: {reason}")
    return 1 if args.strict and report.rejected else 0


def cmd_kpis_import(args: argparse.Namespace) -> int:
    from api.exchange.kpi_values import import_kpi_values

    path = Path(args.file)
    stream = _open_csv(path)
    if stream is None:
        return 2
    with stream, _session() as session:
        try:
            report, rejected = import_kpi_values(session=session, stream=stream)
        except (ValueError, UnicodeDecodeError) as exc:
            print(f"error: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    print(f"imported {report.created + report.updated + report.unchanged} rows ({report.created} new, "
          f"{report.updated} changed, {report.unchanged} unchanged); rejected {len(rejected)} rows")
    for number, reason in rejected:
        print(f"  row {number}: {reason}")
    return 1 if args.strict and rejected else 0


def cmd_export(args: argparse.Namespace) -> int:
    from api.review.export import write_export

    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        with _session() as session:
            count = write_export(session=session, out=out, fmt=args.format)
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"exported {count} pain points to {args.out}", file=sys.stderr)
    return 0


def cmd_themes_rebuild(_: argparse.Namespace) -> int:
    import time

    from tqdm import tqdm

    from api.errors import Conflict
    from api.themes import engine
    from api.themes.rebuild import rebuild_now

    started = time.perf_counter()
    print(f"Theme engine: {engine.embedder_name()}", file=sys.stderr)
    with tqdm(total=100, unit="%", file=sys.stderr, bar_format="{desc:<12} {bar} {n_fmt}%") as bar:
        def echo(stage: str, fraction: float) -> None:
            bar.set_description_str(stage)
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            done = rebuild_now(echo=echo)
        except Conflict as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return 1
        except Exception as exc:  # noqa: BLE001 - recorded on the build; the previous themes stay
            print(f"error: rebuild failed, the previous themes are unchanged: {exc}", file=sys.stderr)
            return 1
    print(f"{done.themes} themes from {done.pain_points} pain points ({done.unthemed} unthemed) "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """The messages worker on its own, in the foreground: with UNDERCOVER_MESSAGES_WORKER=false for the API
    processes, delivery then never competes with requests for their process. SIGTERM ends it after the
    step in progress. `--parent` is how an API process starts it beside itself (api/background.py)."""
    import signal
    import threading

    from api.background import die_with_parent, lower_priority, parent_alive
    from api.config import get_settings
    from api.messages.worker import MessagesWorker

    if args.parent:
        die_with_parent(args.parent)
    lower_priority()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    worker = MessagesWorker(get_settings().messages_interval)
    worker.start()
    print("Messages worker running.", flush=True)
    try:
        while not stop.wait(1.0):
            if args.parent and not parent_alive(args.parent):
                break
    except KeyboardInterrupt:
        pass
    worker.stop()
    print("Messages worker stopped.", flush=True)
    return 0


def cmd_digest_send(args: argparse.Namespace) -> int:
    from api.messages.digest import send

    with _session() as session:
        outcome, digest, people = send(session, force=args.force, dry_run=args.dry_run)
    week = digest.week_start.isoformat()
    if outcome == "dry run":
        print(f"Digest for the week before {week} (dry run: nothing sent) to {len(people)} managers"
              f"{' (quiet: nothing to say, it would not be sent)' if digest.quiet else ''}:")
        print(digest.title())
        print(digest.body())
    elif outcome == "already sent":
        print(f"This week's digest ({week}) was sent already; --force sends it again.")
    elif outcome == "quiet":
        print(f"Nothing to say for the week before {week}: no digest sent.")
    else:
        print(f"Digest for the week before {week} sent to {len(people)} managers.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from api.operations.backup import BackupError, backup

    try:
        print(backup(url=_database_url(), path=Path(args.file), overwrite=args.force))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from api.operations import backup as ops

    url, path = _database_url(), Path(args.file)
    try:
        ops.check_backup_file(url=url, path=path)
        counts = ops.row_counts(url)
        if any(counts.values()) and not args.yes:
            holds = f"{ops.describe_database(url)} holds {ops.describe_counts(counts)}"
            if not sys.stdin.isatty():
                print(f"error: {holds}; restoring replaces all of it. Run again with --yes to confirm.",
                      file=sys.stderr)
                return 1
            if input(f"{holds}. Replace all of it with {path}? [y/N] ").strip().lower() not in ("y", "yes"):
                print("Nothing restored.")
                return 1
        print(ops.restore(url=url, path=path))
    except ops.BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="undercover", description="Undercover field-visit logger")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, then serve the API and the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--proxy-headers", action="store_true",
                       help="trust X-Forwarded-* from the proxies --forwarded-allow-ips names (default: "
                            "127.0.0.1, or $FORWARDED_ALLOW_IPS)")
    serve.add_argument("--forwarded-allow-ips", metavar="IPS",
                       help="comma-separated addresses or networks of the proxies in front of the API (or '*'); "
                            "their X-Forwarded-For gives the client's address, which the sign-in limit counts "
                            "by. Implies --proxy-headers")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    create = sub.add_parser("create-user", help="create a user and print its id")
    create.add_argument("email")
    create.add_argument("--role", required=True, choices=["executive", "manager", "admin"])
    create.add_argument("--name")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(func=cmd_create_user)

    sub.add_parser("demo", help="load the demo organisation (idempotent)").set_defaults(func=cmd_demo)

    imp = sub.add_parser("import", help="bulk-import pain points from CSV")
    imp.add_argument("file")
    imp.add_argument("--author", required=True, help="email of the executive the visits belong to")
    imp.add_argument("--strict", action="store_true", help="exit 1 if any row is rejected")
    imp.set_defaults(func=cmd_import)

    kpis = sub.add_parser("kpis", help="KPI commands").add_subparsers(dest="kpis_command", required=True)
    kpis_import = kpis.add_parser("import", help="import KPI values from CSV (columns kpi,period_start,site,"
                                  "department,value,responses); rows already there with the same value change nothing")
    kpis_import.add_argument("file")
    kpis_import.add_argument("--strict", action="store_true", help="exit 1 if any row is rejected")
    kpis_import.set_defaults(func=cmd_kpis_import)

    themes = sub.add_parser("themes", help="theme commands").add_subparsers(dest="themes_command", required=True)
    themes.add_parser("rebuild", help="re-cluster every pain point into themes, keeping managers' edits") \
        .set_defaults(func=cmd_themes_rebuild)

    worker = sub.add_parser("worker", help="deliver messages in this process (run the API with "
                            "UNDERCOVER_MESSAGES_WORKER=false)")
    worker.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    digest = sub.add_parser("digest", help="the weekly digest").add_subparsers(dest="digest_command", required=True)
    send = digest.add_parser("send", help="send this week's digest now, unless it was sent already")
    send.add_argument("--dry-run", action="store_true", help="print it and its readers; send nothing")
    send.add_argument("--force", action="store_true", help="send it even if this week's went out already")
    send.set_defaults(func=cmd_digest_send)

    bak = sub.add_parser("backup", help="write a consistent copy of the whole database to FILE and the stored "
                         "media to FILE.media/ (while serving)")
    bak.add_argument("file")
    bak.add_argument("--force", action="store_true", help="replace FILE if it exists")
    bak.set_defaults(func=cmd_backup)

    res = sub.add_parser("restore", help="replace the whole database with the backup in FILE")
    res.add_argument("file")
    res.add_argument("--yes", action="store_true", help="replace a database that already holds data")
    res.set_defaults(func=cmd_restore)

    exp = sub.add_parser("export", help="export every pain point with its theme")
    exp.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    exp.add_argument("--out")
    exp.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
