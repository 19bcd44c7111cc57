package autonaming

import (
	"strings"
	"testing"
)

// FuzzFit: whatever the name, Fit gives one the rule accepts, the same one
// every time, and keeps a name that already fits.
func FuzzFit(f *testing.F) {
	for _, s := range []string{"", "-", "api.v2", "Api_V2", "7", "internal-alb", strings.Repeat("x.", 80), "ü-名前"} {
		f.Add(s)
	}
	rules := []Rule{
		{Max: 32, Extra: "-", Sep: '-', NotPrefix: []string{"internal-"}},
		{Max: 64, Lower: true, Extra: "_+=,.@-", Sep: '-'},
		{Min: 3, Max: 24, Lower: true, LetterFirst: true},
		{Min: 2, Max: 32, Lower: true, Extra: "-", Sep: '-', LetterFirst: true},
		{Max: 15, Lower: true, Extra: "-", Sep: '-', LetterFirst: true},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range rules {
			got := r.Fit(s)
			if !r.Valid(got) {
				t.Fatalf("%+v: Fit(%q) = %q is not valid", r, s, got)
			}
			if got != r.Fit(s) {
				t.Fatalf("Fit(%q) is not deterministic", s)
			}
			if r.Valid(s) && got != s {
				t.Fatalf("Fit(%q) changed a valid name to %q", s, got)
			}
		}
	})
}
