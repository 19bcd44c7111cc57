package mode

import "testing"

func TestParse(t *testing.T) {
	cases := map[string]Mode{
		"": Affordable, "affordable": Affordable, "BALANCED": Balanced,
		"high_availability": HighAvailability, "high-availability": HighAvailability, "ha": HighAvailability,
	}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Parse("cheap"); err == nil {
		t.Error("Parse(cheap) should fail")
	}
}
