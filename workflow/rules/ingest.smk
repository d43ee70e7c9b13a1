# Ingest: raw records (OpenAlex, WoS, Scopus) -> normalized tables.


def _ingest_paths(wildcards, input):
    if SYNTHETIC:
        return str(Path(input.files[0]).parent / "works")
    return " ".join(f"'{f}'" for f in input.files)


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
    threads: 1
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        paths=_ingest_paths,
        out=f"{RESULTS}/normalized",
    shell:
        "wpimap ingest {params.paths} --config {input.config} --centers {input.centers} "
        "--out {params.out} > {log} 2>&1"
