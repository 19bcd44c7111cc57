// Package mode defines the deployment modes (DESIGN.md section 5) that size
// every cloud resource. It is cloud-neutral: each cloud package maps a mode to
// its own instance sizes, zone counts and protections.
package mode

import (
	"fmt"
	"strings"
)

// Mode is a deployment mode.
type Mode string

const (
	// Affordable: two zones, no NAT, Spot capacity, replace-style updates.
	Affordable Mode = "affordable"
	// Balanced: two zones, one NAT gateway, on-demand capacity, rolling updates.
	Balanced Mode = "balanced"
	// HighAvailability: three zones, a NAT per zone, rolling zero-downtime
	// updates with a circuit breaker, protected databases.
	HighAvailability Mode = "high_availability"
)

// All lists the modes from cheapest to most resilient.
var All = []Mode{Affordable, Balanced, HighAvailability}

// Parse accepts a mode name (case-insensitive; "high-availability" and "ha"
// are accepted as spellings of high_availability). An empty string is
// Affordable, the documented default.
func Parse(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "affordable":
		return Affordable, nil
	case "balanced":
		return Balanced, nil
	case "high_availability", "high-availability", "ha":
		return HighAvailability, nil
	}
	return "", fmt.Errorf("unknown mode %q: use one of affordable, balanced, high_availability", s)
}
