"""The Dask engine agrees exactly with the local engine (issue 8).

The ``small`` synthetic world (40,000 works, ~0.7M citing links) runs through
``stage_core`` and ``stage_map`` with ``compute.engine: local`` and ``dask`` (a
distributed LocalCluster of 2 worker processes, 1 thread each), into two result
folders; the selection, core, co-citation and area tables must be equal row for row,
dtype for dtype and bit for bit. Small hand-made tables check the counts against
brute-force Python sets.
"""

from __future__ import annotations

import itertools
import logging
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wpimap import engine
from wpimap.config import load_config
from wpimap.periods import Period
from wpimap.tables import SCHEMAS, write_frame_atomic

pytest.importorskip("distributed")

PERIOD = "2013-2018"


@pytest.fixture(scope="module")
def dask_address():
    """One LocalCluster (2 worker processes, 1 thread each) for the module."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit="2GB", dashboard_address=":0",
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


def _config(results: Path, engine_name: str, address: str | None, **cocit) -> dict:
    cfg = load_config(
        overrides={
            "results": str(results),
            "compute": {"engine": engine_name, "dask": {"address": address, "workers": 2}},
        }
    )
    cfg["cocitation"].update(cocit)
    return cfg


def _write_normalized(root: Path, works: pd.DataFrame, refs: pd.DataFrame) -> None:
    norm = root / "normalized"
    write_frame_atomic(works, norm / "works.parquet", schema=SCHEMAS["works"])
    write_frame_atomic(refs, norm / "references.parquet", schema=SCHEMAS["references"])


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    """The small synthetic world's normalized tables, written once."""
    from wpimap.synth import make_world

    world = make_world("small", 42)
    root = tmp_path_factory.mktemp("small")
    src = root / "src"
    _write_normalized(src, world.works, world.references)
    return src


def _copy_normalized(src: Path, dst: Path) -> None:
    (dst / "normalized").mkdir(parents=True)
    for name in ("works", "references"):
        (dst / "normalized" / f"{name}.parquet").write_bytes((src / "normalized" / f"{name}.parquet").read_bytes())


def test_small_world_local_and_dask_identical(small_world, dask_address, tmp_path):
    from wpimap.pipeline import stage_core, stage_map

    out = {}
    for name, address in (("local", None), ("dask", dask_address)):
        root = tmp_path / name
        _copy_normalized(small_world, root)
        cfg = _config(root, name, address)
        stage_core(cfg, PERIOD, synthetic=True)
        stage_map(cfg, PERIOD, synthetic=True)
        out[name] = {
            t: pd.read_parquet(root / "periods" / PERIOD / f"{t}.parquet")
            for t in ("selection", "cocitation", "core", "map_areas")
        }
    sel = out["local"]["selection"]
    assert len(sel) > 100 and out["local"]["cocitation"].shape[0] > 1000  # a real map, not an empty one
    for t in out["local"]:
        pd.testing.assert_frame_equal(out["local"][t], out["dask"][t], check_exact=True)


def _brute_counts(works, refs, end, window=None):
    """Citation counts by Python sets (the local engine's documented rule)."""
    year = dict(zip(works["work_id"], works["year"], strict=True))
    pairs = set()
    for a, b in zip(refs["citing_id"], refs["cited_id"], strict=True):
        if b is None or a not in year or b not in year or a == b:
            continue
        if year[a] > end or (window is not None and year[a] > year[b] + window):
            continue
        pairs.add((a, b))
    return [sum(1 for p in pairs if p[1] == w) for w in works["work_id"]]


def _toy(tmp_path, seed=0):
    rng = np.random.default_rng(seed)
    n = 60
    ids = [f"W{i:03d}" for i in range(n)]
    works = pd.DataFrame({"work_id": ids, "year": rng.integers(2010, 2021, n).astype(np.int32)})
    m = 900
    citing = rng.integers(0, n + 5, m)  # some citing ids outside the corpus
    cited = rng.integers(0, n, m)
    refs = pd.DataFrame(
        {
            "citing_id": [f"W{i:03d}" for i in citing],
            "cited_key": [f"K{i}" for i in cited],
            "cited_id": [None if k % 17 == 0 else f"W{i:03d}" for k, i in enumerate(cited)],  # unresolved ones
        }
    )
    path = tmp_path / "references.parquet"
    write_frame_atomic(refs, path, schema=SCHEMAS["references"])
    return works, refs, path


@pytest.mark.parametrize("window", [None, 2])
def test_citation_counts_brute_force(tmp_path, dask_address, window):
    works, refs, path = _toy(tmp_path)
    cfg = {"compute": {"dask": {"address": dask_address}}}
    got = engine.citation_counts(works, path, Period(2013, 2018), window=window, config=cfg, npartitions=5)
    assert got.index.tolist() == works["work_id"].tolist() and got.dtype == np.int64
    assert got.tolist() == _brute_counts(works, refs, 2018, window)


@pytest.mark.parametrize("normalization", ["cosine", "association", "raw"])
def test_cocitation_brute_force(tmp_path, dask_address, normalization):
    works, refs, path = _toy(tmp_path, seed=1)
    core = pd.DataFrame({"work_id": [f"W{i:03d}" for i in range(0, 60, 3)]})
    coreset = set(core["work_id"])
    p = Period(2012, 2019)
    in_period = set(works.loc[works["year"].between(p.start, p.end), "work_id"])
    cited_by: dict[str, set] = {}
    for a, b in zip(refs["citing_id"], refs["cited_id"], strict=True):
        if a in in_period and b in coreset:
            cited_by.setdefault(a, set()).add(b)
    ca = {c: sum(c in s for s in cited_by.values()) for c in coreset}
    n_rows = len(cited_by)
    expect = []
    for x, y in itertools.combinations(sorted(coreset), 2):
        c = sum(x in s and y in s for s in cited_by.values())
        if c < 2:
            continue
        s = {"cosine": c / math.sqrt(ca[x] * ca[y]), "association": c * n_rows / (ca[x] * ca[y]), "raw": float(c)}
        if s[normalization] >= 0.1:
            expect.append((x, y, c, s[normalization]))
    cfg = {"cocitation": {"min_count": 2, "min_strength": 0.1, "normalization": normalization, "chunk_rows": 7},
           "compute": {"dask": {"address": dask_address}}}
    got = engine.period_cocitation(core, path, cfg, works=works, period=p, npartitions=4)
    assert len(expect) > 5
    assert [(a, b, c) for a, b, c, _ in got.itertuples(index=False)] == [e[:3] for e in expect]
    np.testing.assert_allclose(got["strength"].to_numpy(), [e[3] for e in expect], rtol=1e-12)


def test_duplicate_work_ids_and_missing_table(tmp_path, dask_address):
    works, _, path = _toy(tmp_path)
    cfg = {"compute": {"dask": {"address": dask_address}}}
    dup = pd.concat([works, works.head(1)], ignore_index=True)
    with pytest.raises(ValueError, match="not unique"):
        engine.citation_counts(dup, path, Period(2013, 2018), config=cfg)
    with pytest.raises(ValueError, match="references table not found"):
        engine.citation_counts(works, tmp_path / "nope.parquet", Period(2013, 2018), config=cfg)


def test_dask_settings_defaults_and_errors():
    assert engine.dask_settings({}) == {"address": None, "workers": 2, "memory_limit": "4GB"}
    with pytest.raises(ValueError, match="workers"):
        engine.dask_settings({"compute": {"dask": {"workers": 0}}})


def test_references_mode_matches_local(tmp_path, dask_address):
    """core.mode references: core ids are cited_key values; both engines give the same table."""
    from wpimap.cocitation import period_cocitation as local_cocitation

    works, refs, path = _toy(tmp_path, seed=2)
    core = pd.DataFrame({"work_id": [f"K{i}" for i in range(0, 60, 2)]})
    cfg = {"core": {"mode": "references"}, "cocitation": {"min_count": 2, "min_strength": 0.0},
           "compute": {"dask": {"address": dask_address}}}
    p = Period(2010, 2020)
    want = local_cocitation(core, refs, cfg, works=works, period=p)
    got = engine.period_cocitation(core, path, cfg, works=works, period=p, npartitions=3)
    assert len(want) > 10
    pd.testing.assert_frame_equal(want, got, check_exact=True)


def test_get_client_starts_and_closes_a_local_cluster():
    cfg = {"compute": {"dask": {"address": None, "workers": 1, "memory_limit": "1GB"}}}
    with engine.get_client(cfg) as client:
        workers = client.scheduler_info(n_workers=-1)["workers"]
        assert len(workers) == 1
        (w,) = workers.values()
        assert w["memory_limit"] == 10**9 and w["nthreads"] == 1
        cluster = client.cluster
    assert cluster.status.name == "closed"
