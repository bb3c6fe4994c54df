"""Re-render every models/<name>/<version>/MODEL_CARD.md from its meta.json (no retraining)."""

from __future__ import annotations

import json
from pathlib import Path

from notereview.ml._cards import card

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    for meta_path in sorted((ROOT / "models").glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text())
        (meta_path.parent / "MODEL_CARD.md").write_text(card(meta["name"], meta["version"], meta))
        print(f"rendered {meta['name']}@{meta['version']}")


if __name__ == "__main__":
    main()
