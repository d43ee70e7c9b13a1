"""Provenance of a link of the map: the core-paper pairs and citing papers behind it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

EXPLAIN_COLUMNS = ["area_a", "area_b", "a", "b", "count", "strength", "citing_id"]


def explain_link(
    area_a: int,
    area_b: int,
    core: pd.DataFrame,
    references: pd.DataFrame,
    cocit: pd.DataFrame,
    key: str = "cited_id",
    citing_ids: Iterable[Any] | None = None,
    all_pairs: bool = False,
) -> pd.DataFrame:
    """List the co-cited core-paper pairs linking two areas and the papers citing both.

    Parameters
    ----------
    area_a, area_b : int
        The two areas (may be equal: the internal links of one area).
    core : pandas.DataFrame
        ``work_id``, ``area``.
    references : pandas.DataFrame
        ``citing_id`` and ``key``.
    cocit : pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength`` of the period.
    key : {'cited_id', 'cited_key'}
        Reference column identifying core papers (``cited_key`` in ``references`` mode).
    citing_ids : iterable, optional
        The citing papers the co-citation counts were made from (e.g. the period's
        papers); None uses every citing paper.
    all_pairs : bool
        Every co-cited pair across the two areas, as the area links of
        ``continuity.area_links: citing`` count them, not only the pairs kept by the
        co-citation thresholds; ``count`` is then the number of listed citing papers of
        the pair and ``strength`` is NaN for pairs the thresholds dropped.

    Returns
    -------
    pandas.DataFrame
        ``area_a``, ``area_b``, ``a`` (core paper in ``area_a``), ``b`` (in ``area_b``),
        ``count``, ``strength`` of the pair, ``citing_id``: one row per (pair, citing
        paper citing both). Sorted by decreasing strength, then a, b, citing_id.
        Empty when no kept co-citation pair joins the areas.

    Raises
    ------
    ValueError
        When an area is not in ``core``.
    """
    known = set(core["area"].unique().tolist())
    for area in (area_a, area_b):
        if area not in known:
            raise ValueError(f"explain: area {area} is not in the period's core table")
    area_of = pd.Series(core["area"].to_numpy(), index=core["work_id"].to_numpy())
    aa = cocit["a"].map(area_of)
    ab = cocit["b"].map(area_of)
    fwd = cocit[(aa == area_a) & (ab == area_b)]
    rev = cocit[(aa == area_b) & (ab == area_a)].rename(columns={"a": "b", "b": "a"})
    pairs = pd.concat([fwd, rev[fwd.columns]], ignore_index=True) if area_a != area_b else fwd
    pairs = pairs[["a", "b", "count", "strength"]].drop_duplicates(["a", "b"])
    refs = references[["citing_id", key]].dropna()
    if all_pairs:
        needed = pd.Index(core.loc[core["area"].isin([area_a, area_b]), "work_id"])
    else:
        needed = pd.Index(pd.unique(pd.concat([pairs["a"], pairs["b"]], ignore_index=True)))
    refs = refs[refs[key].isin(needed)]
    if citing_ids is not None:
        refs = refs[refs["citing_id"].isin(pd.Index(list(citing_ids)))]
    refs = refs.drop_duplicates()
    if all_pairs:
        cited_area = refs[key].map(area_of)
        left = refs[cited_area == area_a].rename(columns={key: "a"})
        both = left.merge(refs[cited_area == area_b].rename(columns={key: "b"}), on="citing_id")
        both = both[both["a"] < both["b"]] if area_a == area_b else both[both["a"] != both["b"]]
        both = both.assign(count=both.groupby(["a", "b"])["citing_id"].transform("size"))
        both = both.merge(pairs[["a", "b", "strength"]], on=["a", "b"], how="left")
        both.insert(0, "area_b", area_b)
        both.insert(0, "area_a", area_a)
        both = both.sort_values(["count", "a", "b", "citing_id"], ascending=[False, True, True, True], kind="stable")
        return both[EXPLAIN_COLUMNS].reset_index(drop=True)
    left = pairs.merge(refs.rename(columns={key: "a"}), on="a", how="inner")
    both = left.merge(refs.rename(columns={key: "b"}), on=["citing_id", "b"], how="inner")
    both.insert(0, "area_b", area_b)
    both.insert(0, "area_a", area_a)
    both = both.sort_values(
        ["strength", "a", "b", "citing_id"], ascending=[False, True, True, True], kind="stable"
    )
    return both[EXPLAIN_COLUMNS].reset_index(drop=True)
