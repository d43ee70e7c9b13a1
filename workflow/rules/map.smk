# The science map per period: co-citation, Leiden fronts and areas, labels, layout.


rule map:
    input:
        config=EFFECTIVE_CONFIG,
        selection=rules.core.output.selection,
        works=rules.ingest.output.works,
        references=rules.ingest.output.references,
    output:
        core=f"{RESULTS}/periods/{{period}}/core.parquet",
        cocitation=f"{RESULTS}/periods/{{period}}/cocitation.parquet",
        areas=f"{RESULTS}/periods/{{period}}/map_areas.parquet",
    log:
        f"{LOGS}/map/{{period}}.log",
    conda:
        "../envs/wpimap.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        synthetic=SYNTH_FLAG,
    shell:
        "wpimap stage map --config {input.config} --period {wildcards.period} {params.synthetic} > {log} 2>&1"
