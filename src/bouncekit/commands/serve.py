"""`bouncekit serve`: the HTTP API and the web page (the ``server`` extra), on a host and port."""

from __future__ import annotations

import argparse
import sys

from . import EXIT_OK, EXIT_USAGE, Subparsers

# The same defaults as bouncekit.web.limits, repeated so that building the parser needs no web stack.
DEFAULT_MAX_BODY_MB = 10
DEFAULT_TIME_BUDGET = 10.0


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, not {text}")
    return value


def register(sub: Subparsers) -> None:
    p = sub.add_parser("serve", help="serve the HTTP API and the web page",
                       description="Serve the HTTP API (/v1/..., /openapi.json) and the web page (/). "
                                   "Needs the server extra: pip install 'bouncekit[server]'.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8025, help="port to listen on (default: 8025)")
    p.add_argument("--max-body-mb", type=_positive, default=DEFAULT_MAX_BODY_MB,
                   help=f"largest request body in MB, larger ones get 413 (default: {DEFAULT_MAX_BODY_MB})")
    p.add_argument("--time-budget", type=_positive, default=DEFAULT_TIME_BUDGET,
                   help=f"seconds one request may take, longer ones get 503 (default: {DEFAULT_TIME_BUDGET:g})")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..web import create_app
    except ImportError as exc:
        print(f"bouncekit: serve needs the server extra ({exc.name} is missing): "
              "pip install 'bouncekit[server]'", file=sys.stderr)
        return EXIT_USAGE
    app = create_app(max_body=int(args.max_body_mb * 1024 * 1024), time_budget=args.time_budget)
    print(f"bouncekit: serving on http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    # h11 is uvicorn's pure-Python HTTP parser: no compiled extra needed; server_header off says less.
    uvicorn.run(app, host=args.host, port=args.port, http="h11", server_header=False, log_level="info",
                timeout_keep_alive=5)
    return EXIT_OK
