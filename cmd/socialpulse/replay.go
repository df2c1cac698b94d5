package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/replay"
	"github.com/socialpulse/socialpulse/stream"
)

// runReplay is "socialpulse replay": load a JSONL file of posts into Kafka.
func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse replay [flags] FILE|-")
		fmt.Fprintln(fs.Output(), "Produces each non-empty line of FILE (- for stdin) to Kafka unchanged, keyed by the post's id.")
		fs.PrintDefaults()
	}
	defBrokers := os.Getenv("SOCIALPULSE_KAFKA_BROKERS")
	if defBrokers == "" {
		defBrokers = "localhost:9092"
	}
	defTopic := os.Getenv("SOCIALPULSE_KAFKA_TOPIC")
	if defTopic == "" {
		defTopic = "social.posts"
	}
	brokers := fs.String("brokers", defBrokers, "comma-separated Kafka `brokers` (env SOCIALPULSE_KAFKA_BROKERS)")
	topic := fs.String("topic", defTopic, "`topic` to produce to (env SOCIALPULSE_KAFKA_TOPIC)")
	rate := fs.Float64("rate", 0, "at most this many `posts` per second; 0 is unlimited")
	batch := fs.Int("batch", 500, "most records per produce request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("want one FILE (or - for stdin), got %d arguments", fs.NArg())
	}
	if *rate < 0 {
		return usageErrorf("--rate must not be negative, got %v", *rate)
	}
	if *batch < 1 {
		return usageErrorf("--batch must be at least 1, got %d", *batch)
	}
	var bl []string
	for _, b := range strings.Split(*brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			bl = append(bl, b)
		}
	}
	if len(bl) == 0 {
		return usageErrorf("--brokers is empty")
	}

	in, size, closeIn, err := jsonl.Open(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()

	p, err := stream.NewProducer(stream.ClientConfig{Brokers: bl, ClientID: "socialpulse-replay"}, *topic, stream.ProducerOptions{BatchSize: *batch})
	if err != nil {
		return err
	}
	r := replay.New(p, replay.Options{Rate: *rate, MaxBatch: *batch, Progress: replay.NewProgress(stderr, isTerminal(stderr), size)})
	runErr := r.Run(ctx, in)
	if err := p.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("close producer: %w", err)
	}
	r.Finish()
	fmt.Fprintln(stdout, r.Summary(runErr != nil))
	return runErr
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
