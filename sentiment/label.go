package sentiment

import "fmt"

// Label is the sentiment class of a text.
type Label uint8

// The labels. Unscored marks posts the model does not score, such as posts in
// an unsupported language; Score never returns it.
const (
	Negative Label = iota
	Neutral
	Positive
	Unscored
)

// Thresholds on the compound score: scores at or above PositiveThreshold are
// Positive, scores at or below NegativeThreshold are Negative, the rest Neutral.
const (
	PositiveThreshold = 0.05
	NegativeThreshold = -0.05
)

var labelNames = [...]string{"negative", "neutral", "positive", "unscored"}

// String returns "negative", "neutral", "positive" or "unscored".
func (l Label) String() string {
	if int(l) < len(labelNames) {
		return labelNames[l]
	}
	return fmt.Sprintf("Label(%d)", uint8(l))
}

// MarshalText implements encoding.TextMarshaler.
func (l Label) MarshalText() ([]byte, error) {
	if int(l) >= len(labelNames) {
		return nil, fmt.Errorf("sentiment: invalid label %d", uint8(l))
	}
	return []byte(labelNames[l]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Label) UnmarshalText(b []byte) error {
	for i, name := range labelNames {
		if string(b) == name {
			*l = Label(i)
			return nil
		}
	}
	return fmt.Errorf("sentiment: unknown label %q", b)
}

// LabelOf returns the label for a compound score.
func LabelOf(score float64) Label {
	switch {
	case score >= PositiveThreshold:
		return Positive
	case score <= NegativeThreshold:
		return Negative
	}
	return Neutral
}

// Result is the sentiment of a text: its label and compound score in [-1, 1].
type Result struct {
	Label Label
	Score float64
}

// Clause is the sentiment of one clause of a text; Start and End are byte
// offsets into the text, text[Start:End] is the clause.
type Clause struct {
	Start, End int
	Result     Result
}
