"""Configuration: schema defaults, validation messages, the shipped config."""

from __future__ import annotations

import pytest
import yaml

from wpimap.config import ConfigError, deep_merge, load_config, load_schema, validate_config
from wpimap.periods import periods_from_config


def _defaults(schema: dict) -> dict:
    """Collect the defaults of an object schema recursively (independent of the validator)."""
    out = {}
    for key, sub in schema.get("properties", {}).items():
        if sub.get("type") == "object" and "properties" in sub:
            out[key] = _defaults(sub)
        elif "default" in sub:
            out[key] = sub["default"]
    return out


def test_shipped_config_equals_schema_defaults():
    # config/config.yaml documents the defaults: it must say exactly what the schema fills in.
    assert load_config() == validate_config(_defaults(load_schema()))


def test_empty_config_gets_every_default():
    cfg = validate_config({})
    assert cfg["cocitation"] == {
        "min_count": 2, "min_strength": 0.1, "normalization": "cosine",
        "citing_years": "period", "chunk_rows": 200000,
    }
    assert cfg["compute"]["dask"]["workers"] == 2
    assert [p.label for p in periods_from_config(cfg)] == ["2009-2014", "2011-2016", "2013-2018", "2015-2020"]


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ({"fronts": {"resolution": 0}}, "fronts.resolution"),
        ({"cocitation": {"normalization": "jaccard"}}, "cocitation.normalization"),
        ({"cocitaton": {}}, "(top level)"),
        ({"inputs": [{"format": "wos"}]}, "inputs.0"),
        ({"periods": {"list": ["2013-18"]}}, "periods.list.0"),
    ],
)
def test_bad_values_name_the_key(bad, where):
    with pytest.raises(ConfigError) as exc:
        validate_config(bad)
    msg = str(exc.value)
    assert msg.startswith(f"config key {where}:")
    assert "\n" not in msg


def test_load_config_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("periods: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_overrides_deep_merge(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"fronts": {"resolution": 2.0}}))
    cfg = load_config(path, overrides={"fronts": {"seed": 7}})
    assert cfg["fronts"]["resolution"] == 2.0 and cfg["fronts"]["seed"] == 7
    assert cfg["fronts"]["min_size"] == 3
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}


def test_explicit_period_list():
    cfg = validate_config({"periods": {"list": ["2001-2003", "2004-2006"]}})
    assert [(p.start, p.end) for p in periods_from_config(cfg)] == [(2001, 2003), (2004, 2006)]
