package monitor

import (
	"math"
	"testing"
)

func TestAddFollowersSaturates(t *testing.T) {
	tests := []struct {
		name   string
		sum, n int64
		want   int64
	}{
		{"small counts add", 1200, 300, 1500},
		{"two maximal counts saturate instead of wrapping", math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{"one short of overflow", math.MaxInt64 - 1, 1, math.MaxInt64},
		{"overflow by one saturates", math.MaxInt64 - 1, 2, math.MaxInt64},
		{"a negative count adds nothing", 10, -5, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := addFollowers(tt.sum, tt.n); got != tt.want {
				t.Fatalf("addFollowers(%d, %d) = %d, want %d", tt.sum, tt.n, got, tt.want)
			}
		})
	}
}
