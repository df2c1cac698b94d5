package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/feature/taxonomyio"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/stream"
)

// historyFlags choose where taxonomy suggest and taxonomy learn read their
// history of posts: a JSONL file or stdin; with --kafka, the processor's
// input topic; with --evidence, the matrix's evidence samples in Redis.
type historyFlags struct {
	kafka    *bool
	evidence *bool
	config   *string
	since    *time.Duration
	maxPosts *int
}

// defaultHistoryPosts bounds a history read from Kafka, which taxonomy
// learn keeps in memory (about 1 KiB a post).
const defaultHistoryPosts = 1_000_000

func addHistoryFlags(fs *flag.FlagSet) historyFlags {
	return historyFlags{
		kafka:    fs.Bool("kafka", false, "read the history from the processor's input topic (kafka.topic, with the connection, TLS and SASL settings of --config and SOCIALPULSE_* overrides) instead of FILE; nothing is committed"),
		evidence: fs.Bool("evidence", false, "read the history from the matrix's evidence in Redis (with the redis settings of --config and SOCIALPULSE_* overrides) instead of FILE: the negative posts it keeps as samples: the newest 50 of each of the taxonomy's features and of the posts no feature matched"),
		config:   fs.String("config", os.Getenv("SOCIALPULSE_CONFIG"), "with --kafka or --evidence, the processor's YAML config `file` (env SOCIALPULSE_CONFIG)"),
		since:    fs.Duration("since", 7*24*time.Hour, "with --kafka, read the posts of this long ago to now (by the records' Kafka time)"),
		maxPosts: fs.Int("max-posts", defaultHistoryPosts, "with --kafka, read at most this many posts"),
	}
}

// open returns the history: the file argument as jsonl.Open does, the
// Kafka topic as JSONL (one record value a line), read as it is consumed,
// or the evidence samples of taxonomy's features as JSONL. size is the
// file's size (0 for stdin, Kafka and evidence), lines the records a Kafka
// read expects (at most; 0 for a file) or the samples read. closeFn stops a
// Kafka read and waits for it; a failed read shows as the reader's error.
func (h historyFlags) open(ctx context.Context, fs *flag.FlagSet, stdin io.Reader, taxonomy string) (in io.Reader, size, lines int64, closeFn func(), err error) {
	if *h.kafka && *h.evidence {
		return nil, 0, 0, nil, cli.Usagef("--kafka and --evidence are two histories: give one")
	}
	if *h.evidence {
		return h.openEvidence(ctx, fs, taxonomy)
	}
	if !*h.kafka {
		name, err := cli.OptionalFile(fs, "-")
		if err != nil {
			return nil, 0, 0, nil, err
		}
		in, size, closeIn, err := jsonl.Open(name, stdin)
		if err != nil {
			return nil, 0, 0, nil, err
		}
		return in, size, 0, closeIn, nil
	}
	if fs.NArg() > 0 {
		return nil, 0, 0, nil, cli.Usagef("--kafka reads the topic: give no FILE (got %q)", fs.Arg(0))
	}
	if *h.since <= 0 || *h.maxPosts <= 0 {
		return nil, 0, 0, nil, cli.Usagef("--since and --max-posts must be positive")
	}
	cfg, err := config.Load(*h.config, os.Environ())
	if err != nil {
		return nil, 0, 0, nil, err
	}
	cc, err := app.KafkaClient(cfg.Kafka)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	cc.ClientID = "socialpulse-taxonomy"
	hist, err := stream.OpenHistory(ctx, cc, cfg.Kafka.Topic, stream.HistoryOptions{Since: time.Now().Add(-*h.since), Max: *h.maxPosts})
	if err != nil {
		return nil, 0, 0, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		bw := bufio.NewWriterSize(pw, 64<<10)
		var line bytes.Buffer
		_, err := hist.Read(ctx,
			func(v []byte) error {
				line.Reset()
				if json.Compact(&line, v) != nil {
					// Not JSON: one line all the same, which the reader
					// counts as unreadable.
					line.Reset()
					line.Write(bytes.Map(func(r rune) rune {
						if r == '\n' || r == '\r' {
							return ' '
						}
						return r
					}, v))
				}
				line.WriteByte('\n')
				_, err := bw.Write(line.Bytes())
				return err
			})
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			err = fmt.Errorf("read topic %s: %w", cfg.Kafka.Topic, err)
		}
		pw.CloseWithError(err)
	}()
	closeFn = func() {
		cancel()
		pr.Close()
		<-done
	}
	return pr, 0, min(hist.Offsets(), int64(*h.maxPosts)), closeFn, nil
}

// openEvidence reads the matrix's negative evidence samples of taxonomy's
// features and of the posts no feature matched, and returns them as JSONL
// posts (id, text, created_at, url, author) in memory: at most 50 a
// feature.
func (h historyFlags) openEvidence(ctx context.Context, fs *flag.FlagSet, taxonomy string) (io.Reader, int64, int64, func(), error) {
	if fs.NArg() > 0 {
		return nil, 0, 0, nil, cli.Usagef("--evidence reads Redis: give no FILE (got %q)", fs.Arg(0))
	}
	t, err := taxonomyio.Load(taxonomy)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	cfg, err := config.Load(*h.config, os.Environ())
	if err != nil {
		return nil, 0, 0, nil, err
	}
	rdb, err := app.RedisClient(cfg.Redis)
	if err != nil {
		return nil, 0, 0, nil, fmt.Errorf("config: %w", err)
	}
	defer rdb.Close()
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: cfg.Redis.KeyPrefix})
	if err != nil {
		return nil, 0, 0, nil, err
	}
	ids := make([]string, 0, len(t.Features)+1)
	for _, f := range t.Features {
		ids = append(ids, f.ID)
	}
	ids = append(ids, impactmatrix.OtherFeature)
	samples, err := store.Evidence(ctx, ids, impactmatrix.Negative)
	if err != nil {
		return nil, 0, 0, nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, sm := range samples {
		p := evidencePost{ID: sm.ID, Text: sm.Text, URL: sm.URL}
		if !sm.Time.IsZero() {
			p.CreatedAt = sm.Time.UTC().Format(time.RFC3339Nano)
		}
		if sm.Author != "" {
			p.Author = &evidenceAuthor{Handle: sm.Author, Followers: sm.Followers}
		}
		if err := enc.Encode(p); err != nil {
			return nil, 0, 0, nil, err
		}
	}
	return &buf, 0, int64(len(samples)), func() {}, nil
}

// evidencePost is an evidence sample as a post in the input's JSON shape.
type evidencePost struct {
	ID        string          `json:"id"`
	Text      string          `json:"text"`
	CreatedAt string          `json:"created_at,omitempty"`
	URL       string          `json:"url,omitempty"`
	Author    *evidenceAuthor `json:"author,omitempty"`
}

type evidenceAuthor struct {
	Handle    string `json:"handle"`
	Followers int64  `json:"followers"`
}
