package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/socialpulse/socialpulse/demo"
	"github.com/socialpulse/socialpulse/internal/cli"
	"github.com/socialpulse/socialpulse/internal/term"
)

// runDemo is "socialpulse demo": everything in one process, no set-up.
func runDemo(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	var o demo.Options
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:8080", "HTTP `address` of the API (port 0 picks a free one)")
	fs.Float64Var(&o.Rate, "rate", 50, "live feed `posts` per second")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the synthetic feed")
	fs.StringVar(&o.IncidentFeature, "incident-feature", "checkout", "`feature` whose complaints surge (checkout, payment, login, search, shipping, ...)")
	fs.DurationVar(&o.IncidentAfter, "incident-after", 90*time.Second, "when the incident starts, from launch; negative: no incident")
	fs.DurationVar(&o.IncidentLength, "incident-length", 10*time.Minute, "how long the incident lasts at full strength")
	fs.DurationVar(&o.IncidentDecay, "incident-decay", 10*time.Minute, "how long the surge takes to die away after that; negative: none")
	fs.DurationVar(&o.StatementAfter, "statement-after", 4*time.Minute, "when the shop's account posts a statement, from the incident's start; negative: none")
	fs.DurationVar(&o.Duration, "duration", 0, "stop after this long; 0 runs until Ctrl-C")
	fs.DurationVar(&o.Backfill, "backfill", 3*time.Hour, "history produced at start, event-timed in the past; negative: none")
	fs.DurationVar(&o.ReportEvery, "report-every", 10*time.Second, "how often to log the top features' negative counts")
	level := zapcore.InfoLevel
	fs.TextVar(&level, "log-level", zapcore.InfoLevel, "log `level`: debug, info, warn or error")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef("unexpected arguments %v", fs.Args())
	}
	if o.Rate <= 0 {
		return cli.Usagef("--rate must be positive, got %v", o.Rate)
	}
	if o.Duration < 0 {
		return cli.Usagef("--duration must not be negative, got %v", o.Duration)
	}
	if o.ReportEvery <= 0 {
		return cli.Usagef("--report-every must be positive, got %v", o.ReportEvery)
	}
	// demo.Options reads zero as "use the default"; on the command line 0
	// means "now" and "none".
	if o.IncidentAfter == 0 {
		o.IncidentAfter = time.Nanosecond
	}
	if o.Backfill == 0 {
		o.Backfill = -1
	}
	if o.IncidentDecay == 0 {
		o.IncidentDecay = -1
	}
	if o.StatementAfter == 0 {
		o.StatementAfter = time.Nanosecond
	}
	o.Logger = demo.NewConsoleLogger(stderr, level, term.IsTerminal(stderr))
	defer func() { _ = o.Logger.Sync() }()

	d, err := demo.New(o)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use (another demo or server?): stop it, or pass --listen 127.0.0.1:0 to pick a free port", o.Listen)
	}
	if err != nil {
		return err
	}
	return d.Run(ctx)
}
