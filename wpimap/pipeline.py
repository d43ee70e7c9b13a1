"""File edges of the pipeline: each stage reads its tables, calls the stage's functions
and writes its outputs (with the parameters and versions that made them).

The Snakemake rules call these through ``wpimap stage NAME``; tests call them directly.
Paths follow the data contract in ``../shared/DESIGN.md`` under ``config['results']``.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from wpimap import __version__
from wpimap.periods import DEFAULT_CHUNK_ROWS, Period, citing_works, periods_from_config
from wpimap.tables import read_metadata, write_csv_atomic, write_frame_atomic

log = logging.getLogger("wpimap.pipeline")


class Paths:
    """Where a run's files live (the data contract's layout under ``results``)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.root = Path(config["results"])
        self.normalized = self.root / "normalized"
        self.tables = self.root / "tables"
        self.report = self.root / "report"

    def norm(self, name: str) -> Path:
        """A normalized table (works, authorships, references, rejects)."""
        return self.normalized / f"{name}.parquet"

    def period(self, label: str, name: str) -> Path:
        """A per-period file, e.g. ``period('2013-2018', 'core')``."""
        return self.root / "periods" / label / f"{name}.parquet"


def versions() -> dict[str, str]:
    """Versions of Python, wpimap and the libraries that shape the results."""
    import importlib.metadata as md

    out = {"python": platform.python_version(), "wpimap": __version__}
    for pkg in ("pandas", "pyarrow", "numpy", "scipy", "igraph", "leidenalg", "scikit-learn"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:  # pragma: no cover - optional
            continue
    return out


def meta(stage: str, config: Mapping[str, Any], sections: tuple[str, ...], synthetic: bool, **extra: Any) -> dict:
    """Metadata stored with a stage's outputs: parameters, versions, synthetic flag."""
    return {
        "stage": stage,
        "parameters": {k: config.get(k) for k in sections},
        "versions": versions(),
        "synthetic": synthetic,
        **extra,
    }


def _read(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    return pd.read_parquet(path, columns=columns)


def _read_some(path: Path, columns: list[str], arrow: bool = False) -> pd.DataFrame:
    """Read those of ``columns`` that the Parquet file has (the others are not loaded).

    ``arrow``: keep the columns as pyarrow arrays (``pd.ArrowDtype``): a list column
    (``fields``) then takes a few bytes per row instead of a numpy array per row
    (4x less memory for the works table).
    """
    import pyarrow.parquet as pq

    present = set(pq.read_schema(path).names)
    kw = {"dtype_backend": "pyarrow"} if arrow else {}
    return pd.read_parquet(path, columns=[c for c in columns if c in present], **kw)


# --------------------------------------------------------------------------- stages


def stage_core(config: Mapping[str, Any], period: str, synthetic: bool = False) -> None:
    """Select the period's core papers → ``periods/{period}/selection.parquet``."""
    from wpimap import core as core_mod
    from wpimap.periods import citation_counts

    paths = Paths(config)
    p = Period.parse(period)
    ccfg = config["core"]
    engine = config.get("compute", {}).get("engine", "local")
    if engine == "dask" and ccfg["mode"] != "references":
        # citation counts partition-wise over references.parquet (identical results);
        # a topical export (core.mode: references) is small and runs locally
        from wpimap import engine as dask_engine

        cols = ["work_id", "year", "doc_type", "fields"]
        if config["citations"]["source"] == "input":
            cols.append("cited_by_count")
        works = _read(paths.norm("works"), cols)
        sel = dask_engine.select_core(works, paths.norm("references"), p, config)
        log.info("period %s: %d core papers (dask engine)", period, len(sel))
        write_frame_atomic(
            sel, paths.period(period, "selection"),
            metadata=meta("core", config, ("core", "citations", "periods"), synthetic, period=period),
        )
        return
    chunk_rows = config["indicators"].get("chunk_rows", DEFAULT_CHUNK_ROWS)
    if ccfg["mode"] == "references":
        works = _read(paths.norm("works"))
        refs = _read(paths.norm("references"))
    else:  # only the columns the selection reads
        works = _read_some(paths.norm("works"), ["work_id", "year", "doc_type", "fields", "cited_by_count"], arrow=True)
        refs = _read_some(paths.norm("references"), ["citing_id", "cited_id"], arrow=True)
    if ccfg["mode"] == "references":
        # A topical export: the records are the citing papers; the period's core papers are
        # the references most cited by the records of the period, identified by cited_key
        # (resolved or not), so that co-citation and the core table use one identity.
        in_period = works.loc[works["year"].between(p.start, p.end), "work_id"]
        refs = refs[refs["citing_id"].isin(in_period)]
        sel = core_mod.select_core_references(refs, ccfg["references_top"], ccfg["references_min_citations"])
        sel = sel.rename(columns={"work_id": "cited_id"}).assign(work_id=sel["cited_key"])
        sel["cited_id"] = sel["cited_id"].where(sel["cited_id"] != sel["cited_key"])
        sel = sel[["work_id", *[c for c in sel.columns if c != "work_id"]]]
    else:
        cites = citation_counts(
            works, refs, p, window=config["citations"]["window"], source=config["citations"]["source"],
            chunk_rows=chunk_rows,
        )
        sel = core_mod.select_core(
            works, cites, p, top_percent=ccfg["top_percent"], doc_types=ccfg["doc_types"], chunk_rows=chunk_rows
        )
    log.info("period %s: %d core papers", period, len(sel))
    write_frame_atomic(
        sel, paths.period(period, "selection"),
        metadata=meta("core", config, ("core", "citations", "periods"), synthetic, period=period),
    )


def stage_indicators(config: Mapping[str, Any], period: str | None = None, synthetic: bool = False) -> None:
    """Indicators per country and center → ``tables/indicators_{countries,centers}.csv``."""
    from wpimap.indicators import indicator_tables

    paths = Paths(config)
    # only the columns the indicators read (not titles, abstracts, ...), kept in Arrow
    works = _read_some(paths.norm("works"), ["work_id", "year", "doc_type", "fields", "cited_by_count"], arrow=True)
    auth = _read_some(paths.norm("authorships"), ["work_id", "address", "institution", "country", "center"], arrow=True)
    refs = _read_some(paths.norm("references"), ["citing_id", "cited_id"], arrow=True)
    icfg = config["indicators"]
    countries, centers = indicator_tables(
        works,
        auth,
        periods_from_config(config),
        references=refs,
        citation_source=config["citations"]["source"],
        window=config["citations"]["window"],
        top_percents=tuple(icfg["top_percents"]),
        doc_types=tuple(config["core"]["doc_types"]),
        focus_country=icfg["focus_country"],
        single_years=icfg["single_years"],
        chunk_rows=icfg.get("chunk_rows", DEFAULT_CHUNK_ROWS),
    )
    for frame, name in ((countries, "indicators_countries"), (centers, "indicators_centers")):
        frame = frame.copy()
        frame.insert(0, "data", "synthetic" if synthetic else "input")
        write_csv_atomic(frame, paths.tables / f"{name}.csv")


def stage_map(config: Mapping[str, Any], period: str, synthetic: bool = False) -> None:
    """Co-citation, fronts, areas, labels and layout of one period."""
    from wpimap import cluster, cocitation

    paths = Paths(config)
    sel = _read(paths.period(period, "selection"))
    works = _read(paths.norm("works"), ["work_id", "year", "title", "fields"])
    engine = config.get("compute", {}).get("engine", "local")
    if engine == "dask":
        from wpimap import engine as dask_engine

        cocit = dask_engine.period_cocitation(
            sel, paths.norm("references"), config, works=works, period=Period.parse(period)
        )
    else:
        refs = _read(paths.norm("references"))
        cocit = cocitation.period_cocitation(sel, refs, config, works=works, period=Period.parse(period))
    core = sel.copy()
    core["front"] = cluster.fronts(core, cocit, config["fronts"]).to_numpy()
    core["area"] = cluster.areas(core, cocit, config["areas"]).to_numpy()
    areas = cluster.summarize_areas(core, works, cocit, config)
    m = meta("map", config, ("cocitation", "fronts", "areas", "labels", "layout", "core"), synthetic, period=period)
    write_frame_atomic(cocit, paths.period(period, "cocitation"), metadata=m)
    write_frame_atomic(core, paths.period(period, "core"), metadata=m)
    write_frame_atomic(areas, paths.period(period, "map_areas"), metadata=m)
    log.info("period %s: %d core papers, %d co-citation links, %d fronts, %d areas",
             period, len(core), len(cocit), core["front"].nunique(), len(areas))


def stage_evolve(config: Mapping[str, Any], period: str | None = None, synthetic: bool = False) -> None:
    """Interdisciplinarity, continuity, Sci-GEO and emergence across periods."""
    from wpimap.evolution import evolve

    paths = Paths(config)
    labels = [p.label for p in periods_from_config(config)]
    cores = {p: _read(paths.period(p, "core")) for p in labels}
    cocits = {p: _read(paths.period(p, "cocitation")) for p in labels}
    areas = {p: _read(paths.period(p, "map_areas")) for p in labels}
    works = _read(paths.norm("works"), ["work_id", "year", "fields"])
    refs = _read(paths.norm("references"))
    out = evolve(labels, cores, cocits, areas, works, refs, config)
    all_areas = []
    for p in labels:
        m = meta("evolve", config, ("interdisciplinarity", "continuity", "emergence"), synthetic, period=p)
        write_frame_atomic(out["areas"][p], paths.period(p, "areas"), metadata=m)
        all_areas.append(out["areas"][p].assign(period=p))
    table = pd.concat(all_areas, ignore_index=True) if all_areas else pd.DataFrame()
    if not table.empty:
        table = table[["period", *[c for c in table.columns if c != "period"]]]
    write_csv_atomic(table, paths.tables / "areas.csv")
    write_csv_atomic(out["transitions"], paths.tables / "transitions.csv")
    write_csv_atomic(out["vanish_rates"], paths.tables / "vanish_rates.csv")
    write_csv_atomic(out["links"], paths.tables / "area_links.csv")


def stage_participation(config: Mapping[str, Any], period: str | None = None, synthetic: bool = False) -> None:
    """Participation of countries and centers, and the WPI contribution tables."""
    from wpimap import participation as part
    from wpimap import wpi

    paths = Paths(config)
    labels = [p.label for p in periods_from_config(config)]
    auth = _read(paths.norm("authorships"))
    works = _read(paths.norm("works"), ["work_id", "year", "fields"])
    refs = _read(paths.norm("references"))
    cores = {p: _read(paths.period(p, "core")) for p in labels}
    areas = {p: _read(paths.period(p, "areas")) for p in labels}
    pcfg = config["participation"]
    tables = part.participation_tables(labels, cores, areas, auth, refs, pcfg, works=works)
    focus = config["indicators"]["focus_country"]
    contrib = wpi.wpi_contribution_tables(labels, cores, areas, auth, tables["centers"], focus=focus)
    fields = wpi.center_fields(works, auth)
    write_csv_atomic(tables["countries"], paths.tables / "participation_countries.csv")
    write_csv_atomic(tables["centers"], paths.tables / "participation_centers.csv")
    write_csv_atomic(contrib, paths.tables / "wpi_contribution.csv")
    write_csv_atomic(fields, paths.tables / "center_fields.csv")


def stage_report(config: Mapping[str, Any], period: str | None = None, synthetic: bool = False) -> None:
    """Figures, the HTML report and the workbook."""
    from wpimap.report import build_report

    path = build_report(config, synthetic=synthetic)
    print(f"report: {path}")


STAGES: dict[str, Callable[..., None]] = {
    "core": stage_core,
    "indicators": stage_indicators,
    "map": stage_map,
    "evolve": stage_evolve,
    "participation": stage_participation,
    "report": stage_report,
}


def run_stage(name: str, config: Mapping[str, Any], period: str | None = None, synthetic: bool = False) -> None:
    """Run one stage by name.

    Parameters
    ----------
    name : str
        One of :data:`STAGES`.
    config : mapping
        The validated configuration.
    period : str, optional
        Period label for per-period stages.
    synthetic : bool
        The run's input is the synthetic world (recorded in every output).
    """
    if name not in STAGES:
        raise ValueError(f"unknown stage {name!r}; choose from {', '.join(STAGES)}")
    fn = STAGES[name]
    if name in ("core", "map") and not period:
        raise ValueError(f"stage {name} needs --period")
    fn(config, period=period, synthetic=synthetic)


def scan_resolutions(config: Mapping[str, Any], period: str, level: str, resolutions: list[float], seeds: int) -> pd.DataFrame:
    """Resolution scan on a finished period's co-citation graph (``wpimap scan``)."""
    from wpimap import cluster

    paths = Paths(config)
    cocit = _read(paths.period(period, "cocitation"))
    core = _read(paths.period(period, "core"))
    if level == "areas":
        g = cluster.front_graph(core, cocit)
        edges, nodes = g, sorted(core.loc[core["front"] >= 0, "front"].unique())
    else:
        edges, nodes = cocit, core["work_id"].tolist()
    return cluster.scan(edges, nodes, resolutions, list(range(seeds)), config[level]["method"])


def explain(config: Mapping[str, Any], period: str, area_a: int, area_b: int) -> pd.DataFrame:
    """Core and citing papers behind the link between two areas (``wpimap explain``)."""
    from wpimap.explain import explain_link

    paths = Paths(config)
    core = _read(paths.period(period, "core"))
    cocit = _read(paths.period(period, "cocitation"))
    refs = _read(paths.norm("references"))
    key = "cited_key" if config["core"]["mode"] == "references" else "cited_id"
    citing = None
    if config["cocitation"]["citing_years"] == "period":
        works = _read(paths.norm("works"), ["work_id", "year"])
        citing = citing_works(works, Period.parse(period))
    all_pairs = config["continuity"]["area_links"] == "citing" and key == "cited_id"  # as the map's links
    return explain_link(area_a, area_b, core, refs, cocit, key=key, citing_ids=citing, all_pairs=all_pairs)


def stage_metadata(path: str | Path) -> dict[str, Any]:
    """The parameters and versions stored in one of the pipeline's Parquet outputs."""
    return read_metadata(path)
