// Package zaplog holds the logging helpers shared by the packages that route
// third-party libraries' logs (go-redis, kafka-go) into zap.
//
// Non-goals: building the process logger (package app does that).
package zaplog

import (
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Sampled returns log limited to the first entry of each message per 10
// seconds and one in 100 after that, so a library that logs every retry
// stays readable during an outage.
func Sampled(log *zap.Logger) *zap.Logger {
	return log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewSamplerWithOptions(c, 10*time.Second, 1, 100)
	}))
}
