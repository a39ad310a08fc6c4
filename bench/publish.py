"""Copy the tables of committed runs into the README (between the bench markers): `python -m bench.publish
bench/results/<run>.md ...` — one table per run, in the order given."""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def publish(paths: list[str]) -> None:
    tables = "\n".join(Path(p).read_text() for p in paths)  # each starts with a line naming its run
    text = README.read_text()
    text = re.sub(r"<!-- bench:start -->.*<!-- bench:end -->", lambda _: f"<!-- bench:start -->\n{tables}<!-- bench:end -->",
                  text, flags=re.S)
    README.write_text(text)


if __name__ == "__main__":
    publish(sys.argv[1:])
