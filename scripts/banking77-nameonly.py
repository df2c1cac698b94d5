#!/usr/bin/env python3
"""Turn the Banking77 intent data into a name-only taxonomy and a labelled CSV.

Banking77 (Casanueva et al., "Efficient Intent Detection with Dual Sentence
Encoders", 2020; CC BY 4.0) is 13,083 customer queries to a bank, each labelled
with one of 77 intents. It is not shipped with socialpulse: get its
categories.json and test.csv (and train.csv) from the authors' release, then

    python3 scripts/banking77-nameonly.py DIR_WITH_THE_FILES OUT_DIR

writes OUT_DIR/banking77-nameonly.yaml (one feature per intent, the intent's
name as its id and name, no terms: a taxonomy written from the category names
alone), OUT_DIR/banking77-test.csv (text,feature) and, for each split,
OUT_DIR/banking77-SPLIT.jsonl (the texts alone, as taxonomy suggest and
taxonomy learn read a history), which

    socialpulse eval tagging --taxonomy OUT_DIR/banking77-nameonly.yaml OUT_DIR/banking77-test.csv
    socialpulse eval aspects --guard-grid \\
        --guard-set OUT_DIR/banking77-nameonly.yaml=OUT_DIR/banking77-test.csv
    socialpulse taxonomy suggest --taxonomy OUT_DIR/banking77-nameonly.yaml \
        --apply OUT_DIR/suggested.yaml OUT_DIR/banking77-train.jsonl

measure. Standard library only; the output is the same for the same input.
"""
import csv
import json
import os
import re
import sys


def feature_id(category):
    return re.sub(r"[^a-z0-9_]", "", category.lower())


def read_rows(path, categories):
    """(text, category) pairs of a Banking77 CSV file. Some copies quote texts
    with commas and some do not, so the category is the last field and the
    text the fields before it, joined again; a text whose category is on the
    next line (",category") is joined with it; empty lines are skipped."""
    rows, pending = [], None
    with open(path, newline="", encoding="utf-8") as f:
        records = csv.reader(f)
        header = next(records)
        if header[:1] != ["text"] or header[-1:] != ["category"]:
            sys.exit(f"{path}: header {header}, want text,category")
        for rec in records:
            if not rec or rec == [""]:
                continue
            if rec[-1] in categories and len(rec) > 1:
                text = ",".join(rec[:-1])
                if pending is not None and text.strip(" .") == "":
                    text = pending
                pending = None
                rows.append((text, rec[-1]))
            else:
                pending = ",".join(rec)
    return rows


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
        rows = read_rows(path, set(categories))
        with open(os.path.join(out, f"banking77-{split}.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", "feature"])
            for text, category in rows:
                w.writerow([text, feature_id(category)])
        with open(os.path.join(out, f"banking77-{split}.jsonl"), "w", encoding="utf-8") as f:
            for i, (text, _) in enumerate(rows):
                f.write(json.dumps({"id": f"{split}-{i}", "text": text}) + "\n")
        print(f"banking77-{split}.csv: {len(rows)} posts")


if __name__ == "__main__":
    main()
