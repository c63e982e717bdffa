"""`python -m benchmarks.serve APP --port N --workers W`: an app served as `cashflow api` serves.

Both the API and the baseline go through `cashflow.serving.run_uvicorn`, the function
`cashflow api` runs, which keeps TCP_NODELAY with several workers; so the comparison stays
fair and measures the product's own serving. Only its logging is quieted: no access log (as
`--no-access-log`) and warnings only, so the benchmark's report stays readable.
"""

from __future__ import annotations

import argparse

from uvicorn.config import LOGGING_CONFIG

from cashflow.serving import run_uvicorn


def quiet_uvicorn_logging() -> None:
    """Drop the access log and uvicorn's start-up chatter from the default log config.

    `run_uvicorn` passes uvicorn's default `LOGGING_CONFIG`; its workers receive a pickled
    copy of it, so editing it in place before the call reaches them too.
    """
    LOGGING_CONFIG["loggers"]["uvicorn.access"]["handlers"] = []
    LOGGING_CONFIG["handlers"]["default"]["level"] = "WARNING"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.serve", description=__doc__)
    parser.add_argument("app", help="module:factory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Serve the app factory until terminated."""
    args = _parser().parse_args(argv)
    quiet_uvicorn_logging()
    run_uvicorn(args.app, host=args.host, port=args.port, workers=args.workers, factory=True)


if __name__ == "__main__":
    main()
