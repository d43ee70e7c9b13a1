# The report: figures (PNG + SVG), HTML report and workbook.


rule report:
    input:
        config=EFFECTIVE_CONFIG,
        indicators=rules.indicators.output,
        participation=rules.participation.output,
        transitions=rules.evolve.output.transitions,
        areas=rules.evolve.output.areas,
        summary=rules.ingest.output.summary,
    output:
        html=f"{RESULTS}/report/index.html",
        workbook=f"{RESULTS}/report/tables.xlsx",
    log:
        f"{LOGS}/report.log",
    conda:
        "../envs/wpimap.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        synthetic=SYNTH_FLAG,
    shell:
        "wpimap stage report --config {input.config} {params.synthetic} > {log} 2>&1"
