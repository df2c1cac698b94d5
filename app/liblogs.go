package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/internal/zaplog"
)

// RouteLibraryLogs sends go-redis's own log lines (pool and dial errors,
// cluster topology changes) through log as structured warnings, sampled so a
// Redis outage gives a few lines a minute rather than one per retry. go-redis
// keeps one process-wide logger; the last call wins. kafka-go's loggers are
// set per consumer and producer in package stream.
func RouteLibraryLogs(log *zap.Logger) {
	redis.SetLogger(redisLogger{zaplog.Sampled(log.Named("redis"))})
}

type redisLogger struct{ log *zap.Logger }

func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	msg := strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: ")
	l.log.Warn(msg)
}
