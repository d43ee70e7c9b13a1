"""Dask engine for the heavy joins: citation counts, core selection and co-citation.

``compute.engine: dask`` runs the per-reference work partition-wise over the Parquet
tables (``dask.dataframe.read_parquet`` of ``references.parquet``) on a
``dask.distributed`` cluster: an existing scheduler (``compute.dask.address``) or a
``LocalCluster`` of ``compute.dask.workers`` single-threaded worker processes with
``compute.dask.memory_limit`` each. The per-work tables (works, core papers) stay in
pandas on the driver: they are small next to the references (one row per work instead
of one per citing link).

Results are identical to the local engine (:mod:`wpimap.periods`, :mod:`wpimap.core`,
:mod:`wpimap.cocitation`): the partitions only compute integer counts, which are summed
exactly (in any order, on any number of workers); the floating point steps (Top X%
weights, normalized strengths) run once on the driver with the same code and formulas.

Citation counts (:func:`citation_counts`)
    each partition maps ``citing_id``/``cited_id`` to row numbers of ``works`` (a hashed
    look-up against the work ids broadcast to every worker), drops unresolved links,
    self-citations and citing years after the period end (or outside the citation
    window); the (cited, citing) pairs are shuffled on the cited work so that the
    duplicates of a pair meet in one partition, where distinct pairs are counted per
    cited work.
Core selection (:func:`select_core`)
    the corrected Top X% needs whole (year × field) cells, which are small: the counts
    come from :func:`citation_counts` and :func:`wpimap.core.select_core` runs on the
    reduced per-work table.
Co-citation (:func:`period_cocitation`)
    each partition keeps the links to core papers from the period's citing papers
    (as column numbers of the core); the links are shuffled on ``citing_id`` so that a
    citing paper's row of the incidence matrix lives in one partition; each partition
    builds its citing × core incidence block (:func:`wpimap.cocitation.incidence`),
    its upper triangle of ``AᵀA`` (:func:`wpimap.cocitation.cooccurrence_upper`), its
    column sums ``C_A`` and its number of rows; the blocks are added in a binary tree.
    Thresholds and the normalization are then applied once, as in
    :func:`wpimap.cocitation.cocitation`.

Memory: the shuffles use distributed's peer-to-peer shuffle (buffered on disk), and
workers spill stored partitions to disk before they run out of memory (fractions of
``memory_limit``: :data:`WORKER_MEMORY`); see ``docs/scaling.md``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from wpimap.cocitation import pairs_from_upper
from wpimap.periods import Period, citing_works, positions, unique_sorted, work_years

log = logging.getLogger("wpimap.engine")

#: Worker memory management (fractions of ``memory_limit``): spill stored data to disk
#: from ``spill`` (``target`` for managed memory), pause new tasks at ``pause``, restart
#: the worker only at ``terminate``.
WORKER_MEMORY = {
    "distributed.worker.memory.target": 0.6,
    "distributed.worker.memory.spill": 0.7,
    "distributed.worker.memory.pause": 0.85,
    "distributed.worker.memory.terminate": 0.98,
}

_QUIET_LOGGERS = ("distributed.shuffle._scheduler_plugin", "distributed.core", "distributed.scheduler")


def dask_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``compute.dask`` with defaults filled in.

    Parameters
    ----------
    config : mapping
        The full configuration.

    Returns
    -------
    dict
        ``address`` (str or None), ``workers`` (int), ``memory_limit`` (str).
    """
    d = dict((config.get("compute") or {}).get("dask") or {})
    d.setdefault("address", None)
    d.setdefault("workers", 2)
    d.setdefault("memory_limit", "4GB")
    if int(d["workers"]) < 1:
        raise ValueError(f"compute.dask.workers must be >= 1, got {d['workers']}")
    return d


@contextlib.contextmanager
def get_client(config: Mapping[str, Any]) -> Iterator[Any]:
    """Open a ``dask.distributed`` client for the run, and close it at the end.

    Connects to ``compute.dask.address`` when set (the cluster is left running), else
    starts a ``LocalCluster`` of ``compute.dask.workers`` worker processes with one
    thread and ``compute.dask.memory_limit`` each (closed at the end). Workers spill
    to disk per :data:`WORKER_MEMORY`.

    Parameters
    ----------
    config : mapping
        The full configuration (reads ``compute.dask``).

    Yields
    ------
    distributed.Client
    """
    import dask
    from distributed import Client, LocalCluster

    d = dask_settings(config)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    with dask.config.set(WORKER_MEMORY):
        if d["address"]:
            try:
                client = Client(d["address"], timeout="30s")
            except OSError as exc:
                raise ValueError(f"compute.dask.address {d['address']}: cannot connect ({exc})") from None
            try:
                yield client
            finally:
                client.close()
            return
        cluster = LocalCluster(
            n_workers=int(d["workers"]),
            threads_per_worker=1,
            processes=True,
            memory_limit=d["memory_limit"],
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()


@contextlib.contextmanager
def _client_for(config: Mapping[str, Any], client: Any) -> Iterator[Any]:
    """The given client, or one from :func:`get_client` for the duration."""
    if client is not None:
        yield client
    else:
        with get_client(config) as c:
            yield c


def _n_workers(client: Any) -> int:
    return max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))


def _read_references(path: str | Path, columns: list[str], client: Any, npartitions: int | None) -> Any:
    """``references.parquet`` as a dask DataFrame with at least ``npartitions`` partitions."""
    import dask.dataframe as dd

    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: references table not found (run the ingest stage first)")
    refs = dd.read_parquet(str(path), columns=columns, split_row_groups="infer")
    want = npartitions or 2 * _n_workers(client)
    if refs.npartitions < want:
        refs = refs.repartition(npartitions=want)
    return refs


# --------------------------------------------------------------------------- citation counts


def _citation_pairs(
    part: pd.DataFrame, ids: pa.Array, years: np.ndarray, end: int, window: int | None
) -> pd.DataFrame:
    """(cited, citing) row numbers of a partition's countable links (see :func:`citation_counts`)."""
    citing = positions(part["citing_id"], ids)
    cited = positions(part["cited_id"], ids)
    keep = (citing >= 0) & (cited >= 0) & (citing != cited)
    citing, cited = citing[keep], cited[keep]
    cy = years[citing]
    keep = (cy >= 0) & (cy <= end)
    if window is not None:
        y0 = years[cited]
        keep &= (y0 >= 0) & (cy <= y0 + window)
    return pd.DataFrame({"cited": cited[keep], "citing": citing[keep]})


def _count_distinct(part: pd.DataFrame, n: int) -> pd.DataFrame:
    """Distinct citing works per cited work; all rows of a cited work are in ``part``."""
    n = max(n, 1)
    pairs = unique_sorted(part["cited"].to_numpy(np.int64) * np.int64(n) + part["citing"].to_numpy(np.int64))
    cited, counts = unique_sorted(pairs // n, return_counts=True)
    return pd.DataFrame({"cited": cited.astype(np.int64), "count": counts.astype(np.int64)})


def citation_counts(
    works: pd.DataFrame,
    references: str | Path,
    period: Period | str,
    window: int | None = None,
    source: str = "corpus",
    config: Mapping[str, Any] | None = None,
    client: Any = None,
    npartitions: int | None = None,
) -> pd.Series:
    """Citation counts at the end of ``period``, partition-wise over ``references.parquet``.

    The same counts as :func:`wpimap.periods.citation_counts` (each distinct
    (citing, cited) pair of resolved, in-corpus works once; no self-citations; citing
    works published in or before the period end, and at most ``window`` years after
    the cited work).

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id`` unique, ``year``; ``cited_by_count`` for ``input``).
    references : path-like
        ``references.parquet`` (``citing_id``, ``cited_id``).
    period : Period or str
        The period whose end bounds the citing years.
    window : int, optional
        Citation window in years after publication.
    source : {'corpus', 'input'}
        ``input`` uses ``works.cited_by_count`` (no join; computed locally).
    config : mapping, optional
        The configuration (``compute.dask``) when no ``client`` is given.
    client : distributed.Client, optional
        Client to use; by default one from :func:`get_client` for the call.
    npartitions : int, optional
        Minimum number of reference partitions (default: twice the workers).

    Returns
    -------
    pandas.Series of int64
        Indexed by ``work_id`` in the order of ``works``, named ``citations``.
    """
    from wpimap import periods

    if isinstance(period, str):
        period = Period.parse(period)
    if source != "corpus":
        return periods.citation_counts(works, None, period, window=window, source=source)
    if window is not None and window < 0:
        raise ValueError(f"citation_counts: negative citation window {window}")
    ids = pa.array(works["work_id"].astype(object), type=pa.large_string(), from_pandas=True)
    uniq = pc.count_distinct(ids, mode="only_valid").as_py()
    if uniq != len(ids) or ids.null_count:
        dup = works["work_id"][works["work_id"].duplicated()]
        example = dup.iloc[0] if len(dup) else None
        raise ValueError(f"citation_counts: works.work_id is not unique (e.g. {example!r})")
    n = len(works)
    years = work_years(works)
    with _client_for(config or {}, client) as cl:
        refs = _read_references(references, ["citing_id", "cited_id"], cl, npartitions)
        ids_f, years_f = cl.scatter([ids, years], broadcast=True)
        meta = pd.DataFrame({"cited": np.empty(0, np.int64), "citing": np.empty(0, np.int64)})
        pairs = refs.map_partitions(_citation_pairs, ids_f, years_f, period.end, window, meta=meta)
        pairs = pairs.shuffle(on="cited", npartitions=refs.npartitions)
        counted = pairs.map_partitions(
            _count_distinct, n, meta=pd.DataFrame({"cited": np.empty(0, np.int64), "count": np.empty(0, np.int64)})
        )
        per_cited = cl.compute(counted).result()
    counts = np.zeros(n, dtype=np.int64)
    counts[per_cited["cited"].to_numpy(np.int64)] = per_cited["count"].to_numpy(np.int64)
    return pd.Series(counts, index=pd.Index(works["work_id"], name="work_id"), name="citations")


def select_core(
    works: pd.DataFrame,
    references: str | Path,
    period: Period | str,
    config: Mapping[str, Any],
    client: Any = None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Core papers of a period with citation counts from the Dask engine.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table.
    references : path-like
        ``references.parquet``.
    period : Period or str
        The period.
    config : mapping
        The full configuration (``core``, ``citations``, ``compute.dask``).
    client : distributed.Client, optional
        Client to use.
    npartitions : int, optional
        Minimum number of reference partitions.

    Returns
    -------
    pandas.DataFrame
        As :func:`wpimap.core.select_core`.
    """
    from wpimap import core as core_mod

    cites = citation_counts(
        works, references, period, window=config["citations"]["window"], source=config["citations"]["source"],
        config=config, client=client, npartitions=npartitions,
    )
    ccfg = config["core"]
    return core_mod.select_core(works, cites, period, top_percent=ccfg["top_percent"], doc_types=ccfg["doc_types"])


# --------------------------------------------------------------------------- co-citation


def _core_links(part: pd.DataFrame, key: str, core_ids: pa.Array, citing_ids: pa.Array | None) -> pd.DataFrame:
    """A partition's links to core papers: ``citing_id`` and the core column number ``col``."""
    col = positions(part[key], core_ids)
    keep = col >= 0
    citing = part["citing_id"]
    keep &= citing.notna().to_numpy()
    if citing_ids is not None:
        keep &= pc.is_in(pa.array(citing.astype(object), from_pandas=True), value_set=citing_ids).to_numpy(
            zero_copy_only=False
        )
    return pd.DataFrame({"citing_id": citing[keep].astype(object).to_numpy(), "col": col[keep].astype(np.int64)})


def _block(part: pd.DataFrame, n_core: int, chunk_rows: int) -> tuple[sp.csr_matrix, np.ndarray, int]:
    """Upper triangle of AᵀA, column sums and rows of one partition's incidence block."""
    from wpimap.cocitation import cooccurrence_upper, incidence

    if len(part) == 0:
        return sp.csr_matrix((n_core, n_core), dtype=np.int32), np.zeros(n_core, dtype=np.int64), 0
    A, citing_index, _ = incidence(np.arange(n_core, dtype=np.int64), part, key="col")
    if A.shape[1] != n_core:  # pragma: no cover - incidence keeps every core id as a column
        raise AssertionError("incidence block has the wrong number of columns")
    upper = cooccurrence_upper(A, chunk_rows)
    colsum = np.asarray(A.sum(axis=0), dtype=np.int64).ravel()
    return upper, colsum, len(citing_index)


def _add(x: tuple[sp.csr_matrix, np.ndarray, int], y: tuple[sp.csr_matrix, np.ndarray, int]) -> tuple:
    """Sum of two partial results of :func:`_block` (exact integer sums)."""
    total = x[0] + y[0]
    total.sum_duplicates()
    return total, x[1] + y[1], x[2] + y[2]


def _tree_sum(items: list[Any]) -> Any:
    """Add delayed partial results pairwise, level by level (a binary tree)."""
    from dask import delayed

    add = delayed(_add, pure=True)
    while len(items) > 1:
        nxt = [add(items[k], items[k + 1]) for k in range(0, len(items) - 1, 2)]
        if len(items) % 2:
            nxt.append(items[-1])
        items = nxt
    return items[0]


def period_cocitation(
    core: pd.DataFrame,
    references: str | Path,
    cfg: Mapping[str, Any],
    works: pd.DataFrame | None = None,
    period: Any = None,
    client: Any = None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Co-citation table of one period, partition-wise (as :func:`wpimap.cocitation.period_cocitation`).

    Parameters
    ----------
    core : pandas.DataFrame
        Core papers of the period (``work_id``).
    references : path-like
        ``references.parquet`` (``citing_id``, ``cited_id`` / ``cited_key``).
    cfg : mapping
        The full configuration (``cocitation``, ``core.mode``, ``compute.dask``).
    works : pandas.DataFrame, optional
        ``work_id``, ``year``; with ``cocitation.citing_years: period`` only the
        period's papers cite.
    period : Period, optional
        The period.
    client : distributed.Client, optional
        Client to use; by default one from :func:`get_client` for the call.
    npartitions : int, optional
        Minimum number of reference partitions (default: twice the workers).

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength``; the same rows, order, dtypes and values
        as the local engine.
    """
    from dask import delayed

    from wpimap.cocitation import incidence

    cc = cfg.get("cocitation", {})
    mode = cfg.get("core", {}).get("mode", "database")
    key = "cited_key" if mode == "references" else "cited_id"
    empty = pd.DataFrame({"citing_id": pd.Series(dtype=object), key: pd.Series(dtype=object)})
    _, _, core_index = incidence(core["work_id"], empty, key=key)  # the local engine's column order
    n_core = len(core_index)
    sel = citing_works(works, period, cc.get("citing_years", "period"))
    citing = None if sel is None else pa.array(sel.astype(object), type=pa.large_string(), from_pandas=True)
    chunk_rows = cc.get("chunk_rows", 200_000)
    if chunk_rows < 1:
        raise ValueError(f"cocitation.chunk_rows must be >= 1, got {chunk_rows}")
    core_ids = pa.array(pd.Series(core_index, dtype=object), type=pa.large_string(), from_pandas=True)
    with _client_for(cfg, client) as cl:
        refs = _read_references(references, ["citing_id", key], cl, npartitions)
        core_f, citing_f = cl.scatter([core_ids, citing], broadcast=True)
        meta = pd.DataFrame({"citing_id": pd.Series(dtype=object), "col": np.empty(0, np.int64)})
        links = refs.map_partitions(_core_links, key, core_f, citing_f, meta=meta)
        links = links.shuffle(on="citing_id", npartitions=refs.npartitions)
        block = delayed(_block, pure=True)
        parts = [block(p, n_core, chunk_rows) for p in links.to_delayed()]
        upper, ca, n_citing = cl.compute(_tree_sum(parts)).result()
    log.info("co-citation: %d core papers, %d citing papers, %d co-cited pairs", n_core, n_citing, upper.nnz)
    return pairs_from_upper(
        upper, ca, n_citing, core_index,
        min_count=cc.get("min_count", 2),
        min_strength=cc.get("min_strength", 0.1),
        normalization=cc.get("normalization", "cosine"),
    )
