package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LongDuration is a flag.Value for durations that also accepts whole days
// and weeks ("2d", "1w", "1w3d12h"), the units people use for history. D
// points at the value set.
type LongDuration struct{ D *time.Duration }

func (l LongDuration) String() string {
	if l.D == nil {
		return "0s"
	}
	return l.D.String()
}

// Set parses s with ParseLongDuration.
func (l LongDuration) Set(s string) error {
	d, err := ParseLongDuration(s)
	if err != nil {
		return err
	}
	*l.D = d
	return nil
}

// ParseLongDuration parses a Go duration, with "d" (24h) and "w" (7 days)
// allowed as leading units: "2d", "1w", "1d12h", "90m".
func ParseLongDuration(s string) (time.Duration, error) {
	in := s
	var total time.Duration
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	for {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == 0 || i >= len(s) || (s[i] != 'd' && s[i] != 'w') {
			break
		}
		n, err := strconv.ParseInt(s[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", in)
		}
		unit := 24 * time.Hour
		if s[i] == 'w' {
			unit = 7 * 24 * time.Hour
		}
		total += time.Duration(n) * unit
		s = s[i+1:]
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q (want e.g. 90m, 24h, 2d or 1w)", in)
		}
		total += d
	} else if total == 0 && !strings.ContainsAny(in, "dw") {
		return 0, fmt.Errorf("invalid duration %q (want e.g. 90m, 24h, 2d or 1w)", in)
	}
	if neg {
		total = -total
	}
	return total, nil
}
