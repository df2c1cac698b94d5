package demo

import (
	"io"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewConsoleLogger returns a logger for people watching a terminal: short
// times, coloured levels, no caller or stack traces, written to w.
func NewConsoleLogger(w io.Writer, level zapcore.Level, color bool) *zap.Logger {
	ec := zap.NewDevelopmentEncoderConfig()
	ec.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05")
	ec.EncodeLevel = zapcore.CapitalLevelEncoder
	if color {
		ec.EncodeLevel = zapcore.CapitalColorLevelEncoder
	}
	ec.CallerKey = ""
	ec.StacktraceKey = ""
	return zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(ec), zapcore.Lock(zapcore.AddSync(w)), level))
}
