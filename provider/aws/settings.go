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
	// Spot runs services on Fargate Spot (affordable only), and GPU
	// services on Spot EC2 instances.
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

	// Autoscaling (x-defang-autoscaling: true) scales a service between its
	// replica count and AutoscalingMaxFactor times that count, tracking
	// AutoscalingCPUTarget percent of average CPU utilisation:
	//
	//	affordable         1×..2× replicas, 70% CPU: absorb a spike, stay dense
	//	balanced           1×..4× replicas, 60% CPU
	//	high_availability  1×..10× replicas, 50% CPU: headroom for a zone loss
	//	                   and for load that grows faster than a scale-out
	AutoscalingMaxFactor int
	AutoscalingCPUTarget float64
}

// Autoscaling cooldowns, the same in every mode: scale out after one minute
// (ECS publishes CPU every minute, so one breach is enough to act), scale in
// only after five, so that a bursty load does not make the count flap.
const (
	autoscalingScaleOutCooldown = 60
	autoscalingScaleInCooldown  = 300
)

func settingsFor(m mode.Mode) modeSettings {
	switch m {
	case mode.HighAvailability:
		return modeSettings{Zones: 3, NAT: natPerZone, MinHealthyPercent: 100, MaxPercent: 200, CircuitBreaker: true,
			LogRetentionDays: 30, BuildCompute: "BUILD_GENERAL1_MEDIUM",
			AutoscalingMaxFactor: 10, AutoscalingCPUTarget: 50}
	case mode.Balanced:
		return modeSettings{Zones: 2, NAT: natSingle, MinHealthyPercent: 100, MaxPercent: 200,
			LogRetentionDays: 7, BuildCompute: "BUILD_GENERAL1_SMALL",
			AutoscalingMaxFactor: 4, AutoscalingCPUTarget: 60}
	default:
		return modeSettings{Zones: 2, NAT: natNone, Spot: true, MinHealthyPercent: 0, MaxPercent: 100,
			LogRetentionDays: 1, BuildCompute: "BUILD_GENERAL1_SMALL",
			AutoscalingMaxFactor: 2, AutoscalingCPUTarget: 70}
	}
}

// taskCountRange is the least and the most tasks a service runs: its
// replicas, up to AutoscalingMaxFactor times as many (of at least one) with
// autoscaling.
func (s modeSettings) taskCountRange(replicas int, autoscaling bool) (least, most int) {
	if !autoscaling {
		return replicas, replicas
	}
	return replicas, max(replicas, 1) * s.AutoscalingMaxFactor
}
