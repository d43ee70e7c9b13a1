# wpimap: the science-map workflow. Rules live in workflow/rules/*.smk; each calls one
# `wpimap` CLI command. Run: snakemake --cores 2   (see README.md)

from snakemake.utils import min_version, validate

min_version("9.27")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/synth.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/core.smk"
include: "workflow/rules/map.smk"
include: "workflow/rules/participation.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),


onsuccess:
    report_html = Path(RESULTS, "report", "index.html")
    if report_html.exists():
        print(f"wpimap: done. Report: {report_html.resolve()}")
