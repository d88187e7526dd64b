"""Input checks shared by the OPU and the encoders: numpy arrays (or torch tensors, converted
without a copy on the CPU) with errors naming the argument."""
import numpy as np


def is_tensor(x):
    return type(x).__name__ == "Tensor" and hasattr(x, "numpy")


def to_numpy(x, argument):
    """X as a numpy array (a CPU torch tensor is viewed, not copied); TypeError naming ARGUMENT
    for anything else that is not array-like."""
    if is_tensor(x):
        return x.detach().cpu().numpy()
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple)):
        return np.asarray(x)
    raise TypeError(f"{argument}: expected a numpy array or a torch tensor, "
                    f"got {type(x).__name__}")


def like_input(y, was_tensor):
    """Y back as a torch tensor when the input was one (sharing memory)."""
    if was_tensor:
        import torch
        return torch.from_numpy(np.ascontiguousarray(y))
    return y


def check_dims(x, argument, low=1, high=4):
    if not low <= x.ndim <= high:
        raise ValueError(f"{argument}: expected {low} to {high} dimensions, got shape {x.shape}")


def binary_uint8(x, argument):
    """X's values as a C-contiguous uint8 array, without a copy for a contiguous bool or uint8
    array. The SDK checks the values are 0 or 1 and names the first that is not."""
    if x.dtype == np.bool_:
        x = x.view(np.uint8)
    elif x.dtype != np.uint8:
        if not np.issubdtype(x.dtype, np.integer):
            raise TypeError(f"{argument}: expected binary values (bool or uint8), got dtype "
                            f"{x.dtype}; encode real values first (e.g. BinaryThresholdEncoder) "
                            f"or use linear_transform")
        if x.size and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"{argument}: expected binary values (0 or 1), found values in "
                             f"[{x.min()}, {x.max()}]")
        x = x.astype(np.uint8)
    return np.ascontiguousarray(x)


def real_float32(x, argument):
    """X as a C-contiguous float32 array (no copy when it already is one)."""
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
        raise TypeError(f"{argument}: expected real numbers, got dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.complexfloating):
        raise TypeError(f"{argument}: expected real numbers, got complex dtype {x.dtype}")
    return np.ascontiguousarray(x, dtype=np.float32)
