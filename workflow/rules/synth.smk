# The synthetic world: the embedded default input when `inputs` is empty.


rule synth:
    output:
        truth=f"{SYNTH_DIR}/{{scale}}-{{seed}}/truth.json",
    log:
        f"{LOGS}/synth/{{scale}}-{{seed}}.log",
    cache: "omit-software"
    conda:
        "../envs/wpimap.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        out=lambda wc: f"{SYNTH_DIR}/{wc.scale}-{wc.seed}",
        centers=config["centers"],
    shell:
        "wpimap synth --scale {wildcards.scale} --seed {wildcards.seed} "
        "--centers {params.centers} --out {params.out} > {log} 2>&1"
