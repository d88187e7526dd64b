"""A progress bar on stderr for long device calls (lightonml draws one with tqdm; opusim needs no
extra package). Drawn only on a terminal, and only for calls longer than a second of wall time."""
import sys
import time


class ProgressBar:
    """Called by the SDK after each device job with (frames done, frames planned)."""

    def __init__(self, label, stream=None, delay_s=1.0):
        self._label = label
        self._stream = stream or sys.stderr
        self._start = time.monotonic()
        self._delay_s = delay_s
        self._drawn = False

    def __call__(self, done, total):
        if time.monotonic() - self._start < self._delay_s:
            return
        if not getattr(self._stream, "isatty", lambda: False)():
            return
        fraction = done / total if total else 1.0
        width = 30
        filled = int(round(fraction * width))
        self._stream.write(f"\r{self._label} [{'#' * filled}{'.' * (width - filled)}] "
                           f"{done}/{total} frames")
        self._stream.flush()
        self._drawn = True

    def finish(self):
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
