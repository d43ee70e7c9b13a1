"""The report policy staff read: figures (PNG 300 dpi + SVG), ``index.html`` and ``tables.xlsx``.

:func:`build_report` reads the tables a run wrote under ``config['results']`` and draws
every figure those tables allow: a figure whose table is absent is skipped with a log
message (and a note in the report), so the report shows whatever earlier stages made.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from wpimap.report import figures as F
from wpimap.report.html import FigureEntry, write_html
from wpimap.report.workbook import write_workbook

__all__ = ["SHEET_ORDER", "RunTables", "build_report", "entity_areas", "load_run", "report_sheets"]

log = logging.getLogger("wpimap.report")

_CSV_TABLES = (
    "participation_countries",
    "participation_centers",
    "indicators_countries",
    "indicators_centers",
    "wpi_contribution",
    "transitions",
    "center_fields",
    "areas",
)


class RunTables:
    """The tables of a finished (or partly finished) run, read from ``config['results']``.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        CSV tables of ``tables/`` that exist (see ``_CSV_TABLES``), by name.
    areas : dict of str to pandas.DataFrame
        ``periods/{period}/areas.parquet`` by period (chronological).
    core : dict of str to pandas.DataFrame
        ``periods/{period}/core.parquet`` (``work_id, area``) by period.
    authorships : pandas.DataFrame or None
        ``work_id, country, center`` of ``normalized/authorships.parquet``.
    ingest : pandas.DataFrame or None
        ``normalized/ingest_summary.csv``.
    config : dict
        ``config.effective.yaml`` if present, else the config passed.
    """

    def __init__(self) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.areas: dict[str, pd.DataFrame] = {}
        self.core: dict[str, pd.DataFrame] = {}
        self.authorships: pd.DataFrame | None = None
        self.ingest: pd.DataFrame | None = None
        self.config: dict[str, Any] = {}

    def get(self, name: str) -> pd.DataFrame | None:
        """A CSV table by name, or None when absent or empty."""
        t = self.tables.get(name)
        return t if t is not None and not t.empty else None

    @property
    def periods(self) -> list[str]:
        """Periods with an areas table, in order."""
        return list(self.areas)


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        log.info("report: %s absent", path)
        return None
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except Exception as exc:  # a corrupt table must name the file
        raise ValueError(f"{path}: cannot read table ({exc})") from exc


def load_run(config: Mapping[str, Any]) -> RunTables:
    """Read a run's tables under ``config['results']`` (absent ones are skipped).

    Parameters
    ----------
    config : mapping
        Configuration with at least ``results``.

    Returns
    -------
    RunTables
    """
    root = Path(config["results"])
    run = RunTables()
    for name in _CSV_TABLES:
        t = _read_csv(root / "tables" / f"{name}.csv")
        if t is not None:
            run.tables[name] = t
    pdir = root / "periods"
    labels = sorted(p.name for p in pdir.iterdir() if (p / "areas.parquet").exists()) if pdir.exists() else []
    for p in labels:
        run.areas[p] = pd.read_parquet(pdir / p / "areas.parquet")
        if (pdir / p / "core.parquet").exists():
            run.core[p] = pd.read_parquet(pdir / p / "core.parquet", columns=["work_id", "area"])
    if not run.areas and run.get("areas") is not None:
        t = run.tables["areas"]
        for p, g in t.groupby(t["period"].astype(str), sort=True):
            run.areas[str(p)] = g.drop(columns="period").reset_index(drop=True)
    if "areas" not in run.tables and run.areas:
        run.tables["areas"] = pd.concat([a.assign(period=p) for p, a in run.areas.items()], ignore_index=True)
        cols = run.tables["areas"].columns
        run.tables["areas"] = run.tables["areas"][["period", *[c for c in cols if c != "period"]]]
    auth = root / "normalized" / "authorships.parquet"
    if auth.exists():
        import pyarrow.parquet as pq

        names = set(pq.read_schema(auth).names)
        run.authorships = pd.read_parquet(auth, columns=[c for c in ("work_id", "country", "center") if c in names])
    run.ingest = _read_csv(root / "normalized" / "ingest_summary.csv")
    eff = root / "config.effective.yaml"
    run.config = yaml.safe_load(eff.read_text(encoding="utf-8")) if eff.exists() else dict(config)
    return run


def entity_areas(core: pd.DataFrame, authorships: pd.DataFrame, key: str,
                 values: Sequence[str] | None = None) -> pd.DataFrame:
    """Areas where an entity takes part: a core paper of the area has an address there.

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id, area`` (area < 0 ignored).
    authorships : pandas.DataFrame
        ``work_id`` and ``key``.
    key : {"country", "center"}
    values : sequence of str, optional
        Keep only these entities.

    Returns
    -------
    pandas.DataFrame
        Distinct ``entity, area`` rows, sorted.
    """
    if key not in authorships.columns:
        return pd.DataFrame({"entity": pd.Series(dtype=object), "area": pd.Series(dtype="int64")})
    a = authorships.loc[authorships[key].notna(), ["work_id", key]]
    if values is not None:
        a = a[a[key].astype(str).isin(list(values))]
    m = core.loc[core["area"] >= 0, ["work_id", "area"]].merge(a, on="work_id")
    out = m[[key, "area"]].drop_duplicates().rename(columns={key: "entity"})
    out["entity"] = out["entity"].astype(str)
    return out.sort_values(["entity", "area"], ignore_index=True)


SHEET_ORDER = ("participation_countries", "participation_centers", "indicators_countries",
               "indicators_centers", "areas", "wpi_contribution", "transitions", "center_fields")


def report_sheets(run: RunTables) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: the run's tables that exist, in :data:`SHEET_ORDER`.

    Parameters
    ----------
    run : RunTables

    Returns
    -------
    dict of str to pandas.DataFrame
    """
    return {name: run.tables[name] for name in SHEET_ORDER if name in run.tables}


def _pct(v: float) -> str:
    return f"{v:.1%}" if pd.notna(v) else "n/a"


def _is_synthetic(run: RunTables) -> bool:
    for t in run.tables.values():
        if "data" in t.columns and (t["data"].astype(str) == "synthetic").any():
            return True
    return False


def _versions() -> dict[str, str]:
    try:
        from wpimap.pipeline import versions

        out = dict(versions())
    except Exception:  # pragma: no cover - pipeline module absent
        out = {"python": platform.python_version()}
    import importlib.metadata as md

    for pkg in ("matplotlib", "adjustText", "openpyxl"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:  # pragma: no cover
            continue
    return out


def _participation_caption(part: pd.DataFrame, countries: Sequence[str], focus: str) -> str:
    periods = sorted(part["period"].astype(str).unique())
    last = part[part["period"].astype(str) == periods[-1]]
    last = last[last["entity"].astype(str).isin(countries)]
    if last.empty:
        return f"Research areas in which each country takes part, {periods[0]} to {periods[-1]}."
    top = last.sort_values(["areas", "entity"], ascending=[False, True]).iloc[0]
    s = (f"In {periods[-1]}, {top['entity']} took part in the most areas of the countries shown "
         f"({int(top['areas']):,}, {_pct(top['area_share'])})")
    f = part[part["entity"].astype(str) == focus]
    f = pd.Series(f["area_share"].to_numpy(), index=f["period"].astype(str).to_numpy())
    if periods[-1] in f.index:
        s += f"; {focus} in {_pct(f[periods[-1]])}"
        if len(f) > 1 and periods[0] in f.index and periods[0] != periods[-1]:
            s += f", against {_pct(f[periods[0]])} in {periods[0]}"
    return s + "."


def build_report(config: Mapping[str, Any], synthetic: bool = False) -> Path:
    """Draw the figures and write ``report/index.html`` and ``report/tables.xlsx``.

    Parameters
    ----------
    config : mapping
        The validated configuration (``results`` and ``report`` sections; missing
        ``report`` keys take the defaults of config/config.yaml).
    synthetic : bool
        The run is on the synthetic world (also detected from the tables' ``data``
        column); the report then shows a prominent banner.

    Returns
    -------
    pathlib.Path
        Path of ``index.html``.
    """
    rcfg = {"countries": ["US", "CN", "GB", "DE", "JP", "FR"], "focus": ["JP"], "language": "en",
            "color_by": "scigeo", "n_labels": 10, **dict(config.get("report") or {})}
    language = str(rcfg["language"])
    countries = [str(c) for c in rcfg["countries"]]
    focus_list = [str(c) for c in rcfg["focus"]] or ["JP"]
    focus = "+".join(focus_list)
    root = Path(config["results"])
    out_dir = root / "report"
    fig_dir = out_dir / "figures"
    run = load_run(config)
    synthetic = synthetic or _is_synthetic(run)
    if language == "ja":
        from wpimap.report.fonts import require_cjk_font

        require_cjk_font()  # fail before any work with the one-line install hint

    entries: list[FigureEntry] = []
    notes: list[str] = []

    def add(key: str, title: str, needs: str, make: Callable[[], Any], caption: Callable[[], str]) -> None:
        fig = make()
        F.save(fig, fig_dir / key)
        entries.append(FigureEntry(key, title, f"figures/{key}.png", caption(), f"figures/{key}.svg"))
        log.info("report: figure %s (%s)", key, needs)

    def skip(what: str, needs: str) -> None:
        msg = f"Figure '{what}' skipped: {needs} is absent."
        log.info("report: %s", msg)
        notes.append(msg)

    pc = run.get("participation_countries")
    periods = run.periods
    last = periods[-1] if periods else None

    # 1. participation over time
    if pc is not None:
        add("participation", "Participation in research areas", "participation_countries",
            lambda: F.participation_over_time(pc, countries, language),
            lambda: _participation_caption(pc, countries, focus_list[0]))
    else:
        skip("participation over time", "tables/participation_countries.csv")

    # 2. science maps of each period, and the highlighted versions
    auth = run.authorships
    center_sets: dict[str, set[int]] = {}
    focus_sets: dict[str, set[int]] = {}
    for p in periods:
        if p in run.core and auth is not None:
            focus_sets[p] = set(entity_areas(run.core[p], auth, "country", focus_list)["area"])
            center_sets[p] = set(entity_areas(run.core[p], auth, "center")["area"])
    for p in periods:
        a = run.areas[p]
        if not {"x", "y", "n_core"} <= set(a.columns) or a.empty:
            skip(f"science map {p}", f"x, y, n_core of periods/{p}/areas.parquet")
            continue

        def cap_map(a: pd.DataFrame = a, p: str = p) -> str:
            big = a.sort_values(["n_core", "area"], ascending=[False, True]).iloc[0]
            name = str(big["label"]) if "label" in a.columns and pd.notna(big.get("label")) else f"area {big['area']}"
            s = f"{len(a):,} research areas with {int(a['n_core'].sum()):,} core papers in {p}; the largest is “{name}” ({int(big['n_core']):,} core papers)"
            if "scigeo" in a.columns and a["scigeo"].notna().any():
                vc = a["scigeo"].value_counts()
                s += "; " + ", ".join(f"{int(vc[t])} {t.replace('_', ' ')}" for t in F.SCIGEO_TYPES if t in vc)
            return s + "."

        add(f"map_{p}", f"Science map {p}", "areas",
            lambda a=a, p=p: F.science_map(a, str(rcfg["color_by"]), int(rcfg["n_labels"]), p, language), cap_map)
        if p in focus_sets:
            fa, ca = focus_sets[p], center_sets[p]

            def cap_hl(a: pd.DataFrame = a, p: str = p, fa: set = fa, ca: set = ca) -> str:
                n = len(a)
                both = len(fa & ca)
                return (f"In {p}, {focus} takes part in {len(fa):,} of {n:,} areas ({_pct(len(fa) / n)}) and WPI "
                        f"centers in {len(ca):,}; {both:,} of {focus}'s areas involve a center.")

            add(f"map_highlight_{p}", f"Where {focus} and WPI centers take part, {p}", "core + authorships",
                lambda a=a, p=p, fa=fa, ca=ca: F.science_map_highlight(a, fa, ca, focus, p, int(rcfg["n_labels"]),
                                                                      language), cap_hl)
        else:
            skip(f"highlighted map {p}", f"periods/{p}/core.parquet or normalized/authorships.parquet")

    # 3. Sci-GEO composition and transitions
    typed = [p for p in periods if "scigeo" in run.areas[p].columns and run.areas[p]["scigeo"].notna().any()]
    if typed and auth is not None and typed[-1] in run.core:
        p = typed[-1]
        ea = entity_areas(run.core[p], auth, "country", countries)

        def cap_geo(p: str = p, ea: pd.DataFrame = ea) -> str:
            m = ea.merge(run.areas[p][["area", "scigeo"]], on="area")
            sh = m.groupby("entity")["scigeo"].apply(lambda s: (s == "continent").mean())
            if sh.empty:
                return f"Sci-GEO types of the areas each country takes part in, {p}."
            best = sh.sort_values(ascending=False, kind="stable").index[0]
            s = f"In {p}, continents make up {_pct(sh[best])} of {best}'s participated areas, the most of the countries shown"
            if focus_list[0] in sh.index:
                s += f"; {_pct(sh[focus_list[0]])} of {focus_list[0]}'s"
            return s + "."

        add("scigeo_composition", f"Sci-GEO composition, {p}", "areas + core + authorships",
            lambda: F.scigeo_composition(ea, run.areas[p], countries, p, language), cap_geo)
    else:
        skip("Sci-GEO composition", "scigeo types, core.parquet or authorships.parquet")
    tr = run.get("transitions")
    if tr is not None and tr["count"].sum() > 0:
        def cap_tr() -> str:
            lp = sorted(tr["from_period"].astype(str).unique())[-1]
            d = tr[tr["from_period"].astype(str) == lp]
            n = int(d["count"].sum())
            v = int(d.loc[d["to_type"] == "vanished", "count"].sum())
            tp = d["to_period"].iloc[0]
            return (f"Of the {n:,} typed areas of {lp}, {v:,} ({_pct(v / n if n else float('nan'))}) "
                    f"had no successor in {tp}.")

        add("transitions", "Transitions between Sci-GEO types", "transitions",
            lambda: F.transitions_flow(tr, language), cap_tr)
    else:
        skip("transitions", "tables/transitions.csv")

    # 4. centers
    ic = run.get("indicators_centers")
    if ic is not None and {"intl_rate", "top10_share", "papers"} <= set(ic.columns):
        def cap_q() -> str:
            d = F._whole_period_rows(ic, "whole")
            p = sorted(d["period"].astype(str).unique())[-1]
            cen, ref = F._split_centers(d[d["period"].astype(str) == p], focus_list[0])
            if ref.empty or cen.empty:
                return f"Centers' Top10% share against international co-authorship in {p}."
            r = ref.iloc[0]
            k = int((cen["top10_share"] > r["top10_share"]).sum())
            m = int((cen["intl_rate"] > r["intl_rate"]).sum())
            return (f"In {p}, {k} of {len(cen)} centers exceed {focus_list[0]}'s Top10% share "
                    f"({_pct(r['top10_share'])}) and {m} its international co-authorship rate ({_pct(r['intl_rate'])}).")

        add("centers_q", "Centers: Top10% share and international co-authorship", "indicators_centers",
            lambda: F.q_value_chart(ic, None, "whole", focus_list[0], language), cap_q)

        def cap_trend() -> str:
            d = F._whole_period_rows(ic, "whole")
            cen, _ = F._split_centers(d, focus_list[0])
            if cen.empty:
                return "Top10% share and international co-authorship per center over time."
            lp = sorted(cen["period"].astype(str).unique())[-1]
            c = cen[cen["period"].astype(str) == lp].sort_values(["top10_share", "entity"], ascending=[False, True])
            return (f"{c.iloc[0]['entity']} has the highest Top10% share of the centers in {lp} "
                    f"({_pct(c.iloc[0]['top10_share'])}).")

        add("centers_trends", "Centers over time", "indicators_centers",
            lambda: F.center_trends(ic, "whole", focus_list[0], language), cap_trend)
    else:
        skip("centers' indicators", "tables/indicators_centers.csv")

    # 5. fields of the centers
    cf = run.get("center_fields")
    if cf is not None:
        def cap_cf() -> str:
            tot = cf.groupby("field")["papers"].sum().sort_values(ascending=False, kind="stable")
            return (f"{cf['center'].nunique()} centers; the most common field of their papers is {tot.index[0]} "
                    f"({_pct(tot.iloc[0] / tot.sum())} of the centers' papers).")

        add("center_fields", "Fields of the centers' papers", "center_fields",
            lambda: F.center_fields_chart(cf, language=language), cap_cf)
    else:
        skip("centers' fields", "tables/center_fields.csv")

    # 6. emerging and interdisciplinary
    if last is not None and {"n_core", "area"} <= set(run.areas[last].columns):
        a = run.areas[last]
        ca = center_sets.get(last, set())

        def cap_em() -> str:
            e = a["emerging"].fillna(False).astype(bool) if "emerging" in a.columns else pd.Series(False, a.index)
            i = (a["interdisciplinary"].fillna(False).astype(bool) if "interdisciplinary" in a.columns
                 else pd.Series(False, a.index))
            inc = a["area"].isin(list(ca))
            return (f"In {last}, {int(e.sum())} of {len(a)} areas are emerging and {int(i.sum())} interdisciplinary; "
                    f"WPI centers take part in {int((e & inc).sum())} emerging and {int((i & inc).sum())} "
                    "interdisciplinary areas.")

        add("emerging", f"Emerging and interdisciplinary areas, {last}", "areas",
            lambda: F.emerging_chart(a, ca, last, language), cap_em)
    else:
        skip("emerging and interdisciplinary areas", "periods/*/areas.parquet")

    # summary numbers
    summary: list[tuple[str, str]] = []
    if periods:
        summary.append(("periods", f"{periods[0]} … {periods[-1]}" if len(periods) > 1 else periods[0]))
        summary.append((f"research areas, {last}", f"{len(run.areas[last]):,}"))
        if "n_core" in run.areas[last].columns:
            summary.append((f"core papers, {last}", f"{int(run.areas[last]['n_core'].sum()):,}"))
    if pc is not None:
        f = pc[pc["entity"].astype(str) == focus_list[0]].copy()
        f["period"] = f["period"].astype(str)
        f = f.sort_values("period")
        if not f.empty:
            summary.append((f"{focus_list[0]} participation share, {f['period'].iloc[-1]}", _pct(f["area_share"].iloc[-1])))
            if len(f) > 1:
                ch = (f["area_share"].iloc[-1] - f["area_share"].iloc[0]) * 100
                summary.append((f"change since {f['period'].iloc[0]}", f"{ch:+.1f} points"))
    wc = run.get("wpi_contribution")
    if wc is not None and "center" in wc.columns:
        allc = wc[wc["center"].astype(str) == "all centers"].copy()
        if not allc.empty:
            allc["period"] = allc["period"].astype(str)
            r = allc.sort_values("period").iloc[-1]
            for col, text in (("area_contribution", "areas"), ("emerging_contribution", "emerging areas"),
                              ("interdisciplinary_contribution", "interdisciplinary areas")):
                if col in r.index:
                    summary.append((f"{focus_list[0]}'s {text} involving a WPI center, {r['period']}", _pct(r[col])))

    write_workbook(report_sheets(run), out_dir / "tables.xlsx")
    shown = {}
    for name, heading in (("participation_countries", "Participation of countries"),
                          ("participation_centers", "Participation of centers"),
                          ("wpi_contribution", "WPI contribution"), ("indicators_centers", "Indicators of centers"),
                          ("transitions", "Sci-GEO transitions")):
        t = run.get(name)
        if t is not None:
            if name == "indicators_centers" and "span" in t.columns:
                t = t[t["span"].astype(str) == t["period"].astype(str)]
            shown[heading] = t
    title = "wpimap report — science map, participation and WPI indicators"
    path = write_html(out_dir / "index.html", title=title, synthetic=synthetic, summary=summary, figures=entries,
                      tables=shown, config=run.config, ingest=run.ingest, versions=_versions(), notes=notes,
                      language="en")  # the page's text is English; figure labels follow report.language
    log.info("report: %s (%d figures)", path, len(entries))
    return path
