"""Load and validate the wpimap configuration.

The JSON-Schema in ``workflow/schemas/config.schema.yaml`` is the single source of the
keys, their types and their defaults; Snakemake validates with the same file.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "workflow" / "schemas" / "config.schema.yaml"
DEFAULT_CONFIG = ROOT / "config" / "config.yaml"


class ConfigError(ValueError):
    """The configuration is invalid; the message is one line naming the key."""


def _with_defaults(validator_class: type) -> type:
    # The jsonschema documentation's recipe: fill "default" values while validating.
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for prop, sub in properties.items():
                if "default" in sub and prop not in instance:
                    instance[prop] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_Validator = _with_defaults(jsonschema.Draft202012Validator)


def load_schema() -> dict[str, Any]:
    """Return the configuration JSON-Schema as a dict.

    Returns
    -------
    dict
    """
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def validate_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a configuration and return a copy with every default filled in.

    Parameters
    ----------
    config : mapping
        The user's configuration (possibly partial).

    Returns
    -------
    dict
        The complete configuration.

    Raises
    ------
    ConfigError
        One line: the key path and what is wrong with it.
    """
    cfg = copy.deepcopy(dict(config))
    validator = _Validator(load_schema())
    errors = sorted(validator.iter_errors(cfg), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise ConfigError(f"config key {where}: {err.message}")
    # A second pass fills defaults inside objects that were created by defaults.
    validator.validate(cfg)
    return cfg


def load_config(path: str | os.PathLike[str] | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Read a YAML configuration file, apply overrides, validate and fill defaults.

    Parameters
    ----------
    path : path-like, optional
        YAML file; the project's ``config/config.yaml`` when omitted.
    overrides : mapping, optional
        Nested keys that replace those of the file (deep merge).

    Returns
    -------
    dict
        The complete configuration.

    Raises
    ------
    ConfigError
        When the file is missing, not YAML, or invalid.
    """
    path = Path(path) if path is not None else DEFAULT_CONFIG
    try:
        with open(path, encoding="utf-8") as fh:
            cfg = yaml.safe_load(fh) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(cfg, dict):
        raise ConfigError(f"{path}: the config must be a mapping of keys")
    if overrides:
        cfg = deep_merge(cfg, overrides)
    return validate_config(cfg)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into a copy of ``base``, recursing into nested mappings.

    Parameters
    ----------
    base, over : mapping

    Returns
    -------
    dict
    """
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
