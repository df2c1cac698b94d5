#!/usr/bin/env python3
"""Turn the Banking77 intent data into a name-only taxonomy and a labelled CSV.

Banking77 (Casanueva et al., "Efficient Intent Detection with Dual Sentence
Encoders", 2020; CC BY 4.0) is 13,083 customer queries to a bank, each labelled
with one of 77 intents. It is not shipped with socialpulse: get its
categories.json and test.csv (and train.csv) from the authors' release, then

    python3 scripts/banking77-nameonly.py DIR_WITH_THE_FILES OUT_DIR

writes OUT_DIR/banking77-nameonly.yaml (one feature per intent, the intent's
name as its id and name, no terms: a taxonomy written from the category names
alone) and OUT_DIR/banking77-test.csv (text,feature), which

    socialpulse eval tagging --taxonomy OUT_DIR/banking77-nameonly.yaml OUT_DIR/banking77-test.csv
    socialpulse eval aspects --guard-grid \\
        --guard-set OUT_DIR/banking77-nameonly.yaml=OUT_DIR/banking77-test.csv

measure. Standard library only; the output is the same for the same input.
"""
import csv
import json
import os
import re
import sys


def feature_id(category):
    return re.sub(r"[^a-z0-9_]", "", category.lower())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "categories.json"), encoding="utf-8") as f:
        categories = json.load(f)
    with open(os.path.join(out, "banking77-nameonly.yaml"), "w", encoding="utf-8") as f:
        f.write("# Name-only taxonomy of the Banking77 intents: ids and names only.\n")
        f.write('version: "banking77-nameonly.1"\nfeatures:\n')
        for c in categories:
            fid = feature_id(c)
            name = fid.replace("_", " ")
            f.write(f"  - id: {fid}\n    name: \"{name[0].upper() + name[1:]}\"\n")
    for split in ("test", "train"):
        path = os.path.join(src, split + ".csv")
        if not os.path.exists(path):
            continue
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        with open(os.path.join(out, f"banking77-{split}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", "feature"])
            for r in rows:
                w.writerow([r["text"], feature_id(r["category"])])
        print(f"banking77-{split}.csv: {len(rows)} posts")


if __name__ == "__main__":
    main()
