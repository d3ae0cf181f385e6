"""The subcommands of the ``bouncekit`` command line, one module each with register() and run().

To add a command: write commands/<name>.py with ``register(sub)`` (which adds its parser and
``set_defaults(run=run)``) and add <name> to COMMANDS. A command must import heavy or optional
packages (the web server's) inside run(), so that ``bouncekit explain`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

COMMANDS: tuple[str, ...] = ("explain", "parse", "logs", "serve")

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
