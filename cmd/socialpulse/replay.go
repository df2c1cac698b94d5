package main

import (
	"context"
	"fmt"
	"io"

	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/jsonl"
	"github.com/socialpulse/socialpulse/internal/term"
	"github.com/socialpulse/socialpulse/replay"
	"github.com/socialpulse/socialpulse/stream"
)

// runReplay is "socialpulse replay": load a JSONL file of posts into Kafka.
func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("replay", stderr)
	brokers := fs.String("brokers", cli.Env("SOCIALPULSE_KAFKA_BROKERS", "localhost:9092"), "comma-separated Kafka `brokers` (env SOCIALPULSE_KAFKA_BROKERS)")
	topic := fs.String("topic", cli.Env("SOCIALPULSE_KAFKA_TOPIC", "social.posts"), "`topic` to produce to (env SOCIALPULSE_KAFKA_TOPIC)")
	rate := fs.Float64("rate", 0, "at most this many `posts` per second; 0 is unlimited")
	batch := fs.Int("batch", 500, "most records per produce request")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want one FILE (or - for stdin), got %d arguments", fs.NArg())
	}
	if *rate < 0 {
		return cli.Usagef("--rate must not be negative, got %v", *rate)
	}
	if *batch < 1 {
		return cli.Usagef("--batch must be at least 1, got %d", *batch)
	}
	bl := cli.List(*brokers)
	if len(bl) == 0 {
		return cli.Usagef("--brokers is empty")
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
	r := replay.New(p, replay.Options{Rate: *rate, MaxBatch: *batch, Progress: jsonl.NewProgress(stderr, term.IsTerminal(stderr), size, "replay", "produced")})
	runErr := r.Run(ctx, in)
	if err := p.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("close producer: %w", err)
	}
	r.Finish()
	fmt.Fprintln(stdout, r.Summary(runErr != nil))
	return runErr
}
