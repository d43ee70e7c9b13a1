# Periods: core papers (Top 1% per field x year) and the WPI indicators.


rule core:
    input:
        config=EFFECTIVE_CONFIG,
        works=rules.ingest.output.works,
        references=rules.ingest.output.references,
    output:
        selection=f"{RESULTS}/periods/{{period}}/selection.parquet",
    log:
        f"{LOGS}/core/{{period}}.log",
    conda:
        "../envs/wpimap.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        synthetic=SYNTH_FLAG,
    shell:
        "wpimap stage core --config {input.config} --period {wildcards.period} {params.synthetic} > {log} 2>&1"


rule indicators:
    input:
        config=EFFECTIVE_CONFIG,
        works=rules.ingest.output.works,
        authorships=rules.ingest.output.authorships,
        references=rules.ingest.output.references,
    output:
        countries=f"{RESULTS}/tables/indicators_countries.csv",
        centers=f"{RESULTS}/tables/indicators_centers.csv",
    log:
        f"{LOGS}/indicators.log",
    conda:
        "../envs/wpimap.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        synthetic=SYNTH_FLAG,
    shell:
        "wpimap stage indicators --config {input.config} {params.synthetic} > {log} 2>&1"
