package aws

import "github.com/DefangLabs/pulumi-defang/provider/mode"

// natMode is how private subnets reach the internet.
type natMode int

const (
	natNone    natMode = iota // tasks run in public subnets with public IPs
	natSingle                 // one NAT gateway shared by every zone
	natPerZone                // one NAT gateway per zone: no cross-zone dependency
)

// modeSettings is DESIGN.md section 5 for AWS: every per-mode choice in one
// place so that the components read a table rather than branch on the mode.
type modeSettings struct {
	Zones int
	NAT   natMode
	// Spot runs services on Fargate Spot (affordable only).
	Spot bool
	// Deployment: affordable replaces tasks (minimum healthy 0%), the others
	// roll (100%/200%); high_availability adds the circuit breaker with
	// rollback.
	MinHealthyPercent int
	MaxPercent        int
	CircuitBreaker    bool
	LogRetentionDays  int
	// BuildCompute is the CodeBuild compute type: SMALL is 2 vCPU/3 GB,
	// MEDIUM 4 vCPU/7 GB.
	BuildCompute string
}

func settingsFor(m mode.Mode) modeSettings {
	switch m {
	case mode.HighAvailability:
		return modeSettings{Zones: 3, NAT: natPerZone, MinHealthyPercent: 100, MaxPercent: 200, CircuitBreaker: true,
			LogRetentionDays: 30, BuildCompute: "BUILD_GENERAL1_MEDIUM"}
	case mode.Balanced:
		return modeSettings{Zones: 2, NAT: natSingle, MinHealthyPercent: 100, MaxPercent: 200,
			LogRetentionDays: 7, BuildCompute: "BUILD_GENERAL1_SMALL"}
	default:
		return modeSettings{Zones: 2, NAT: natNone, Spot: true, MinHealthyPercent: 0, MaxPercent: 100,
			LogRetentionDays: 1, BuildCompute: "BUILD_GENERAL1_SMALL"}
	}
}
