"""OPUMap adapters: scikit-learn (opusim.projections.sklearn) and PyTorch
(opusim.projections.torch)."""
