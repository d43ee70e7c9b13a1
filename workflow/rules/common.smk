# Shared helpers: the effective config file, the periods, the inputs.

import yaml
from pathlib import Path

from wpimap.config import validate_config
from wpimap.periods import periods_from_config

RESULTS = config["results"]
PERIODS = [p.label for p in periods_from_config(config)]
SYNTHETIC = not config["inputs"]
SYNTH_DIR = config["synthetic"]["out"]
LOGS = f"{RESULTS}/logs"


def _write_effective_config():
    # The validated config (defaults filled) is what every rule reads; it is rewritten
    # only when it changes, so an unchanged config never triggers a rerun.
    path = Path(RESULTS) / "config.effective.yaml"
    text = yaml.safe_dump(validate_config(config), sort_keys=True)
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(path)


EFFECTIVE_CONFIG = _write_effective_config()
SYNTH_FLAG = "--synthetic" if SYNTHETIC else ""


def ingest_inputs():
    if SYNTHETIC:
        return [
            f"{SYNTH_DIR}/{config['synthetic']['scale']}-{config['synthetic']['seed']}/truth.json"
        ]
    import glob

    files = []
    for spec in config["inputs"]:
        files.extend(sorted(glob.glob(spec["path"], recursive=True)) or [spec["path"]])
    return files


def final_outputs():
    out = [
        f"{RESULTS}/tables/indicators_countries.csv",
        f"{RESULTS}/tables/participation_countries.csv",
        f"{RESULTS}/report/index.html",
    ]
    return out


def _ingest_paths(wildcards, input):
    if SYNTHETIC:
        return str(Path(input.files[0]).parent / "works")
    return " ".join(f"'{f}'" for f in input.files)
