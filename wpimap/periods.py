"""Periods (time windows) of the science map and citation counts per window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Period:
    """A closed year window ``start``-``end``, labelled ``"start-end"``."""

    start: int
    end: int

    @property
    def label(self) -> str:
        """The period's label, e.g. ``"2013-2018"``."""
        return f"{self.start}-{self.end}"

    @classmethod
    def parse(cls, label: str) -> Period:
        """Parse a ``"YYYY-YYYY"`` label.

        Parameters
        ----------
        label : str

        Returns
        -------
        Period
        """
        a, b = label.split("-")
        start, end = int(a), int(b)
        if end < start:
            raise ValueError(f"period {label}: end year before start year")
        return cls(start, end)


def make_periods(first_year: int, last_year: int, window: int, step: int) -> list[Period]:
    """Return windows of ``window`` years whose ends step by ``step``, ending at ``last_year``.

    The last window ends at ``last_year``; earlier windows end ``step`` years apart; the
    first window is the earliest one that starts at or after ``first_year``.

    Parameters
    ----------
    first_year, last_year : int
        Year range covered.
    window : int
        Years per window.
    step : int
        Years between window ends.

    Returns
    -------
    list of Period
        In chronological order; empty when the range is shorter than one window.

    Examples
    --------
    >>> [p.label for p in make_periods(2009, 2020, 6, 2)]
    ['2009-2014', '2011-2016', '2013-2018', '2015-2020']
    """
    out = []
    end = last_year
    while end - window + 1 >= first_year:
        out.append(Period(end - window + 1, end))
        end -= step
    return out[::-1]


def periods_from_config(config: Mapping[str, Any]) -> list[Period]:
    """Return the periods of a (validated) configuration.

    Parameters
    ----------
    config : mapping
        The full configuration; reads ``periods``.

    Returns
    -------
    list of Period
    """
    p = config["periods"]
    if p.get("list"):
        return [Period.parse(label) for label in p["list"]]
    return make_periods(p["first_year"], p["last_year"], p["window"], p["step"])
