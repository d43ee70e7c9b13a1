"""2-D map coordinates of research areas: deterministic force-directed layout."""

from __future__ import annotations

import random
from collections.abc import Iterable

import igraph as ig
import numpy as np
import pandas as pd


def _normalize(xy: np.ndarray) -> np.ndarray:
    """Center on the bounding box and scale by the larger half-range into [-1, 1] (aspect kept)."""
    if len(xy) == 0:
        return xy
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    center = (lo + hi) / 2.0
    half = float(np.max(hi - lo)) / 2.0
    out = (xy - center) / half if half > 0 else (xy - center) * 0.0
    return np.round(out, 12) + 0.0  # byte-stable, no -0.0


def layout_areas(
    area_graph: pd.DataFrame,
    areas: Iterable[int],
    seed: int = 42,
    iterations: int = 500,
) -> pd.DataFrame:
    """Force-directed (Fruchterman–Reingold) coordinates of the areas, deterministic.

    Linked areas are placed by igraph's ``layout_fruchterman_reingold`` (edge weights =
    summed link strength) from initial positions drawn with ``numpy`` from ``seed`` and
    with igraph's generator seeded too. Areas with no link are placed on a ring of radius
    1.25 × the linked layout's radius, in area order, starting at the top. The whole
    layout is then centered and scaled into [-1, 1] keeping the aspect ratio.

    Parameters
    ----------
    area_graph : pandas.DataFrame
        ``area_a``, ``area_b``, ``weight`` (see :func:`wpimap.cluster.area_graph`).
    areas : iterable of int
        Every area to place.
    seed : int
        Seed of the initial positions and igraph's RNG.
    iterations : int
        Fruchterman–Reingold iterations.

    Returns
    -------
    pandas.DataFrame
        ``area``, ``x``, ``y`` sorted by area.
    """
    ids = np.sort(np.unique(np.asarray(list(areas), dtype=np.int64)))
    index = pd.Index(ids)
    xy = np.zeros((len(ids), 2))
    if len(ids) == 0:
        return pd.DataFrame({"area": ids, "x": [], "y": []})
    e = area_graph[area_graph["area_a"].isin(index) & area_graph["area_b"].isin(index)]
    e = e[e["area_a"] != e["area_b"]].sort_values(["area_a", "area_b"])
    linked = np.zeros(len(ids), dtype=bool)
    if len(e):
        ia, ib = index.get_indexer(e["area_a"]), index.get_indexer(e["area_b"])
        linked[ia] = True
        linked[ib] = True
        sub = np.flatnonzero(linked)
        pos = pd.Series(np.arange(len(sub)), index=sub)
        g = ig.Graph(n=len(sub), edges=list(zip(pos[ia].tolist(), pos[ib].tolist(), strict=True)))
        rng = np.random.default_rng(seed)
        init = rng.uniform(-1.0, 1.0, size=(len(sub), 2)).tolist()
        w = e["weight"].to_numpy(dtype=np.float64)
        w = (w / w.max()).tolist() if w.max() > 0 else None
        ig.set_random_number_generator(random.Random(seed))
        try:
            lay = g.layout_fruchterman_reingold(weights=w, niter=int(iterations), seed=init, grid="nogrid")
        finally:
            ig.set_random_number_generator(random)
        coords = np.asarray(lay.coords, dtype=np.float64)
        coords = coords - coords.mean(axis=0)
        xy[sub] = coords
    iso = np.flatnonzero(~linked)
    if len(iso):
        radius = float(np.max(np.linalg.norm(xy[linked], axis=1))) * 1.25 if linked.any() else 1.0
        radius = radius if radius > 0 else 1.0
        angles = np.pi / 2 - 2 * np.pi * np.arange(len(iso)) / len(iso)
        xy[iso] = np.column_stack([radius * np.cos(angles), radius * np.sin(angles)])
    xy = _normalize(xy)
    return pd.DataFrame({"area": ids, "x": xy[:, 0], "y": xy[:, 1]})
