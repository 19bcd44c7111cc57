package compose

import (
	"testing"
)

func TestResources(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		cpus   float64
		memory int64
		gpus   int
	}{
		{"none", "", 0, 0, 0},
		{"reservations", "    deploy: {resources: {reservations: {cpus: '0.5', memory: 512M}}}\n", 0.5, 512, 0},
		{"limits", "    deploy: {resources: {limits: {cpus: 2, memory: 1G}}}\n", 2, 1024, 0},
		{"reservations win", "    deploy: {resources: {reservations: {cpus: 0.25, memory: 256M}, limits: {cpus: 1, memory: 2G}}}\n", 0.25, 256, 0},
		{"mixed sources", "    deploy: {resources: {reservations: {cpus: 0.25}, limits: {memory: 2G}}}\n", 0.25, 2048, 0},
		{"float noise rounded", "    deploy: {resources: {reservations: {cpus: 0.1}}}\n", 0.1, 0, 0},
		{"bytes round up to MiB", "    deploy: {resources: {reservations: {memory: 1000000b}}}\n", 0, 1, 0},
		{"512MB", "    deploy: {resources: {reservations: {memory: 512MB}}}\n", 0, 512, 0},
		{"legacy service-level", "    cpus: 1.5\n    mem_limit: 3g\n", 1.5, 3072, 0},
		{"gpu all", "    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}\n", 0, 0, 1},
		{"gpu count all", "    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], count: all}]}}}\n", 0, 0, 1},
		{"gpu count", "    deploy: {resources: {reservations: {devices: [{driver: nvidia, capabilities: [gpu, utility], count: 2}]}}}\n", 0, 0, 2},
		{"gpu ids", "    deploy: {resources: {reservations: {devices: [{capabilities: [gpu], device_ids: ['0', '1', '2']}]}}}\n", 0, 0, 3},
		{"non-gpu device", "    deploy: {resources: {reservations: {devices: [{capabilities: [tpu], count: 1}]}}}\n", 0, 0, 0},
		{"service-level gpus", "    gpus: all\n", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := mustLoad(t, svc(tt.body))
			s := p.Service("app")
			if s.CPUs != tt.cpus || s.MemoryMiB != tt.memory || s.GPUs != tt.gpus {
				t.Errorf("got cpus %v memory %d gpus %d, want %v %d %d", s.CPUs, s.MemoryMiB, s.GPUs, tt.cpus, tt.memory, tt.gpus)
			}
		})
	}
}
