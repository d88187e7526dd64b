"""Run results as JSON files: one per run, written atomically (a temporary file renamed into
place), so an interrupted run leaves no half-written result and a rerun skips finished runs."""
import json
import os
import tempfile


def run_path(out_dir, task, attention, seed):
    return os.path.join(out_dir, f"{task}-{attention}-seed{seed}.json")


def write_json(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream, indent=1, sort_keys=True)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def read_json(path):
    with open(path) as stream:
        return json.load(stream)


def finished_runs(out_dir, prefix=""):
    """Every run result in OUT_DIR (the files of `run_path`), read."""
    if not os.path.isdir(out_dir):
        return []
    names = sorted(n for n in os.listdir(out_dir)
                   if n.endswith(".json") and n.startswith(prefix) and not n.startswith("."))
    return [read_json(os.path.join(out_dir, n)) for n in names]
