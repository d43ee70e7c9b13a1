# Across periods: interdisciplinarity, continuity, Sci-GEO, emergence; participation; WPI.


rule evolve:
    input:
        config=EFFECTIVE_CONFIG,
        cores=expand(f"{RESULTS}/periods/{{period}}/core.parquet", period=PERIODS),
        cocitations=expand(
            f"{RESULTS}/periods/{{period}}/cocitation.parquet", period=PERIODS
        ),
        areas=expand(f"{RESULTS}/periods/{{period}}/map_areas.parquet", period=PERIODS),
        works=rules.ingest.output.works,
        references=rules.ingest.output.references,
    output:
        areas=expand(f"{RESULTS}/periods/{{period}}/areas.parquet", period=PERIODS),
        transitions=f"{RESULTS}/tables/transitions.csv",
        areas_table=f"{RESULTS}/tables/areas.csv",
        vanish_rates=f"{RESULTS}/tables/vanish_rates.csv",
        area_links=f"{RESULTS}/tables/area_links.csv",
    log:
        f"{LOGS}/evolve.log",
    conda:
        "../envs/wpimap.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        synthetic=SYNTH_FLAG,
    shell:
        "wpimap stage evolve --config {input.config} {params.synthetic} > {log} 2>&1"


rule participation:
    input:
        config=EFFECTIVE_CONFIG,
        areas=rules.evolve.output.areas,
        cores=expand(f"{RESULTS}/periods/{{period}}/core.parquet", period=PERIODS),
        works=rules.ingest.output.works,
        authorships=rules.ingest.output.authorships,
        references=rules.ingest.output.references,
    output:
        countries=f"{RESULTS}/tables/participation_countries.csv",
        centers=f"{RESULTS}/tables/participation_centers.csv",
        wpi=f"{RESULTS}/tables/wpi_contribution.csv",
        center_fields=f"{RESULTS}/tables/center_fields.csv",
    log:
        f"{LOGS}/participation.log",
    conda:
        "../envs/wpimap.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        synthetic=SYNTH_FLAG,
    shell:
        "wpimap stage participation --config {input.config} {params.synthetic} > {log} 2>&1"
