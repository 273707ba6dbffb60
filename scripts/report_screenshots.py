"""The README's screenshots of the HTML report: `make demo`, then

    .venv/bin/python scripts/report_screenshots.py [--report demo-report.html] [--out docs/images]

opens the report in headless Chromium (tests/chromium.py; scripts/chromium.sh installs it) and
saves one PNG per section below, cropped to a window's height from the section's top.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.chromium import Chromium  # noqa: E402

# (section anchor, file name, height in CSS pixels)
SHOTS = (
    ("over-time", "report-over-time.png", 760),
    ("dashboard", "report-dashboard.png", 620),
    ("engagement", "report-engagement.png", 760),
)
WIDTH = 1100
DRAWN = """
(async () => {
  const plots = Array.from(document.querySelectorAll('.plotly-graph-div'));
  for (let i = 0; i < 200 && !plots.every((p) => p.querySelector('svg.main-svg')); i++) {
    await new Promise((done) => setTimeout(done, 50));
  }
  await new Promise((done) => setTimeout(done, 300));
  return plots.length;
})()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=ROOT / "demo-report.html")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    if not args.report.is_file():
        print(f"error: {args.report} does not exist: run `make demo` first", file=sys.stderr)
        return 2
    binary = subprocess.run(
        [str(ROOT / "scripts" / "chromium.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    args.out.mkdir(parents=True, exist_ok=True)
    with Chromium(binary, width=WIDTH, height=900) as browser:
        session = browser.open(args.report.resolve().as_uri())
        browser.evaluate(session, DRAWN)
        for anchor, name, height in SHOTS:
            top = browser.evaluate(
                session,
                f"document.getElementById('{anchor}').getBoundingClientRect().top + window.scrollY",
            )
            path = browser.screenshot(
                session, args.out / name, {"x": 0, "y": top, "width": WIDTH, "height": height}
            )
            print(f"{path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
