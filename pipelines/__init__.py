"""email-analytics-elt loader: one dlt source per email service provider."""

import os

# Arrow allocates with jemalloc (in pyarrow's Linux and macOS wheels; Arrow falls back on its
# default elsewhere) unless the environment chooses: its default there, mimalloc, kept up to
# 130 MB more of the batches' freed memory (DECISIONLOG "Memory of the load step"). Set before
# Arrow's first allocation, which this package's import precedes.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
