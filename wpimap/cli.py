"""Command-line interface: ``wpimap ingest | synth | stage ... | scan | explain | run``.

Every subcommand is a thin wrapper: it parses arguments, calls one function of the
package and prints a short summary. Errors in the user's input (files, config) end the
command with a one-line message on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from wpimap import __version__
from wpimap.config import ConfigError, load_config
from wpimap.io.records import InputFileError

log = logging.getLogger("wpimap")


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run ingestion on files given on the command line or in the config's ``inputs``."""
    from wpimap.ingest import ingest_paths, load_source_fields

    cfg = load_config(args.config) if args.config else None
    paths = list(args.paths)
    formats: dict[str, str] = {}
    if not paths and cfg is not None:
        for spec in cfg["inputs"]:
            paths.append(spec["path"])
            formats[spec["path"]] = spec.get("format", "auto")
    if not paths:
        raise InputFileError("no input files: give paths or a config with 'inputs'")
    centers = args.centers if args.centers is not None else (cfg["centers"] if cfg else None)
    if centers and not Path(centers).exists():
        raise InputFileError(f"{centers}: centers file not found")
    source_fields_path = args.source_fields or (cfg["ingest"]["scopus_source_fields"] if cfg else None)
    jobs = args.jobs if args.jobs is not None else (cfg["ingest"].get("jobs", 1) if cfg else 1)
    if jobs < 1:
        raise InputFileError(f"--jobs must be at least 1 (got {jobs})")
    summary = ingest_paths(
        paths,
        args.out,
        fmt=args.format,
        centers=centers or None,
        source_fields=load_source_fields(source_fields_path),
        formats=formats,
        jobs=jobs,
        **({k: cfg["ingest"][k] for k in ("chunk_records", "chunk_chars")} if cfg else {}),
    )
    print(summary.format_table())
    print(
        f"\n{summary.works:,} works, {summary.authorships:,} authorships, {summary.references:,} references "
        f"({summary.resolution_rate:.1%} resolved in the corpus), {summary.rejects:,} rejects → {args.out}"
    )
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Generate the synthetic world."""
    from wpimap.synth import generate

    summary = generate(args.out, scale=args.scale, seed=args.seed, centers_path=args.centers)
    print(summary)
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    """Run one pipeline stage (used by the Snakemake rules)."""
    from wpimap import pipeline

    cfg = load_config(args.config)
    pipeline.run_stage(args.stage, cfg, period=args.period, synthetic=args.synthetic)
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """Resolution scan of the front clustering for one period."""
    from wpimap import pipeline

    cfg = load_config(args.config)
    frame = pipeline.scan_resolutions(cfg, args.period, args.level, args.resolutions, args.seeds)
    print(frame.to_string(index=False))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """List the core and citing papers behind a link between two areas."""
    from wpimap import pipeline

    cfg = load_config(args.config)
    frame = pipeline.explain(cfg, args.period, args.area_a, args.area_b)
    if args.out:
        frame.to_csv(args.out, index=False)
        print(f"{len(frame)} rows → {args.out}")
    else:
        print(frame.to_string(index=False))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the whole Snakemake workflow (a convenience wrapper)."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    cmd = ["snakemake", "--snakefile", str(root / "Snakefile"), "--cores", str(args.cores)]
    if args.configfile:
        cmd += ["--configfile", args.configfile]
    cmd += list(args.extra)
    return subprocess.call(cmd)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``wpimap`` command."""
    p = argparse.ArgumentParser(prog="wpimap", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"wpimap {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="read OpenAlex / WoS / Scopus files into the normalized tables")
    s.add_argument("paths", nargs="*", help="files, folders or globs (default: the config's inputs)")
    s.add_argument("--format", default="auto", choices=["auto", "openalex", "wos", "scopus"])
    s.add_argument("--out", required=True, help="output folder (results/normalized)")
    s.add_argument("--config", help="config file (inputs, centers, scopus source fields)")
    s.add_argument("--centers", help="centers YAML (default: the config's, else none)")
    s.add_argument("--source-fields", help="CSV source,field for Scopus records")
    s.add_argument("--jobs", "-j", type=int, default=None,
                   help="worker processes parsing files in parallel (default: the config's ingest.jobs, else 1)")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("synth", help="generate the synthetic world (OpenAlex JSON Lines + truth)")
    s.add_argument("--scale", default="small", choices=["tiny", "small", "medium", "large"])
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--out", required=True)
    s.add_argument("--centers", default="config/centers.yaml")
    s.set_defaults(func=cmd_synth)

    s = sub.add_parser("stage", help="run one pipeline stage (as the workflow's rules do)")
    s.add_argument("stage")
    s.add_argument("--config", required=True)
    s.add_argument("--period", help="period label YYYY-YYYY (per-period stages)")
    s.add_argument("--synthetic", action="store_true", help="the input is the synthetic world")
    s.set_defaults(func=cmd_stage)

    s = sub.add_parser("scan", help="resolution scan: clusters, quality and stability per resolution")
    s.add_argument("--config", required=True)
    s.add_argument("--period", required=True)
    s.add_argument("--level", choices=["fronts", "areas"], default="fronts")
    s.add_argument("--resolutions", type=float, nargs="+", default=[0.25, 0.5, 1.0, 1.5, 2.0])
    s.add_argument("--seeds", type=int, default=5)
    s.set_defaults(func=cmd_scan)

    s = sub.add_parser("explain", help="core and citing papers behind the link between two areas")
    s.add_argument("area_a", type=int)
    s.add_argument("area_b", type=int)
    s.add_argument("--config", required=True)
    s.add_argument("--period", required=True)
    s.add_argument("--out", help="write CSV here instead of printing")
    s.set_defaults(func=cmd_explain)

    s = sub.add_parser("run", help="run the Snakemake workflow")
    s.add_argument("--cores", type=int, default=2)
    s.add_argument("--configfile")
    s.add_argument("extra", nargs=argparse.REMAINDER, help="more snakemake arguments")
    s.set_defaults(func=cmd_run)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wpimap`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on an input or configuration error.
    """
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    from wpimap.centers import CenterConfigError

    try:
        return int(args.func(args) or 0)
    except (InputFileError, ConfigError, CenterConfigError) as exc:
        print(f"wpimap: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
