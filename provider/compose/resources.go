package compose

import (
	"math"

	"github.com/compose-spec/compose-go/v2/types"
)

// sizing is what a service reserves; the cloud packages pick the smallest
// valid size that fits it.
type sizing struct {
	CPUs      float64
	MemoryMiB int64
	GPUs      int
}

const mib = 1 << 20

// serviceResources reads the sizing of a service: for CPUs and memory
// separately, deploy.resources.reservations, else deploy.resources.limits,
// else the legacy service-level cpus / mem_reservation / mem_limit. GPUs
// come from reservation devices with the gpu capability, else from the
// service-level `gpus:`.
func serviceResources(svc types.ServiceConfig) sizing {
	var res, lim *types.Resource
	if svc.Deploy != nil {
		res, lim = svc.Deploy.Resources.Reservations, svc.Deploy.Resources.Limits
	}
	var out sizing

	for _, c := range []float32{cpusOf(res), cpusOf(lim), svc.CPUS} {
		if c > 0 {
			// float32 in compose-go: round so that 0.1 reads as 0.1.
			out.CPUs = math.Round(float64(c)*1000) / 1000
			break
		}
	}
	for _, m := range []types.UnitBytes{memoryOf(res), memoryOf(lim), svc.MemReservation, svc.MemLimit} {
		if m > 0 {
			out.MemoryMiB = int64(math.Ceil(float64(m) / mib))
			break
		}
	}

	if res != nil {
		out.GPUs = gpuCount(res.Devices)
	}
	if out.GPUs == 0 {
		out.GPUs = gpuCount(svc.Gpus)
	}
	return out
}

func cpusOf(r *types.Resource) float32 {
	if r == nil {
		return 0
	}
	return r.NanoCPUs.Value()
}

func memoryOf(r *types.Resource) types.UnitBytes {
	if r == nil {
		return 0
	}
	return r.MemoryBytes
}

// gpuCount sums the GPU device requests: a count, else the number of device
// ids, else ("all" or unset) one GPU — a cloud task gets whole GPUs, and one
// is the smallest that satisfies "all".
func gpuCount(devices []types.DeviceRequest) int {
	n := 0
	for _, d := range devices {
		if !isGPURequest(d) {
			continue
		}
		switch {
		case d.Count > 0:
			n += int(d.Count)
		case len(d.IDs) > 0:
			n += len(d.IDs)
		default:
			n++
		}
	}
	return n
}

// isGPURequest: service-level `gpus:` entries are GPUs by definition (no
// capabilities); reservation devices say so in their capabilities.
func isGPURequest(d types.DeviceRequest) bool {
	if len(d.Capabilities) == 0 {
		return d.Driver == "" || d.Driver == "nvidia"
	}
	for _, c := range d.Capabilities {
		if c == "gpu" {
			return true
		}
	}
	return false
}
