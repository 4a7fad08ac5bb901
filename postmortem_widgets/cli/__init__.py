"""The ``postmortem`` command: a thin layer over the library, one module per subcommand.

Each subcommand module defines ``add_parser(subparsers)`` which registers itself and sets
``func=run`` where ``run(args) -> int`` returns the exit code. Every :class:`PostmortemError`
becomes one line on stderr and exit code 2, never a traceback. A bug of ours is one line too
(exit code 70), with the traceback only when ``POSTMORTEM_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..errors import PostmortemError

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = ("timeline", "prompt", "draft", "check", "export", "drafts", "lab")

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="postmortem",
        description="Reconstruct an incident timeline and write its customer-facing postmortem.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except PostmortemError as exc:
        print(f"postmortem {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"postmortem {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("POSTMORTEM_DEBUG"):
            raise
        print(
            f"postmortem {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(set POSTMORTEM_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


if __name__ == "__main__":
    sys.exit(main())
