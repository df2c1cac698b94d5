package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/internal/cli"
)

// runProcessor is "socialpulse run": the stream processor.
func runProcessor(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	path := fs.String("config", os.Getenv("SOCIALPULSE_CONFIG"), "YAML config `file` (env SOCIALPULSE_CONFIG); every option also has a SOCIALPULSE_* override")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return cli.Usagef("unexpected arguments %v", fs.Args())
	}
	cfg, err := config.Load(*path, os.Environ())
	if err != nil {
		return err
	}
	log, err := app.NewLogger(cfg.Log)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer func() { signal.Stop(hup); close(hup) }()
	reload := make(chan struct{}, 1)
	go func() {
		for range hup {
			select {
			case reload <- struct{}{}:
			default: // a reload is already pending
			}
		}
	}()

	a, err := app.New(cfg, app.Options{Logger: log, Reload: reload})
	if err != nil {
		return err
	}
	if err := a.Run(ctx); err != nil {
		log.Error("processor stopped with an error", zap.Error(err))
		return err
	}
	return nil
}
