package app

import (
	"context"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/socialpulse/socialpulse/internal/zaplog"
)

func TestRedisLibraryLinesBecomeSampledStructuredWarnings(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	l := redisLogger{zaplog.Sampled(zap.New(core).Named("redis"))}
	for range 50 {
		l.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts: %v", 5, "connection refused")
	}
	got := logs.All()
	if len(got) != 1 {
		t.Fatalf("50 identical lines logged %d times, want 1 (sampled)", len(got))
	}
	e := got[0]
	if e.Level != zap.WarnLevel || e.LoggerName != "redis" || e.Message != "connection pool: failed to dial after 5 attempts: connection refused" {
		t.Fatalf("entry = %+v", e.Entry)
	}
}
