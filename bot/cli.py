"""The `leenwijzer` command: one sub-command per job, each implemented in its own module.

Sub-commands import their module lazily so that `leenwijzer evaluate` does not load the
web or Telegram stacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leenwijzer",
        description="Belgian friends-and-family loans and PMV co-financing: eligibility and simulation.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ev = sub.add_parser("evaluate", help="evaluate a case (JSON file or - for stdin)")
    ev.add_argument("case", help="path to a case JSON file, or - for standard input")

    sched = sub.add_parser(
        "schedule", help="the repayment table of a case as PDF or CSV (for the deed)"
    )
    sched.add_argument("case", help="path to a case JSON file, or - for standard input")
    sched.add_argument("--regime", required=True, help="the regime's contract key (see evaluate)")
    sched.add_argument("--format", choices=["pdf", "csv"], default="pdf")
    sched.add_argument("--lang", choices=["nl", "fr", "en"], default="en")
    sched.add_argument(
        "-o", "--output", default=None, help="file to write (- = stdout; default: its own name)"
    )

    chat = sub.add_parser("chat", help="talk to leenwijzer in this terminal")
    chat.add_argument("--lang", choices=["nl", "fr", "en"], default=None)
    chat.add_argument("--prefill", default=None, help="a case JSON file with known answers")

    serve = sub.add_parser(
        "serve", help="the main job: web app (and Telegram bot if a token is set)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)

    sub.add_parser("telegram", help="run only the Telegram bot")

    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade", "purge"])
    db.add_argument(
        "--older-than",
        type=retention_days,
        default=None,
        metavar="DAYS",
        help="purge: remove what is older than this (default LEENWIJZER_RETENTION_DAYS, 180)",
    )
    return parser


def retention_days(value: str) -> int:
    """A whole number of days, at least 1 (argparse type of `--older-than`)."""
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {value!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 day, not {days}")
    return days


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.settings import SettingsError

    try:
        return run(args)
    except SettingsError as error:  # a setting the operator must fix: one line, no traceback
        print(f"leenwijzer {args.command}: {error}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    """Run the chosen sub-command; a `SettingsError` it raises is the operator's to fix."""
    if args.command == "evaluate":
        from bot.evaluate_cli import run_evaluate

        return run_evaluate(args.case)
    if args.command == "schedule":
        from bot.schedule_cli import run_schedule

        return run_schedule(args.case, args.regime, args.format, args.lang, args.output)
    if args.command == "chat":
        from bot.terminal import run_chat

        return run_chat(lang=args.lang, prefill_path=args.prefill)
    if args.command == "serve":
        from bot.web.serve import run_serve

        return run_serve(host=args.host, port=args.port)
    if args.command == "telegram":
        from bot.telegram.run import run_telegram

        return run_telegram()
    if args.command == "db" and args.action == "purge":
        from bot.storage.retention import run_purge

        return run_purge(args.older_than)
    if args.command == "db":
        from bot.settings import get_settings
        from bot.storage.migrations import upgrade

        get_settings().prepare_data_dir()
        upgrade()
        return 0
    return 2  # pragma: no cover - argparse already refused


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
