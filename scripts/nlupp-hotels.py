#!/usr/bin/env python3
"""Turn the hotel queries of NLU++ into a labelled CSV for eval tagging.

NLU++ (Casanueva et al., "NLU++: A Multi-Label, Slot-Rich, Generalisable
Dataset for Natural Language Understanding in Task-Oriented Dialogue",
Findings of NAACL 2022; CC BY 4.0) labels customer requests to a hotel with
intents, 15 of which name a part of the hotel (booking, parking, spa, wifi,
...). It is not shipped with socialpulse: get nlupp/data/hotels/fold*.json
from the authors' release, then

    python3 scripts/nlupp-hotels.py DIR_WITH_THE_FOLDS OUT.csv [FOLD...]

writes OUT.csv (text,feature: the hotel intents of each request, joined with
";", empty for none) from the folds given (default: all 20), which

    socialpulse eval tagging --taxonomy taxonomies/nlupp-hotels-nameonly.yaml OUT.csv

measures. BENCHMARKS.md leaves out fold 0, which we read while writing the
taxonomy's first draft. Standard library only.
"""
import csv
import json
import os
import sys

HOTEL_INTENTS = [
    "refund", "check_in", "check_out", "restaurant", "swimming_pool", "parking", "pets",
    "accesibility", "booking", "wifi", "gym", "spa", "room_ammenities", "housekeeping", "room_service",
]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    folds = [int(f) for f in sys.argv[3:]] or list(range(20))
    n = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "feature"])
        for fold in folds:
            with open(os.path.join(src, f"fold{fold}.json"), encoding="utf-8") as jf:
                for ex in json.load(jf):
                    labels = [i for i in ex.get("intents", []) if i in HOTEL_INTENTS]
                    w.writerow([ex["text"], ";".join(labels)])
                    n += 1
    print(f"{out}: {n} requests")


if __name__ == "__main__":
    main()
