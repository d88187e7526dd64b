"""The two tasks, both made locally (no downloads): scikit-learn's bundled digits as a 64-token
sequence, and a ListOps-style task (nested list operations, as in Long Range Arena) generated
with a fixed seed and padded to 512 tokens."""
import random
from dataclasses import dataclass

import numpy as np

PAD = 0


@dataclass
class Task:
    """Token sequences (int64, n x length) with their labels, split into train and test."""
    name: str
    vocab: int
    length: int
    classes: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def digits_task():
    """scikit-learn's digits (1797 8x8 images, intensities 0..16), read row by row as 64 tokens
    whose ids are the intensities: the image as a sequence of discrete pixel tokens, as Long
    Range Arena's image task does with its 256 grey levels. The split is docs/python.md's:
    stratified 75/25 with random_state=0 (1347 train, 450 test)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    data = load_digits()
    tokens = data.images.reshape(len(data.images), 64).astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        tokens, data.target.astype(np.int64), test_size=0.25, random_state=0,
        stratify=data.target)
    return Task("digits", 17, 64, 10, x_train, y_train, x_test, y_test)


# ListOps vocabulary: PAD, the digits 0..9, four opening operators and the closing bracket.
DIGIT_TOKEN = 1
OPERATORS = ("MAX", "MIN", "MED", "SM")
OPEN_TOKEN = {name: 11 + i for i, name in enumerate(OPERATORS)}
CLOSE_TOKEN = 15
LISTOPS_VOCAB = 16


def listops_value(operator, values):
    """MAX, MIN, MED (the lower median: sorted[(n - 1) // 2]), SM (sum modulo 10)."""
    if operator == "MAX":
        return max(values)
    if operator == "MIN":
        return min(values)
    if operator == "MED":
        return sorted(values)[(len(values) - 1) // 2]
    if operator == "SM":
        return sum(values) % 10
    raise ValueError(f"operator: expected one of {OPERATORS}, got {operator!r}")


class _TooLong(Exception):
    """An expression grew past the length limit: drawn again."""


def _listops_tree(rng, depth, max_depth, max_args, budget):
    """One random expression: (tokens, value). Deeper levels branch less; the root always
    branches. BUDGET ([tokens left]) stops an expression as soon as it exceeds the limit."""
    branch = depth == 0 or (depth < max_depth and rng.random() < 0.85 ** depth * 0.6)
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLong()
    if not branch:
        digit = rng.randrange(10)
        return [DIGIT_TOKEN + digit], digit
    operator = OPERATORS[rng.randrange(len(OPERATORS))]
    tokens, values = [OPEN_TOKEN[operator]], []
    for _ in range(rng.randint(2, max_args)):
        child_tokens, child_value = _listops_tree(rng, depth + 1, max_depth, max_args, budget)
        tokens += child_tokens
        values.append(child_value)
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLong()
    tokens.append(CLOSE_TOKEN)
    return tokens, listops_value(operator, values)


def listops_examples(count, seed, length=512, min_length=32, max_depth=8, max_args=6):
    """COUNT expressions of min_length..length tokens, padded with PAD to LENGTH; labels are
    their values (10 classes). Deterministic in SEED."""
    if length < min_length:
        raise ValueError(f"length: expected at least min_length={min_length}, got {length}")
    rng = random.Random(seed)
    x = np.full((count, length), PAD, dtype=np.int64)
    y = np.zeros(count, dtype=np.int64)
    made = 0
    while made < count:
        try:
            tokens, value = _listops_tree(rng, 0, max_depth, max_args, [length])
        except _TooLong:
            continue
        if len(tokens) >= min_length:
            x[made, :len(tokens)] = tokens
            y[made] = value
            made += 1
    return x, y


def listops_task(train=4000, test=500, length=512):
    """The ListOps-style task: train and test sets from fixed seeds (1 and 2), 512 tokens."""
    x_train, y_train = listops_examples(train, seed=1, length=length)
    x_test, y_test = listops_examples(test, seed=2, length=length)
    return Task("listops", LISTOPS_VOCAB, length, 10, x_train, y_train, x_test, y_test)


TASKS = {"digits": digits_task, "listops": listops_task}


def load_task(name):
    if name not in TASKS:
        raise ValueError(f"task: expected one of {', '.join(TASKS)}, got {name!r}")
    return TASKS[name]()
