package cliout

import (
	"fmt"
	"io"

	"github.com/socialpulse/socialpulse/correction"
)

// CorrectionRecorded confirms a stored sentiment correction.
func CorrectionRecorded(w io.Writer, cr correction.Correction) {
	fmt.Fprintf(w, "post %s corrected from %s to %s by %s at %s\n", cr.PostID, cr.Previous, cr.Label, cr.Who,
		cr.When.Local().Format("2006-01-02 15:04:05"))
}
