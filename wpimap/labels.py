"""Area labels: distinctive title terms (TF-IDF against the other areas) plus dominant fields."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer


def field_shares(core: pd.DataFrame) -> pd.DataFrame:
    """Field distribution of each area's core papers (fractional counting).

    Each core paper counts 1, split equally over its fields (``fields`` list column, or
    the single ``field`` column when ``fields`` is absent); papers without a field are
    left out.

    Parameters
    ----------
    core : pandas.DataFrame
        ``area`` and ``fields`` (list) or ``field``.

    Returns
    -------
    pandas.DataFrame
        ``area``, ``field``, ``share`` (sums to 1 per area with any field), sorted by
        area, decreasing share, then field name (so the first row of an area is its
        dominant field).
    """
    if "fields" in core.columns:
        f = core[["area", "fields"]].copy()
        f["fields"] = [
            list(dict.fromkeys(v)) if isinstance(v, list | tuple | np.ndarray) else ([v] if isinstance(v, str) else [])
            for v in f["fields"]
        ]
        f["w"] = [1.0 / len(v) if len(v) else 0.0 for v in f["fields"]]
        f = f.explode("fields").rename(columns={"fields": "field"})
    elif "field" in core.columns:
        f = core[["area", "field"]].assign(w=1.0)
    else:
        return pd.DataFrame({"area": [], "field": [], "share": []})
    f = f.dropna(subset=["field"])
    f = f[f["field"].astype(str) != ""]
    if f.empty:
        return pd.DataFrame({"area": [], "field": [], "share": []})
    s = f.groupby(["area", "field"], as_index=False)["w"].sum()
    s["share"] = s["w"] / s.groupby("area")["w"].transform("sum")
    s = s.sort_values(["area", "share", "field"], ascending=[True, False, True], kind="stable")
    return s[["area", "field", "share"]].reset_index(drop=True)


def area_labels(core: pd.DataFrame, works: pd.DataFrame | None, n_terms: int = 5) -> pd.Series:
    """Label each area with its most distinctive title terms and its dominant field.

    One document per area (the titles of its core papers joined); TF-IDF with
    scikit-learn (English stop words, 1- and 2-grams, smooth idf) over the areas, so a
    term scores high when it is frequent in the area and rare in the others. The top
    ``n_terms`` terms (ties broken alphabetically) are followed by ``" | "`` and the
    dominant field (ties alphabetical), e.g. ``"graphene, bilayer, moire | Physics"``.

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id``, ``area`` (``-1`` ignored) and optionally ``fields``/``field``.
    works : pandas.DataFrame or None
        ``work_id``, ``title``; None or missing titles: the label is the field only.
    n_terms : int
        Number of terms.

    Returns
    -------
    pandas.Series
        Label per area (index ``area``, sorted).
    """
    c = core[core["area"] >= 0]
    area_ids = np.sort(c["area"].unique())
    terms = pd.Series("", index=pd.Index(area_ids, name="area"), dtype=object)
    if works is not None and "title" in works.columns and len(c):
        titles = c[["work_id", "area"]].merge(
            works[["work_id", "title"]].drop_duplicates("work_id"), on="work_id", how="left"
        )
        titles = titles.dropna(subset=["title"]).sort_values(["area", "work_id"], kind="stable")
        docs = titles.groupby("area")["title"].agg(lambda t: " . ".join(map(str, t)))
        if len(docs):
            vec = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), token_pattern=r"(?u)\b[a-zA-Z][\w-]+\b")
            try:
                X = vec.fit_transform(docs.to_numpy()).toarray()
            except ValueError:  # empty vocabulary (only stop words)
                X = None
            if X is not None:
                vocab = vec.get_feature_names_out()
                alpha_rank = np.argsort(np.argsort(vocab))
                for row, area in enumerate(docs.index):
                    score = X[row]
                    order = np.lexsort((alpha_rank, -score))
                    top = [vocab[k] for k in order[:n_terms] if score[k] > 0]
                    terms[area] = ", ".join(top)
    shares = field_shares(c)
    dom = shares.drop_duplicates("area").set_index("area")["field"] if len(shares) else pd.Series(dtype=object)
    labels = []
    for area in area_ids:
        t = terms[area]
        f = dom.get(area)
        labels.append(f"{t} | {f}" if t and isinstance(f, str) else (t or (f if isinstance(f, str) else "")))
    return pd.Series(labels, index=pd.Index(area_ids, name="area"), name="label", dtype=object)
