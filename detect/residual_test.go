package detect

import (
	"math/rand/v2"
	"testing"
	"time"
)

// previousDefaults is the detector before the seasonal-residual view became
// the default: volume novelty over the second-busiest day.
func previousDefaults(c *DetectorConfig) { c.ResidualDays, c.CalibrationRank = 0, 2 }

// quietHourSurge is Poisson(10) a minute with a burst to 200 a minute for
// five minutes every day at noon, and Poisson(peak) a minute for n minutes
// from step at (an hour of the night, far below the noon bursts).
func quietHourSurge(at, n int, peak float64) func(int, *rand.Rand) float64 {
	return func(i int, r *rand.Rand) float64 {
		switch {
		case i >= at && i < at+n:
			return poisson(r, peak)
		case i%day >= 12*60 && i%day < 12*60+5:
			return poisson(r, 200)
		}
		return poisson(r, 10)
	}
}

// dailyPlateau is Poisson(10) a minute, and Poisson(60) from 03:00 to 05:00
// every day.
func dailyPlateau(i int, r *rand.Rand) float64 {
	if m := i % day; m >= 3*60 && m < 5*60 {
		return poisson(r, 60)
	}
	return poisson(r, 10)
}

func TestDetectorSeasonalResidualBehaviour(t *testing.T) {
	const night = 15*day + 3*60 // 03:00 on day 15, after two weeks of history
	tests := []struct {
		name     string
		mod      func(*DetectorConfig)
		from     int // fires before this step are not counted
		steps    int
		value    func(i int, r *rand.Rand) float64
		wantFire bool
	}{
		{
			// 60 a minute is six times the night's level but below the noon
			// bursts of 200: not novel volume, an outlier for its hour.
			name: "a lasting surge at a quiet hour below the daily bursts fires with the default residual view",
			mod:  func(*DetectorConfig) {}, from: night, steps: night + 90,
			value: quietHourSurge(night, 90, 60), wantFire: true,
		},
		{
			name: "a lasting surge at a quiet hour below the daily bursts stays quiet without the residual view",
			mod:  previousDefaults, from: night, steps: night + 90,
			value: quietHourSurge(night, 90, 60), wantFire: false,
		},
		{
			name: "a burst at a quiet hour shorter than the confirmation run stays quiet",
			mod:  func(*DetectorConfig) {}, from: night, steps: night + 90,
			value: quietHourSurge(night, 20, 60), wantFire: false,
		},
		{
			name: "a burst at a quiet hour fires once it lasts the shorter confirmation run",
			mod:  func(c *DetectorConfig) { c.ResidualConfirmSteps = 15 }, from: night, steps: night + 90,
			value: quietHourSurge(night, 20, 60), wantFire: true,
		},
		{
			name: "a lasting surge above the daily bursts fires with the residual view alone",
			mod:  func(c *DetectorConfig) { c.ResidualAlone = true }, from: night, steps: night + 90,
			value: quietHourSurge(night, 90, 300), wantFire: true,
		},
		{
			// Before an hour of the day has been seen on ResidualDays/2
			// days the view does not judge it, and alone it cannot fire.
			name: "the residual view alone does not judge an hour of the day seen on too few days",
			mod:  func(c *DetectorConfig) { c.ResidualAlone = true }, from: 3*day + 3*60, steps: 3*day + 3*60 + 90,
			value: quietHourSurge(3*day+3*60, 90, 300), wantFire: false,
		},
		{
			// A level that recurs every day at the same hour is that hour's
			// baseline, not a residual.
			name: "a plateau that recurs every day at the same hour stays quiet once learned",
			mod:  func(*DetectorConfig) {}, from: 15 * day, steps: 16 * day,
			value: dailyPlateau, wantFire: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultDetectorConfig(time.Minute)
			tt.mod(&cfg)
			ds := run(t, cfg, tt.steps, 3, tt.value)
			var fired []int
			for _, i := range events(ds, EventFire) {
				if i >= tt.from {
					fired = append(fired, i)
				}
			}
			if got := len(fired) > 0; got != tt.wantFire {
				t.Errorf("fired at %v, want fire %v", fired, tt.wantFire)
			}
		})
	}
}

func TestResidualMedianMAD(t *testing.T) {
	tests := []struct {
		name     string
		xs       []float64
		med, mad float64
	}{
		{"empty is zero", nil, 0, 0},
		{"one value has no spread", []float64{7}, 7, 0},
		{"an odd count takes the middle value", []float64{4, 1, 100, 3, 2}, 3, 1},
		{"an even count averages the middle pair", []float64{1, 2, 3, 4}, 2.5, 1},
		{"one huge outlier moves neither", []float64{10, 10, 11, 9, 1e9}, 10, 1},
	}
	r := residual{scratch: make([]float64, 0, 8)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs := append([]float64(nil), tt.xs...)
			med, mad := r.medianMAD(xs)
			if med != tt.med || mad != tt.mad {
				t.Errorf("medianMAD(%v) = %g, %g, want %g, %g", tt.xs, med, mad, tt.med, tt.mad)
			}
			for i := range xs {
				if xs[i] != tt.xs[i] {
					t.Fatalf("medianMAD reordered its input: %v", xs)
				}
			}
		})
	}
}

// TestSeasonalResidualStateIsFixedSize checks the streaming property: the
// view's state is allocated once, by NewDetector, and does not grow with
// the length of the series (so each step costs the same, O(1), after a day
// as after five weeks), whatever the step and however the steps arrive.
func TestSeasonalResidualStateIsFixedSize(t *testing.T) {
	tests := []struct {
		name string
		step time.Duration
		gaps bool // skip every seventh step (filled with zeros by Observe)
	}{
		{"one-minute steps", time.Minute, false},
		{"one-minute steps with gaps", time.Minute, true},
		{"five-minute steps", 5 * time.Minute, false},
		{"two-hour steps", 2 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDetector(DefaultDetectorConfig(tt.step))
			if err != nil {
				t.Fatal(err)
			}
			type size struct{ med, mad, hour, scratch int }
			sizeOf := func() size {
				return size{cap(d.resid.med), cap(d.resid.mad), cap(d.resid.hour), cap(d.resid.scratch)}
			}
			want := sizeOf()
			if want.med != hoursInDay*d.cfg.ResidualDays || want.hour != d.stepsInHour {
				t.Fatalf("state after NewDetector = %+v, want %d summaries and an hour of %d steps", want, hoursInDay*d.cfg.ResidualDays, d.stepsInHour)
			}
			r := rand.New(rand.NewPCG(1, 2))
			steps := int(5 * 7 * 24 * time.Hour / tt.step)
			var seen [hoursInDay]bool // hours of the day some step starts in
			for i := range steps {
				if tt.gaps && i%7 == 3 {
					continue
				}
				at := detT0.Add(time.Duration(i) * tt.step)
				seen[at.Hour()] = true
				d.Observe(at, poisson(r, 5))
				if i == steps/35 || i == steps-1 {
					if got := sizeOf(); got != want {
						t.Fatalf("after %d steps the state is %+v, want %+v", i+1, got, want)
					}
					if len(d.resid.hour) > d.stepsInHour {
						t.Fatalf("open hour holds %d values, more than its %d steps", len(d.resid.hour), d.stepsInHour)
					}
				}
			}
			for h := range hoursInDay {
				if n := d.resid.n[h]; seen[h] && n != d.cfg.ResidualDays {
					t.Errorf("hour %d has %d days of summaries after five weeks, want %d", h, n, d.cfg.ResidualDays)
				}
			}
		})
	}
}
