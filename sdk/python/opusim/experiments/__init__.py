"""opusim.experiments: Performer training experiments on the simulated OPU (docs/experiments.md).

    python3 -m opusim.experiments.performer --task digits --attention favor_device --seed 0
    python3 -m opusim.experiments.table          # every task x attention x seed, resumable
    python3 -m opusim.experiments.benchmark      # time and memory per step against L
    python3 -m opusim.experiments.summary        # the table and SVG figures from the JSON files
"""
