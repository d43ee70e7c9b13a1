"""Co-citation network of core papers: incidence matrix, chunked AᵀA, normalizations.

Two core papers A and B are co-cited when one citing paper cites both. With the
citing × core incidence matrix ``A`` (0/1, each (citing, cited) pair once), the
co-citation counts are the off-diagonal entries of ``AᵀA`` and the citation counts
``C_A`` (number of citing papers of A) are its diagonal (= the column sums of ``A``).
``AᵀA`` is computed as the sum of the products of row chunks of ``A`` (``chunk_rows``
citing papers at a time), keeping only the upper triangle, so the working memory is
bounded by one chunk's product plus the result itself; no Python loop runs over pairs.

Normalizations (``cocitation.normalization``), with ``C_AB`` the co-citation count and
``N`` the number of citing papers (rows of ``A``, i.e. papers citing at least one core
paper):

``cosine`` (default, Salton)
    ``C_AB / sqrt(C_A * C_B)``, in (0, 1].
``association`` (association strength, probabilistic affinity)
    ``C_AB * N / (C_A * C_B)``: observed co-citations over the number expected when A
    and B were cited independently (``C_A * C_B / N``); 1 means "as by chance".
``raw``
    ``C_AB`` itself (so ``min_strength`` is compared with the count).

Pairs are kept when ``count >= min_count`` and ``strength >= min_strength``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

COCITATION_COLUMNS = ["a", "b", "count", "strength"]
NORMALIZATIONS = ("cosine", "association", "raw")


def incidence(
    core_ids: Iterable[Any],
    references: pd.DataFrame,
    citing_ids: Iterable[Any] | None = None,
    key: str = "cited_id",
) -> tuple[sp.csr_matrix, pd.Index, pd.Index]:
    """Build the citing × core incidence matrix.

    Parameters
    ----------
    core_ids : iterable
        Ids of the core papers (``work_id`` in ``database`` mode; ``cited_key`` values
        in ``references`` mode). Duplicates are ignored.
    references : pandas.DataFrame
        At least ``citing_id`` and the column ``key``.
    citing_ids : iterable, optional
        Restrict the citing papers to these ids (e.g. the papers published in the
        period); None keeps every citing paper.
    key : {'cited_id', 'cited_key'}
        Which reference column identifies the cited core paper.

    Returns
    -------
    A : scipy.sparse.csr_matrix
        ``int32`` 0/1 matrix, one row per citing paper that cites at least one core
        paper, one column per core paper; each (citing, cited) pair counted once.
    citing_index : pandas.Index
        Citing paper ids of the rows, sorted.
    core_index : pandas.Index
        Core paper ids of the columns, sorted (so column order = id order).

    Raises
    ------
    ValueError
        When ``references`` lacks ``citing_id`` or ``key``.
    """
    missing = [c for c in ("citing_id", key) if c not in references.columns]
    if missing:
        raise ValueError(f"references table: missing column(s) {', '.join(missing)}")
    ids = core_ids if isinstance(core_ids, pd.Series | pd.Index | np.ndarray | pd.api.extensions.ExtensionArray) else list(core_ids)
    core_index = pd.Index(ids).unique().dropna().sort_values()
    cited = references[key]
    cols = core_index.get_indexer(cited)  # -1: not a core paper (or null)
    mask = cols >= 0
    if citing_ids is not None:
        mask &= references["citing_id"].isin(pd.Index(list(citing_ids))).to_numpy()
    mask &= references["citing_id"].notna().to_numpy()
    rows, citing_index = pd.factorize(references["citing_id"][mask], sort=True)
    cols = cols[mask]
    data = np.ones(len(rows), dtype=np.int32)
    A = sp.csr_matrix((data, (rows, cols)), shape=(len(citing_index), len(core_index)), dtype=np.int32)
    A.sum_duplicates()
    A.data[:] = 1  # each (citing, cited) pair once
    citing_index = pd.Index(citing_index)
    return A, citing_index, core_index


def _upper(prod: sp.spmatrix) -> sp.csr_matrix:
    """Strict upper triangle of a CSR matrix, without a COO round trip."""
    prod = sp.csr_matrix(prod)
    n = prod.shape[0]
    rows = np.repeat(np.arange(n, dtype=prod.indices.dtype), np.diff(prod.indptr))
    keep = prod.indices > rows
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=n), out=indptr[1:])
    return sp.csr_matrix((prod.data[keep], prod.indices[keep], indptr), shape=prod.shape)


def cooccurrence_upper(A: sp.spmatrix, chunk_rows: int = 200_000) -> sp.csr_matrix:
    """Return the strict upper triangle of ``AᵀA``, summed over row chunks of ``A``.

    Parameters
    ----------
    A : scipy.sparse matrix
        Citing × core 0/1 incidence matrix.
    chunk_rows : int
        Rows (citing papers) per chunk; bounds the size of each partial product.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``int32`` counts ``C_AB`` for column pairs ``i < j`` (canonical: sorted indices,
        no duplicates, no explicit zeros). A count never exceeds the number of rows of
        ``A``, so ``int32`` holds it.
    """
    if chunk_rows < 1:
        raise ValueError(f"cocitation.chunk_rows must be >= 1, got {chunk_rows}")
    A = sp.csr_matrix(A, dtype=np.int32)
    if A.shape[0] >= 2**31:
        raise ValueError("cocitation: more than 2**31 citing papers in one period")
    n = A.shape[1]
    total = None
    for start in range(0, A.shape[0], chunk_rows):
        block = A[start : start + chunk_rows]
        if block.nnz == 0:
            continue
        part = _upper(block.T.tocsr() @ block)
        total = part if total is None else total + part
    if total is None:
        return sp.csr_matrix((n, n), dtype=np.int32)
    total.sum_duplicates()
    total.eliminate_zeros()
    return total


def cocitation(
    A: sp.spmatrix,
    min_count: int = 2,
    min_strength: float = 0.1,
    normalization: str = "cosine",
    chunk_rows: int = 200_000,
    core_index: pd.Index | None = None,
    core_ids: pd.Index | None = None,
) -> pd.DataFrame:
    """Co-cited pairs of core papers with their counts and normalized strengths.

    Parameters
    ----------
    A : scipy.sparse matrix
        Citing × core 0/1 incidence matrix (see :func:`incidence`).
    min_count : int
        Keep pairs co-cited by at least this many citing papers.
    min_strength : float
        Keep pairs whose strength is at least this (for ``raw`` the strength is the count).
    normalization : {'cosine', 'association', 'raw'}
        ``cosine``: ``C_AB / sqrt(C_A C_B)``; ``association``: ``C_AB N / (C_A C_B)``
        with ``N = A.shape[0]`` citing papers; ``raw``: ``C_AB``.
    chunk_rows : int
        Citing papers per chunk of the ``AᵀA`` product.
    core_index : pandas.Index, optional
        Core paper ids of the columns; None reports column positions.
    core_ids : pandas.Index, optional
        Alias of ``core_index``.

    Returns
    -------
    pandas.DataFrame
        Columns ``a``, ``b`` (core ids, ``a < b``), ``count`` (int64), ``strength``
        (float64), sorted by ``(a, b)``.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"cocitation.normalization: unknown {normalization!r} (use one of {NORMALIZATIONS})")
    if core_index is None and core_ids is not None:
        core_index = pd.Index(core_ids)
    A = sp.csr_matrix(A)
    upper = cooccurrence_upper(A, chunk_rows)
    i = np.repeat(np.arange(upper.shape[0], dtype=np.int64), np.diff(upper.indptr))
    j, c = upper.indices.astype(np.int64), upper.data.astype(np.int64)
    keep = c >= min_count
    i, j, c = i[keep], j[keep], c[keep]
    ca = np.asarray(A.sum(axis=0), dtype=np.float64).ravel()
    if normalization == "cosine":
        strength = c / np.sqrt(ca[i] * ca[j])
    elif normalization == "association":
        strength = c * float(A.shape[0]) / (ca[i] * ca[j])
    else:
        strength = c.astype(np.float64)
    keep = strength >= min_strength
    i, j, c, strength = i[keep], j[keep], c[keep], strength[keep]
    # canonical CSR: pairs come sorted by (i, j); with a sorted core_index that is (a, b)
    if core_index is None:
        a, b = i, j
    else:
        a, b = core_index.take(i), core_index.take(j)
        if not core_index.is_monotonic_increasing:
            swap = np.asarray(a > b)
            a, b = a.where(~swap, b), b.where(~swap, a)
    out = pd.DataFrame(
        {"a": np.asarray(a) if core_index is None else a.array,
         "b": np.asarray(b) if core_index is None else b.array,
         "count": c.astype(np.int64), "strength": strength.astype(np.float64)}
    )
    if core_index is not None and not core_index.is_monotonic_increasing:
        out = out.sort_values(["a", "b"], kind="stable", ignore_index=True)
    return out

def period_cocitation(
    core: pd.DataFrame,
    references: pd.DataFrame,
    cfg: Mapping[str, Any],
    works: pd.DataFrame | None = None,
    period: Any = None,
) -> pd.DataFrame:
    """Co-citation table of one period from the configuration (the pipeline's entry point).

    Parameters
    ----------
    core : pandas.DataFrame
        Core papers of the period (``work_id``; in ``references`` mode the ids are
        ``cited_key`` values).
    references : pandas.DataFrame
        ``citing_id``, ``cited_key``, ``cited_id``.
    cfg : mapping
        The full configuration (reads ``cocitation`` and ``core.mode``).
    works : pandas.DataFrame, optional
        ``work_id``, ``year``; needed when ``cocitation.citing_years`` is ``period``.
    period : Period, optional
        Object with ``start`` and ``end``; with ``citing_years: period`` only citing
        papers published in it count.

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength`` (see :func:`cocitation`).
    """
    cc = cfg.get("cocitation", {})
    mode = cfg.get("core", {}).get("mode", "database")
    key = "cited_key" if mode == "references" else "cited_id"
    citing = None
    if cc.get("citing_years", "period") == "period" and works is not None and period is not None:
        yr = pd.to_numeric(works["year"], errors="coerce")
        citing = works.loc[(yr >= period.start) & (yr <= period.end), "work_id"]
    A, _, core_index = incidence(core["work_id"], references, citing, key=key)
    return cocitation(
        A,
        min_count=cc.get("min_count", 2),
        min_strength=cc.get("min_strength", 0.1),
        normalization=cc.get("normalization", "cosine"),
        chunk_rows=cc.get("chunk_rows", 200_000),
        core_index=core_index,
    )
