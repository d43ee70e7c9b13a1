# Ingest: raw records (OpenAlex, WoS, Scopus) -> normalized tables.


rule ingest:
    input:
        files=ingest_inputs(),
        config=EFFECTIVE_CONFIG,
        centers=config["centers"],
    output:
        works=f"{RESULTS}/normalized/works.parquet",
        authorships=f"{RESULTS}/normalized/authorships.parquet",
        references=f"{RESULTS}/normalized/references.parquet",
        rejects=f"{RESULTS}/normalized/rejects.parquet",
        summary=f"{RESULTS}/normalized/ingest_summary.csv",
    log:
        f"{LOGS}/ingest.log",
    conda:
        "../envs/wpimap.yaml"
    threads: config["ingest"].get("jobs", 1)
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        paths=_ingest_paths,
        out=lambda wildcards, output: str(Path(output.works).parent),
    shell:
        "wpimap ingest {params.paths} --config {input.config} --centers {input.centers} "
        "--out {params.out} --jobs {threads} > {log} 2>&1"
