"""Co-citation network of core papers: incidence matrix, chunked AᵀA, normalizations.

Two core papers A and B are co-cited when one citing paper cites both. With the
citing × core incidence matrix ``A`` (0/1, each (citing, cited) pair once), the
co-citation counts are the off-diagonal entries of ``AᵀA`` and the citation counts
``C_A`` (number of citing papers of A) are its diagonal (= the column sums of ``A``).
The strict upper triangle of ``AᵀA`` is summed over row chunks of ``A`` (``chunk_rows``
citing papers at a time): each chunk's column pairs ``(c_p, c_q)``, ``p < q``, are
generated with vectorized repeats and counted by one linear transpose pass (no
lower-triangle products, no comparison sort), so the working memory is bounded by one
chunk's pairs plus the result itself; no Python loop runs over pairs. For a 0/1 matrix
the counts travel in the narrowest integer type the largest citation count allows.
String ids stay in Arrow (sort, dedupe, lookup) when they are pyarrow-backed: the sort
orders 8-byte heads in numpy and only ties in Arrow, citing papers are found as runs of
equal ids, and with ``core_ids=None`` (every cited id is core) one dictionary encoding
gives the distinct ids and each reference's column.

The pair table holds the ids of ``a`` and ``b`` as ordered ``Categorical`` columns whose
codes are the column positions and whose categories are the sorted core ids (one shared
dictionary): no id string is copied per pair, ``a < b`` and sorting compare as the ids
do, and Parquet stores them as dictionary-encoded strings (read back as the same
categoricals).

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
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from wpimap.periods import citing_works

COCITATION_COLUMNS = ["a", "b", "count", "strength"]
NORMALIZATIONS = ("cosine", "association", "raw")


def incidence(
    core_ids: Iterable[Any] | None,
    references: pd.DataFrame,
    citing_ids: Iterable[Any] | None = None,
    key: str = "cited_id",
) -> tuple[sp.csr_matrix, pd.Index, pd.Index]:
    """Build the citing × core incidence matrix.

    Parameters
    ----------
    core_ids : iterable or None
        Ids of the core papers (``work_id`` in ``database`` mode; ``cited_key`` values
        in ``references`` mode). Duplicates are ignored. None: every distinct non-null
        value of ``references[key]`` (each cited paper is a core paper).
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
    cited = references[key]
    cited_arrow = _arrow_strings(cited)
    if core_ids is None and cited_arrow is not None:
        # every cited id is core: one dictionary encoding yields the distinct ids and each
        # reference's position among them (no separate unique() and lookup hash passes)
        cols, core_index = _encode_sorted(cited_arrow, cited.dtype)
    else:
        cols, core_index = _core_columns(cited.dropna().unique() if core_ids is None else core_ids, cited, cited_arrow)
    mask = cols >= 0
    if citing_ids is not None:
        mask &= references["citing_id"].isin(pd.Index(list(citing_ids))).to_numpy()
    citing = references["citing_id"]
    citing_arrow = _arrow_strings(citing)
    if citing_arrow is None or citing_arrow.null_count:
        mask &= citing.notna().to_numpy()
    runs = _citing_runs(citing_arrow, mask, citing.dtype) if citing_arrow is not None else None
    if runs is not None:
        rows, citing_index = runs
    else:
        rows, citing_index = pd.factorize(citing if mask.all() else citing[mask], sort=True)
    cols = cols[mask]
    A = _binary_csr(rows, cols, (len(citing_index), len(core_index)))
    citing_index = pd.Index(citing_index)
    return A, citing_index, core_index


def _arrow_strings(values: Any) -> pa.ChunkedArray | None:
    """Arrow storage of a pyarrow-backed pandas string Series/Index/array, else None."""
    arr = values.array if isinstance(values, pd.Series | pd.Index) else values
    if isinstance(arr, pd.arrays.ArrowStringArray):
        return arr.__arrow_array__()
    return None


def _argsort_strings(arr: pa.Array) -> np.ndarray:
    """Indices that sort a null-free Arrow string array bytewise (as Arrow's sort does).

    Arrow sorts strings by comparisons (~90 ns per id on WoS keys). Here the first 8
    bytes of each string, zero-padded, are read as one big-endian integer and sorted by
    numpy; only strings whose 8-byte keys tie (same first bytes, or a NUL byte read as
    padding) are then sorted by Arrow, by (run of equal keys, string). The order of
    equal strings is unspecified. Half the time of Arrow's sort on the WoS file's keys.
    """
    n = len(arr)
    kind = arr.type
    if n < 2 or not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return pc.array_sort_indices(arr).to_numpy()
    off_t = np.int64 if pa.types.is_large_string(kind) else np.int32
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=off_t, count=n + 1, offset=arr.offset * np.dtype(off_t).itemsize)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else None
    if data is None or data.size == 0:
        return pc.array_sort_indices(arr).to_numpy()
    start = offs[:-1].astype(np.int64, copy=False)
    span = np.arange(8)
    head = np.take(data, start[:, None] + span, mode="clip")
    head[span >= (offs[1:] - offs[:-1])[:, None]] = 0  # zero padding past each string's end
    key = head.view(">u8").ravel().astype(np.uint64)
    perm = np.argsort(key)
    ks = key[perm]
    tie = ks[1:] == ks[:-1]
    if not tie.any():
        return perm
    in_tie = np.zeros(n, dtype=bool)
    in_tie[1:] = tie
    in_tie[:-1] |= tie
    sel = np.flatnonzero(in_tie)
    run = np.cumsum(np.concatenate([[True], ~tie]))[sel]
    sub = perm[sel]
    ties = pa.table({"run": run, "s": arr.take(sub)})
    perm[sel] = sub[pc.sort_indices(ties, sort_keys=[("run", "ascending"), ("s", "ascending")]).to_numpy()]
    return perm


def _core_columns(core_ids: Iterable[Any], cited: pd.Series, cited_arrow: pa.ChunkedArray | None
                  ) -> tuple[np.ndarray, pd.Index]:
    """Column of each reference's cited id among the sorted distinct core ids (-1: none)."""
    ids = core_ids if isinstance(core_ids, pd.Series | pd.Index | np.ndarray | pd.api.extensions.ExtensionArray) else list(core_ids)
    ids = pd.Index(ids)
    core_arrow = _arrow_strings(ids)
    if core_arrow is None:
        core_index = ids.unique().dropna().sort_values()
        return core_index.get_indexer(cited), core_index  # -1: not a core paper (or null)
    # pyarrow-backed strings: sort/dedupe/lookup in Arrow, no Python str objects.
    # Sorted first, then equal neighbours dropped: core ids usually come distinct,
    # so a hash pass for unique() would be spent for nothing
    uniq = pc.drop_null(core_arrow).combine_chunks()
    uniq = uniq.take(_argsort_strings(uniq))
    if len(uniq) > 1:
        uniq = uniq.filter(pa.concat_arrays([pa.array([True]), pc.not_equal(uniq[1:], uniq[:-1])]))
    core_index = pd.Index(pd.array(uniq, dtype=ids.dtype), name=ids.name)
    if cited_arrow is None:
        return core_index.get_indexer(cited), core_index
    value_set = uniq if uniq.type == cited_arrow.type else uniq.cast(cited_arrow.type)
    return pc.fill_null(pc.index_in(cited_arrow, value_set=value_set), -1).to_numpy(), core_index


def _encode_sorted(values: pa.ChunkedArray, dtype: Any) -> tuple[np.ndarray, pd.Index]:
    """Position of each value among the sorted distinct values (-1 for nulls), and those.

    Parameters
    ----------
    values : pyarrow.ChunkedArray
        Strings.
    dtype
        pandas dtype of the returned index.

    Returns
    -------
    codes : numpy.ndarray
        ``int32`` position of each value in ``index``; -1 where the value is null.
    index : pandas.Index
        The distinct non-null values, sorted.
    """
    enc = pc.dictionary_encode(values.combine_chunks())
    distinct = enc.dictionary
    perm = _argsort_strings(distinct)
    rank = np.empty(len(distinct) + 1, dtype=np.int32)
    rank[perm] = np.arange(len(distinct), dtype=np.int32)
    rank[-1] = -1  # nulls
    idx = enc.indices
    idx = pc.fill_null(idx, len(distinct)) if idx.null_count else idx
    return rank[idx.to_numpy()], pd.Index(pd.array(distinct.take(perm), dtype=dtype))


def _citing_runs(citing: pa.ChunkedArray, mask: np.ndarray, dtype: Any) -> tuple[np.ndarray, pd.Index] | None:
    """Row of each kept reference and the sorted citing ids, from runs of equal ids.

    A references table lists the references of one citing paper together, so one
    comparison of neighbours finds each paper's run and only one id per run is sorted
    (``pd.factorize(sort=True)`` hashes every row's id first). Returns None when an id
    is null or appears in more than one run (then the caller factorizes).

    Parameters
    ----------
    citing : pyarrow.ChunkedArray
        ``citing_id`` of every reference.
    mask : numpy.ndarray
        Boolean, the references that enter the matrix.
    dtype
        pandas dtype of the returned ids.

    Returns
    -------
    rows : numpy.ndarray
        Row (rank of the citing id among the kept ones) of each kept reference.
    citing_index : pandas.Index
        The sorted distinct citing ids that have a kept reference.
    """
    if citing.null_count or len(citing) == 0:
        return None
    arr = citing.combine_chunks()
    change = pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
    run = np.zeros(len(arr), dtype=np.intp)
    np.cumsum(change, out=run[1:])
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    kept_run = np.zeros(len(starts), dtype=bool)
    kept_run[run[mask]] = True
    ids = arr.take(starts[kept_run])
    order = pc.array_sort_indices(ids)
    ids = ids.take(order)
    if len(ids) > 1 and not pc.all(pc.not_equal(ids[1:], ids[:-1])).as_py():
        return None  # an id in two runs
    rank = np.full(len(starts), -1, dtype=np.intp)
    rank[np.flatnonzero(kept_run)[order.to_numpy()]] = np.arange(len(ids))
    return rank[run[mask]], pd.Index(pd.array(ids, dtype=dtype))


def _from_transposed(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, shape: tuple[int, int],
                     weighted: bool) -> sp.csr_matrix:
    """Canonical CSR matrix ``M`` from the (unsorted, duplicated) CSR arrays of ``Mᵀ``.

    One linear CSC -> CSR pass (scipy's counting sort, as for a transpose)
    yields ``M`` with ascending column indices in each row, without a comparison sort;
    duplicates are then merged (and zeros dropped when ``weighted``).
    """
    # the CSR arrays of Mᵀ are the CSC arrays of M; CSC -> CSR sorts the indices
    M = sp.csc_matrix((data, indices, indptr), shape=shape).tocsr()
    # pairs repeat when several rows co-cite them: mark the result not canonical so that
    # sum_duplicates merges them at once instead of first scanning for duplicates
    M.has_canonical_format = False
    M.has_sorted_indices = True
    M.sum_duplicates()
    if weighted:
        M.eliminate_zeros()
    return M


def _count_dtype(bound: int) -> type[np.signedinteger]:
    """Smallest signed integer type holding counts up to ``bound`` (at least ``int8``)."""
    return np.int8 if bound <= 127 else np.int16 if bound <= 32767 else np.int32


def _binary_csr(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Canonical ``int32`` 0/1 CSR matrix with a 1 at each distinct (row, col) pair.

    scipy's COO -> CSR conversion buckets the entries by row in one counting pass, then
    sorts each (short: one citing paper's references) row and sums its duplicates.
    """
    M = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=shape)
    M.sum_duplicates()  # no-op when the conversion has already summed them
    M.data[:] = 1
    return M


def _upper_pairs(block: sp.csr_matrix, count_type: type[np.integer] = np.int32) -> sp.csr_matrix:
    """Strict upper triangle of ``blockᵀ block`` from the column pairs of each row.

    ``block`` must be canonical (ascending, distinct column indices per row), so a row
    with columns ``c_0 < ... < c_{k-1}`` contributes ``data_p * data_q`` to every
    ``(c_p, c_q)``, ``p < q``: exactly the off-diagonal upper entries of the product.
    The pairs are generated with vectorized repeats, grouped by ``c_q`` (entries taken
    in column order), which is the CSR layout of the transpose; one linear pass turns
    it into the canonical upper triangle (no lower-triangle products, no sort).
    ``count_type`` is the data type of the counts of a 0/1 ``block`` (the caller bounds
    them); a weighted ``block`` gives ``int32`` products.
    """
    n = block.shape[1]
    ind = block.indices
    nnz = ind.size
    pt = np.int32 if nnz < 2**31 else np.int64
    ptr = block.indptr.astype(pt, copy=False)
    rowstart = np.repeat(ptr[:-1], np.diff(ptr))
    before = np.arange(nnz, dtype=pt) - rowstart  # partners to the left of each entry
    # entries in column order (then row order): CSR -> CSC carrying the entry positions
    csc = sp.csr_matrix((np.arange(nnz, dtype=pt), ind, ptr), shape=block.shape).tocsc()
    order = csc.data
    bo = before[order]
    ends = np.cumsum(bo, dtype=np.int64)
    g = int(ends[-1]) if nnz else 0
    if g == 0:
        return sp.csr_matrix((n, n), dtype=np.int32)
    gt = np.int32 if g < 2**31 else np.int64
    # left partner positions: for the k-th entry (in column order) its row start + 0, 1,
    # ..., bo_k - 1. Written as a running sum of steps (+1 inside a group, a jump to the
    # next row start where a group begins) and summed in place: one buffer and one pass
    # instead of repeat + arange (numpy has no "concatenate ranges" primitive). The
    # buffer is of numpy's index type, which take() would otherwise convert it to
    nz = np.flatnonzero(bo)
    first, bnz = rowstart[order[nz]], bo[nz]
    left_pos = np.ones(g, dtype=np.intp)
    group_start = ends[nz] - bnz
    left_pos[group_start[0]] = first[0]
    left_pos[group_start[1:]] = first[1:] - (first[:-1] + bnz[:-1] - 1)
    np.cumsum(left_pos, out=left_pos)
    # rows of the transpose = right partner = column of the entry: pairs per column
    indptr = np.concatenate([np.zeros(1, dtype=gt), ends.astype(gt, copy=False)])[csc.indptr]
    data = block.data
    if (data == 1).all():
        weights, weighted = np.ones(g, dtype=count_type), False
    else:
        weights, weighted = np.repeat(data[order], bo) * data.take(left_pos), True
    return _from_transposed(indptr, ind.take(left_pos), weights, (n, n), weighted)


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
    A = _canonical(A, chunk_rows)
    upper = _cooccurrence(A, chunk_rows, _pair_count_type(A, None))
    return upper if upper.dtype == np.int32 else upper.astype(np.int32)


def _canonical(A: sp.spmatrix, chunk_rows: int) -> sp.csr_matrix:
    """``A`` as a canonical ``int32`` CSR matrix (checked arguments of the pair counts)."""
    if chunk_rows < 1:
        raise ValueError(f"cocitation.chunk_rows must be >= 1, got {chunk_rows}")
    A = sp.csr_matrix(A, dtype=np.int32)
    if A.shape[0] >= 2**31:
        raise ValueError("cocitation: more than 2**31 citing papers in one period")
    if not A.has_canonical_format:
        A = A.copy()
        A.sum_duplicates()
    return A


def _pair_count_type(A: sp.csr_matrix, colsum: np.ndarray | None) -> type[np.integer]:
    """Data type of the pair counts of a canonical ``A``: ``int32``, or narrower for 0/1.

    A 0/1 ``A`` co-cites two columns at most as often as either is cited, so the largest
    column sum (``colsum``, or counted here) bounds every count, summed over all chunks.
    """
    if A.nnz == 0 or not (A.data == 1).all():
        return np.int32
    top = colsum.max() if colsum is not None else np.bincount(A.indices).max()
    return _count_dtype(int(top))


def _cooccurrence(A: sp.csr_matrix, chunk_rows: int, count_type: type[np.integer]) -> sp.csr_matrix:
    """Strict upper triangle of ``AᵀA`` (canonical ``A``) summed over row chunks.

    Counts of ``count_type`` (see :func:`_pair_count_type`); canonical, no zeros.
    """
    n = A.shape[1]
    total = None
    for start in range(0, A.shape[0], chunk_rows):
        block = A[start : start + chunk_rows] if chunk_rows < A.shape[0] else A
        if block.nnz == 0:
            continue
        part = _upper_pairs(block, count_type)
        total = part if total is None else total + part
    if total is None:
        return sp.csr_matrix((n, n), dtype=np.int32)
    if not total.has_canonical_format:
        total.sum_duplicates()
    if not total.data.all():
        total.eliminate_zeros()
    return total


def _ordered_dtypes(index: pd.Index) -> tuple[pd.CategoricalDtype, np.ndarray | None] | None:
    """Ordered categorical dtype on the sorted distinct ids, and the rank of each column.

    Returns ``(dtype, None)`` when ``index`` is already strictly increasing (the columns
    of :func:`incidence`; checked in Arrow for pyarrow-backed strings), ``(dtype, rank)``
    when it is unique but unsorted, None when it holds duplicates or nulls (then the
    ids cannot serve as categories).
    """
    arr = _arrow_strings(index)
    if arr is not None and not arr.null_count:
        arr = arr.combine_chunks()
        if len(arr) < 2 or pc.all(pc.less(arr[:-1], arr[1:])).as_py():
            # null-free and strictly increasing, hence distinct: what pandas' dtype
            # constructor would verify again by hashing every id as a Python str (the
            # costliest step on a WoS-sized table); its unchecked constructor skips that
            fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)
            if fast is not None:
                return fast(index, ordered=True), None
            return pd.CategoricalDtype(index, ordered=True), None
    if index.hasnans or not index.is_unique:
        return None
    if index.is_monotonic_increasing:
        return pd.CategoricalDtype(index, ordered=True), None
    perm = index.argsort()
    rank = np.empty(len(index), dtype=np.int64)
    rank[perm] = np.arange(len(index))
    return pd.CategoricalDtype(index.take(perm), ordered=True), rank


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
        (float64), sorted by ``(a, b)``. With ``core_index``, ``a`` and ``b`` are
        ordered ``Categorical`` columns sharing one dictionary, the sorted core ids
        (ids with duplicates or nulls give plain value columns); without it they are
        the ``int64`` column positions.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"cocitation.normalization: unknown {normalization!r} (use one of {NORMALIZATIONS})")
    if core_index is None and core_ids is not None:
        core_index = pd.Index(core_ids)
    A = _canonical(A, chunk_rows)
    # column sums C_A (citation counts), as A.sum(axis=0) without the matrix product
    ca = np.bincount(A.indices, weights=A.data, minlength=A.shape[1]).astype(np.float64, copy=False)
    upper = _cooccurrence(A, chunk_rows, _pair_count_type(A, ca))
    return pairs_from_upper(upper, ca, A.shape[0], core_index, min_count, min_strength, normalization)


def pairs_from_upper(
    upper: sp.csr_matrix,
    ca: np.ndarray,
    n_citing: int,
    core_index: pd.Index | None,
    min_count: int = 2,
    min_strength: float = 0.1,
    normalization: str = "cosine",
) -> pd.DataFrame:
    """Thresholded, normalized co-citation pairs from the summed co-citation counts.

    Shared by :func:`cocitation` and the Dask engine (which sums ``upper`` and ``ca``
    over partitions of the citing papers).

    Parameters
    ----------
    upper : scipy.sparse.csr_matrix
        Strict upper triangle of ``AᵀA`` (canonical CSR: sorted, no duplicates).
    ca : numpy.ndarray
        Citation counts ``C_A`` per core column (column sums of ``A``).
    n_citing : int
        Rows of ``A`` (the ``N`` of association strength).
    core_index : pandas.Index or None
        Core ids of the columns; None reports column positions.
    min_count, min_strength, normalization
        As :func:`cocitation`.

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b``, ``count`` (int64), ``strength`` (float64), sorted by ``(a, b)``;
        ``a``, ``b`` as in :func:`cocitation`.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"cocitation.normalization: unknown {normalization!r} (use one of {NORMALIZATIONS})")
    ca = np.asarray(ca, dtype=np.float64)
    if not upper.has_canonical_format:  # sums of partitions' blocks (Dask engine)
        upper = upper.copy()
        upper.sum_duplicates()
    n = upper.shape[0]
    # column positions in the integer type pandas keeps for the codes of n categories
    # (so the categorical columns below take them without another copy)
    it = np.int8 if n < 127 else np.int16 if n < 32767 else np.int32 if n < 2**31 - 1 else np.int64
    i = np.repeat(np.arange(n, dtype=it), np.diff(upper.indptr))
    j, c = upper.indices.astype(it, copy=False), upper.data.astype(np.int64)
    if min_count > 1:  # every stored count is >= 1
        keep = c >= min_count
        i, j, c = i[keep], j[keep], c[keep]
    if normalization == "cosine":
        strength = c / np.sqrt(ca[i] * ca[j])
    elif normalization == "association":
        strength = c * float(n_citing) / (ca[i] * ca[j])
    else:
        strength = upper.data.astype(np.float64) if len(c) == upper.nnz else c.astype(np.float64)
    if min_strength > 0:  # strengths are > 0 (positive counts and citation counts)
        keep = strength >= min_strength
        i, j, c, strength = i[keep], j[keep], c[keep], strength[keep]
    # canonical CSR: pairs come sorted by (i, j), i < j
    cats = None if core_index is None else _ordered_dtypes(core_index)
    if core_index is None:
        a, b = i.astype(np.int64), j.astype(np.int64)
    elif cats is not None:
        dtype, rank = cats
        if rank is not None:  # unsorted ids: column positions -> ranks among the sorted ids
            i, j = rank[i], rank[j]
            i, j = np.minimum(i, j), np.maximum(i, j)
            order = np.lexsort((j, i))
            i, j, c, strength = i[order], j[order], c[order], strength[order]
        # the ids as codes into one shared, sorted dictionary (no copy of the id strings
        # per pair); i, j are valid positions, so the codes need no validation
        a = pd.Categorical.from_codes(i, dtype=dtype, validate=False)
        b = pd.Categorical.from_codes(j, dtype=dtype, validate=False)
    else:  # duplicated or null ids: plain values, (a, b) ordered and sorted by value
        a, b = core_index.take(i), core_index.take(j)
        swap = np.asarray(a > b)
        a, b = a.where(~swap, b).array, b.where(~swap, a).array
    out = pd.DataFrame({"a": a, "b": b, "count": c, "strength": strength.astype(np.float64, copy=False)},
                       copy=False)
    if core_index is not None and cats is None:
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
    citing = citing_works(works, period, cc.get("citing_years", "period"))
    A, _, core_index = incidence(core["work_id"], references, citing, key=key)
    return cocitation(
        A,
        min_count=cc.get("min_count", 2),
        min_strength=cc.get("min_strength", 0.1),
        normalization=cc.get("normalization", "cosine"),
        chunk_rows=cc.get("chunk_rows", 200_000),
        core_index=core_index,
    )
